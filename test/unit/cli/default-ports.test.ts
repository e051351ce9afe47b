import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/main.js';

function defaultOf(program: Command, command: string, flag: string): unknown {
  const sub = program.commands.find((c) => c.name() === command);
  const option = sub?.options.find((o) => o.long === flag);
  if (!option) throw new Error(`no ${command} ${flag}`);
  return option.defaultValue;
}

describe('default ports', () => {
  it('ferry ui does not take the port of the web UI of the Temporal dev server that ferry dev-server starts', () => {
    const { program } = buildProgram();
    const consolePort = defaultOf(program, 'ui', '--port');
    const temporalUiPort = defaultOf(program, 'dev-server', '--ui-port');
    expect(temporalUiPort).toBe('8233');
    expect(consolePort).toBe('8234');
  });
});
