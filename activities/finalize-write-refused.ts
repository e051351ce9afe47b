/** A write the file system refused: full, over quota, read-only, not permitted, failing. */
const WRITE_REFUSED = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO']);

/**
 * A refused write while a job's files are assembled, said with the file and what to do. The
 * system's own message names no file for a write to an open file ("ENOSPC: no space left on
 * device, write"), and this message is what every caller shows: the job's error in `run --json`,
 * `serve`'s log and the console's job page. It still starts with the code (callers match it).
 * Other errors pass as they are.
 */
export function namingRefusedWrite(err: unknown, job: string, file: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === undefined || !WRITE_REFUSED.has(code)) return err;
  const message = err instanceof Error ? err.message : String(err);
  const fix =
    code === 'ENOSPC' || code === 'EDQUOT' ? 'free space on its disk (or raise the quota)' : code === 'EIO' ? 'check its disk' : 'make its folder writable';
  const prefixed = message.startsWith(`${code}:`) ? message : `${code}: ${message}`;
  return Object.assign(new Error(`${prefixed} — writing ${file} for job ${job}: ${fix}, then ferry jobs resume ${job} continues it`, { cause: err }), {
    code,
  });
}
