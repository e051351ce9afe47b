import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `--batch N`: the batch block of every import pipeline (see `setImportBatch`); absent: the pipeline defaults. */
let importBatch: { size: number; commit: number } | undefined;

/** Set once by the runner before any workload: imports run `batch.size` N, committing min(N, 10,000) at a time. */
export function setImportBatch(size: number | undefined): void {
  importBatch = size === undefined ? undefined : { size, commit: Math.min(Math.max(size, 1000), 10_000) };
}

/**
 * A fresh Ferry project folder: ferry.yaml (state in the folder, the `users` connection on
 * `db`: a SQLite path or a connection object) plus the given files. Pipelines are written as JSON, which is YAML too: no quoting
 * questions for JSONata expressions.
 */
export function makeProject(dir: string, db: string | object, files: Record<string, unknown>): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const users = typeof db === 'string' ? { driver: 'sqlite', path: db, table: 'users' } : db;
  const config = { state_dir: '.ferry', connections: { users } };
  writeFileSync(join(dir, 'ferry.yaml'), JSON.stringify(config, null, 1));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(withImportBatch(content), null, 1));
  }
  return dir;
}

function withImportBatch(pipeline: unknown): unknown {
  const target = (pipeline as { target?: { connection?: unknown } }).target;
  return importBatch && target?.connection !== undefined ? { ...(pipeline as object), batch: importBatch } : pipeline;
}

/** Copies a SQLite database with its WAL, if one is left, so the copy holds every commit. */
export function copyDatabase(from: string, to: string): void {
  for (const suffix of ['', '-wal']) {
    rmSync(to + suffix, { force: true });
    if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
  }
}

/** One value from the sqlite3 CLI (for checks, never timed). */
export function sqliteValue(db: string, sql: string): string {
  const result = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`sqlite3 ${db} "${sql}": ${result.stderr}`);
  return result.stdout.trim();
}

/** Throws unless `count` lies in [min, max]: the baseline must have done its job too. */
export function expectBetween(what: string, count: number, min: number, max: number): void {
  if (!(count >= min && count <= max)) throw new Error(`${what}: expected ${min}…${max}, got ${count}`);
}

/** The sqlite3 CLI's string literal for a path inside a dot-command. */
export function quoted(path: string): string {
  return `"${path.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
