import type { Engine, EngineName } from '../engine/engine.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_INVALID } from './exit-codes.js';

/** `--engine` or ferry.yaml `engine:`; an unknown name is a usage error. */
export function engineOf(ctx: CliContext, option?: string): EngineName {
  const engine = option ?? ctx.project().config.engine;
  if (engine !== 'embedded' && engine !== 'temporal') throw new CliExit(EXIT_INVALID, `unknown engine "${engine}" (known: embedded, temporal)`);
  return engine;
}

/** The engine a command works on: `--engine`, else ferry.yaml's. */
export function engineFor(ctx: CliContext, option?: string): Promise<Engine> {
  return ctx.app().engine(engineOf(ctx, option));
}
