import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { enableWal } from '../../connections/sqlite/wal.js';
import { assertJournalWritable, journalUnusable } from './journal-writable.js';

const schema = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, engine TEXT NOT NULL, status TEXT NOT NULL,
  run INTEGER NOT NULL DEFAULT 1, plan TEXT NOT NULL, summary TEXT, error TEXT, artifacts TEXT,
  notifications TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, ended_at TEXT,
  owner_pid INTEGER, heartbeat_at TEXT, cancel_requested INTEGER NOT NULL DEFAULT 0,
  source_checksum TEXT, pipeline_file TEXT NOT NULL, pipeline_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_pipeline ON jobs (pipeline, created_at);
CREATE TABLE IF NOT EXISTS steps (
  job TEXT NOT NULL, key TEXT NOT NULL, output TEXT NOT NULL, recorded_at TEXT NOT NULL,
  PRIMARY KEY (job, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS schedules (
  pipeline TEXT PRIMARY KEY, last_run_at TEXT NOT NULL, last_job TEXT
) WITHOUT ROWID;
`;

/** Columns added after the first release: journals created before them get them on open. */
const addedColumns: Record<string, string> = {
  submission_key: 'TEXT',
  owner_start: 'TEXT',
  lease: 'INTEGER NOT NULL DEFAULT 0',
  target: 'TEXT',
  target_shared: 'INTEGER NOT NULL DEFAULT 0',
  run_started_at: 'TEXT',
  failure: 'TEXT',
};

/** Journal statements are short: a wait this long means a stuck process, not a busy one. */
const journalBusyTimeoutMs = 10_000;

/**
 * Opens (creating it if need be) `<stateDir>/journal.db` in WAL mode with its tables, and adds
 * the columns an older journal lacks. A state folder or file that cannot be written, or SQLite's
 * error on opening, is said with the path and what to do (journal-writable.ts).
 */
export function openJournalDb(stateDir: string): { db: Database.Database; file: string } {
  mkdirSync(stateDir, { recursive: true });
  assertJournalWritable(stateDir);
  const file = join(stateDir, 'journal.db');
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: journalBusyTimeoutMs });
    enableWal(db, journalBusyTimeoutMs);
    db.exec(schema);
    addMissingColumns(db);
    return { db, file };
  } catch (err) {
    db?.close();
    throw journalUnusable(file, err);
  }
}

/** ALTER TABLE for journals older than a column; checked first, so a current journal takes no write lock. */
function addMissingColumns(db: Database.Database): void {
  const missing = (): string[] => {
    const have = new Set((db.prepare(`SELECT name FROM pragma_table_info('jobs')`).all() as { name: string }[]).map((c) => c.name));
    return Object.keys(addedColumns).filter((name) => !have.has(name));
  };
  if (missing().length === 0) return;
  db.transaction(() => {
    // Checked again under the write lock: another process may have just added them.
    for (const name of missing()) db.exec(`ALTER TABLE jobs ADD COLUMN ${name} ${addedColumns[name]}`);
    db.exec('CREATE INDEX IF NOT EXISTS jobs_by_target ON jobs (target)');
  }).immediate();
}
