import type Database from 'better-sqlite3';

/**
 * Switches `db` to WAL, waiting up to `timeoutMs` for other processes doing the same.
 *
 * Why not busy_timeout alone: on a file no process has switched yet, the switch reads the header,
 * then writes it from inside that read. SQLite never calls the busy handler for such an upgrade (two
 * readers waiting on each other would deadlock), so when several processes create the file at once
 * (24 `ferry run` of one pipeline in a fresh folder) all but one got SQLITE_BUSY at once. Retrying
 * the whole statement starts a fresh read, and the busy handler covers it again.
 */
export function enableWal(db: Database.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (let waitMs = 1; ; waitMs = Math.min(waitMs * 2, 64)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
      // Jittered, so processes that collided do not collide again in step.
      sleepSync(waitMs * (0.5 + Math.random()));
    }
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_BUSY(_|$)/.test(code);
}

/** Opening a database is synchronous (better-sqlite3), so the wait is too. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
