import type Database from 'better-sqlite3';

/**
 * Switches `db` to WAL, waiting up to `timeoutMs` for other processes doing the same.
 *
 * Why not busy_timeout alone: on a file no process has switched yet, the switch reads the header,
 * then writes it from inside that read. SQLite never calls the busy handler for such an upgrade (two
 * readers waiting on each other would deadlock), so when several processes create the file at once
 * (24 `ferry run` of one pipeline in a fresh folder) all but one got SQLITE_BUSY at once. Retrying
 * the whole statement starts a fresh read, and the busy handler covers it again. Each attempt's
 * busy wait is cut to the time left, so the whole never takes longer than `timeoutMs`; the busy
 * timeout is `timeoutMs` afterwards.
 */
export function enableWal(db: Database.Database, timeoutMs: number): void {
  const deadline = performance.now() + timeoutMs;
  try {
    for (let waitMs = 1; ; waitMs = Math.min(waitMs * 2, 64)) {
      db.pragma(`busy_timeout = ${Math.max(0, Math.ceil(deadline - performance.now()))}`);
      try {
        db.pragma('journal_mode = WAL');
        return;
      } catch (err) {
        if (!isBusy(err) || performance.now() >= deadline) throw err;
        // Jittered, so processes that collided do not collide again in step.
        sleepSync(Math.min(waitMs * (0.5 + Math.random()), Math.max(0, deadline - performance.now())));
      }
    }
  } finally {
    db.pragma(`busy_timeout = ${timeoutMs}`);
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
