import { CommanderError } from 'commander';
import { JobRefused } from '../engine/engine.js';
import { ConfigError } from '../project/load-config.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';

/** How a command ended when it threw: its exit code, and what to tell the user, if anything is left to tell. */
export interface CliFailure {
  code: number;
  /** For stderr; empty when the command said it itself (diagnostics, a summary, commander's own message). */
  message: string;
  /** For the `--json` error object: the message, or what commander already printed. */
  jsonMessage: string;
}

/** The one place an error becomes an exit code (README "CLI": 1 failed, 2 invalid or usage). */
export function failureOf(err: unknown): CliFailure {
  if (err instanceof CliExit) return { code: err.code, message: err.message, jsonMessage: err.message };
  // --help and --version end here too, with exit code 0; commander has printed its message.
  if (err instanceof CommanderError) return { code: err.exitCode === 0 ? 0 : EXIT_INVALID, message: '', jsonMessage: err.message };
  if (err instanceof JobRefused) return { code: err.usage ? EXIT_INVALID : EXIT_FAILED, message: err.message, jsonMessage: err.message };
  if (err instanceof ConfigError) return { code: EXIT_INVALID, message: err.message, jsonMessage: err.message };
  const message = `ferry: ${(err as Error)?.message ?? String(err)}`;
  return { code: EXIT_FAILED, message, jsonMessage: message };
}

/**
 * The `--json` error object: what a script reading stdout gets instead of nothing when a command
 * fails before printing its result. The same `error.message` as a failed job's report.
 */
export function jsonError(message: string, code: number): string {
  return JSON.stringify({ error: { message, exit: code } });
}

/**
 * Whether the command line asks for JSON: `--json` (or `jobs errors --format json`) before any
 * `--`. Read from the words, not the parsed options, because a usage error (an unknown option, a
 * missing argument) fails before commander parses any.
 */
export function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const words = end === -1 ? args : args.slice(0, end);
  return words.some((word, i) => word === '--json' || word === '--format=json' || (word === '--format' && words[i + 1] === 'json'));
}
