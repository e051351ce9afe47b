import type { Project } from '../project/load-config.js';
import { CliExit, EXIT_INVALID } from './exit-codes.js';

/**
 * `--engine` or ferry.yaml `engine:`. The Temporal commands are imported only when chosen: the
 * Temporal client and worker take about a second to load, which every other command would pay.
 */
export function engineOf(project: Project, option?: string): 'embedded' | 'temporal' {
  const engine = option ?? project.config.engine;
  if (engine !== 'embedded' && engine !== 'temporal') throw new CliExit(EXIT_INVALID, `unknown engine "${engine}" (known: embedded, temporal)`);
  return engine;
}

/** The Temporal side of `run`, `jobs`: loaded on first use. */
export const temporalCli = () => import('./temporal-cli.js');
