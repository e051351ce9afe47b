/** Exit codes (DESIGN.md "CLI"): 0 succeeded (with or without rejects), 1 failed, 2 invalid pipeline or usage. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INVALID = 2;

/** Thrown by commands to end the process with a code after printing their own output. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
    this.name = 'CliExit';
  }
}
