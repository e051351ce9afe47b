/** A write the file system refused: full, over quota, read-only, not permitted, failing. */
const WRITE_REFUSED = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO']);

/**
 * A failed write's error, said with the file it was writing and, when the file system refused it,
 * what to do; with `job`, also how to go on. The system's own message names no file for a write to
 * an open file ("ENOSPC: no space left on device, write"), and this message is what every caller
 * shows: the job's error in `run --json`, `serve`'s log, the console's job page and a Temporal
 * worker's failure. It still starts with the code (the CLI's hints match it) and keeps it as `code`.
 * The one way a job's writes are named: its batch files, its finalize and its export output.
 */
export function namingWrite(err: unknown, file: string, job?: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  // Only the system's errors: others (a cancellation, a failpoint) keep their class and words.
  if (!(err instanceof Error) || typeof code !== 'string') return err;
  const refused = WRITE_REFUSED.has(code);
  const prefixed = !refused || err.message.startsWith(`${code}:`) ? err.message : `${code}: ${err.message}`;
  const forJob = job === undefined ? '' : ` for job ${job}`;
  const then = job === undefined ? '' : `, then ferry jobs resume ${job} continues it`;
  const message = refused ? `${prefixed} — writing ${file}${forJob}: ${fix(code)}${then}` : `${prefixed} — writing ${file}${forJob}`;
  return Object.assign(new Error(message, { cause: err }), { code });
}

function fix(code: string): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'free space on its disk (or raise the quota)';
  return code === 'EIO' ? 'check its disk' : 'make its folder writable';
}
