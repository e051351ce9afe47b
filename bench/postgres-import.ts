import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { openPostgres } from '../src/connections/postgres/open.js';
import { postgresUsersTableDialect } from '../src/connections/postgres/schema.js';
import type { WritePath } from '../src/connections/postgres/write.js';
import type { RowToWrite } from '../src/connections/types.js';
import { textArray } from '../src/connections/postgres/context.js';
import { generateUserId, usersTableDdl } from '../src/connections/users-table.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../test/helpers/postgres-server.js';
import { copyIn, copyText } from './postgres-copy.js';

/**
 * Imports N users (default 1M) into the built-in users table of a throwaway PostgreSQL cluster
 * (durable settings: fsync and synchronous_commit on), in batches of 1000, and measures in one run:
 * - Ferry's `set` write path (what ferry.yaml gets) through Connection.writeBatch, at each parallelism,
 *   each right after `psql \copy` of the same users as CSV into a table with the same unique indexes
 *   (pairs measured back to back, so a machine whose load changes during the run compares like with like);
 * - Ferry's `rows` path (one row at a time in savepoints: the single-row baseline) on a sample;
 * - the insert statement alone over three transports — UNNEST arrays (the driver's), multi-row
 *   VALUES, COPY into a temp table then INSERT … SELECT — without Ferry's bookkeeping.
 * Usage: node <build>/bench/postgres-import.js [--rows N] [--sample N] [--batch N] [--parallel 1,4] [--transports N]
 */

export interface ImportBenchOptions {
  rows: number;
  sample: number;
  batch: number;
  parallel: number[];
  /** Rows for each transport of the insert-only comparison (0 skips it). */
  transports: number;
}

export interface ImportBenchResult {
  name: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** For a Ferry import: its rows/s over the `psql \copy` measured just before it. */
  ofCopy?: number;
}

const now = '2026-01-01T00:00:00.000Z';
const csvColumns = [
  'user_id',
  'email',
  'email_verified',
  'given_name',
  'family_name',
  'name',
  'nickname',
  'user_metadata',
  'app_metadata',
  'created_at',
  'updated_at',
];

export async function benchPostgresImport(options: ImportBenchOptions, report: (r: ImportBenchResult) => void = () => undefined): Promise<ImportBenchResult[]> {
  const server = await startPostgres({ durable: true });
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-pg-'));
  const results: ImportBenchResult[] = [];
  const record = (r: ImportBenchResult) => {
    results.push(r);
    report(r);
  };
  try {
    const csv = writeCsv(join(dir, 'users.csv'), options.rows);
    for (const parallel of options.parallel) {
      const copy = await psqlCopy(server, csv, options.rows, 'psql \\copy');
      record(copy);
      const ferry = await ferryImport(server, 'set', options.rows, options.batch, parallel);
      record({ ...ferry, ofCopy: ferry.rowsPerSecond / copy.rowsPerSecond });
    }
    if (options.sample > 0) record(await ferryImport(server, 'rows', options.sample, options.batch, 1));
    if (options.transports > 0) for (const result of await insertOnly(server, options.transports, options.batch)) record(result);
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

/** The i-th user as a pipeline maps it (what writeBatch receives); user_id and timestamps are Ferry's. */
function user(i: number): Record<string, unknown> {
  return {
    email: `user${i}@example.com`,
    email_verified: i % 3 === 0,
    given_name: `Given${i}`,
    family_name: `Family${(i * 7919) % 1000}`,
    name: `Given${i} Family${(i * 7919) % 1000}`,
    nickname: `user${i}`,
    user_metadata: {
      plan: ['free', 'pro', 'team'][i % 3],
      locale: i % 5 === 0 ? 'fr-FR' : 'en-US',
      tags: i % 2 === 0 ? ['a', 'b'] : [],
      prefs: { theme: i % 2 ? 'dark' : 'light' },
    },
    app_metadata: { source: 'bench', tier: i % 4 },
  };
}

/** The stored columns of the i-th user, as text, in `csvColumns` order. */
function storedUser(i: number): (string | null)[] {
  const u = user(i);
  const email = u['email'] as string;
  const text = (v: unknown) => (typeof v === 'object' ? JSON.stringify(v) : String(v));
  return [
    generateUserId('bench-copy', now, i + 1),
    email,
    ...['email_verified', 'given_name', 'family_name', 'name', 'nickname', 'user_metadata', 'app_metadata'].map((c) => text(u[c])),
    now,
    now,
  ];
}

function writeCsv(path: string, rows: number): string {
  const fd = openSync(path, 'w');
  try {
    const quote = (v: string | null) => (v === null ? '' : `"${v.replaceAll('"', '""')}"`);
    for (let start = 0; start < rows; start += 10_000) {
      const lines: string[] = [];
      for (let i = start; i < Math.min(rows, start + 10_000); i++) lines.push(`${storedUser(i).map(quote).join(',')}\n`);
      writeSync(fd, lines.join(''));
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

async function freshDatabase(server: PostgresServer): Promise<string> {
  return server.url(await server.createDatabase());
}

async function psqlCopy(server: PostgresServer, csv: string, rows: number, name: string): Promise<ImportBenchResult> {
  const url = await freshDatabase(server);
  const client = new pg.Client(url);
  await client.connect();
  for (const sql of usersTableDdl('copy_users', postgresUsersTableDialect)) await client.query(sql);
  await client.end();
  const availability = postgresAvailable();
  const psql = availability.ok ? join(availability.bin, 'psql') : 'psql';
  const command = `\\copy copy_users (${csvColumns.join(', ')}) FROM '${csv}' WITH (FORMAT csv)`;
  const started = performance.now();
  // The password goes in PGPASSWORD, not on the command line.
  const result = spawnSync(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url.replace(`:${encodeURIComponent(server.password)}@`, '@'), '-c', command], {
    env: { ...process.env, PGPASSWORD: server.password },
    encoding: 'utf8',
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return { name, rows, seconds, rowsPerSecond: rows / seconds };
}

async function ferryImport(server: PostgresServer, path: WritePath, rows: number, size: number, parallel: number): Promise<ImportBenchResult> {
  const connection = await openPostgres({ driver: 'postgres', url: await freshDatabase(server), table: 'users', pool: parallel }, path);
  try {
    await connection.columns();
    const batches = Math.ceil(rows / size);
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      for (let b = next++; b < batches; b = next++) {
        const batchRows: RowToWrite[] = [];
        for (let i = b * size; i < Math.min(rows, (b + 1) * size); i++) batchRows.push({ row: i + 1, values: user(i) });
        const out = await connection.writeBatch({ job: 'bench', batch: b, rows: batchRows, key: ['email'], upsert: false, metadata: 'merge', now });
        if (out.inserted !== batchRows.length) throw new Error(`batch ${b}: ${JSON.stringify(out).slice(0, 300)}`);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    const seconds = (performance.now() - started) / 1000;
    return { name: `ferry ${path} path, parallelism ${parallel}`, rows, seconds, rowsPerSecond: rows / seconds };
  } finally {
    await connection.close();
  }
}

const transports = ['unnest', 'values', 'copy-temp'] as const;
type Transport = (typeof transports)[number];

/**
 * The insert statement alone, one transaction per batch, each transport into its own copy of the
 * table: which carries rows fastest. Interleaved batch by batch (in rotating order), so a change of
 * load on the machine during the run weighs on all three alike.
 */
async function insertOnly(server: PostgresServer, rows: number, size: number): Promise<ImportBenchResult[]> {
  const client = new pg.Client(await freshDatabase(server));
  await client.connect();
  try {
    for (const transport of transports) for (const sql of usersTableDdl(tableOf(transport), postgresUsersTableDialect)) await client.query(sql);
    const types = ['text', 'text', 'boolean', 'text', 'text', 'text', 'text', 'jsonb', 'jsonb', 'timestamptz', 'timestamptz'];
    const seconds = new Map<Transport, number>(transports.map((t) => [t, 0]));
    for (let start = 0, n = 0; start < rows; start += size, n++) {
      const batch = Array.from({ length: Math.min(size, rows - start) }, (_, k) => storedUser(start + k));
      for (let t = 0; t < transports.length; t++) {
        const transport = transports[(n + t) % transports.length]!;
        const started = performance.now();
        await client.query('BEGIN');
        await insertWith(client, transport, batch, types);
        await client.query('COMMIT');
        seconds.set(transport, (seconds.get(transport) ?? 0) + (performance.now() - started) / 1000);
      }
    }
    return transports.map((t) => ({ name: `insert only: ${t}`, rows, seconds: seconds.get(t) ?? 0, rowsPerSecond: rows / (seconds.get(t) ?? 1) }));
  } finally {
    await client.end();
  }
}

function tableOf(transport: Transport): string {
  return `users_${transport.replace('-', '_')}`;
}

async function insertWith(client: pg.Client, transport: Transport, batch: (string | null)[][], types: string[]): Promise<void> {
  const names = csvColumns.join(', ');
  const table = tableOf(transport);
  if (transport === 'unnest') {
    const from = `unnest(${types.map((_, k) => `$${k + 1}::text[]`).join(', ')}) AS u(${types.map((_, k) => `v${k}`).join(', ')})`;
    const text = `INSERT INTO ${table} (${names}) SELECT ${types.map((t, k) => `u.v${k}::${t}`).join(', ')} FROM ${from}`;
    await client.query({ name: 'bench_unnest', text, values: types.map((_, k) => textArray(batch.map((r) => r[k] ?? null))) });
  } else if (transport === 'values') {
    const tuples = batch.map((_, i) => `(${types.map((t, k) => `$${i * types.length + k + 1}::${t}`).join(', ')})`);
    await client.query({ text: `INSERT INTO ${table} (${names}) VALUES ${tuples.join(', ')}`, values: batch.flat() });
  } else {
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS batch_rows (LIKE ${table}) ON COMMIT DELETE ROWS`);
    await copyIn(client, `COPY batch_rows (${names}) FROM STDIN`, batch.map((r) => `${r.map(copyText).join('\t')}\n`).join(''));
    await client.query(`INSERT INTO ${table} (${names}) SELECT ${names} FROM batch_rows`);
  }
}

function parseArgs(argv: string[]): ImportBenchOptions {
  const value = (flag: string, fallback: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
  };
  return {
    rows: Number(value('--rows', '1000000')),
    sample: Number(value('--sample', '20000')),
    batch: Number(value('--batch', '1000')),
    parallel: value('--parallel', '1,4').split(',').map(Number),
    transports: Number(value('--transports', '1000000')),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = parseArgs(process.argv.slice(2));
  const line = (r: ImportBenchResult) => {
    const ratio = r.ofCopy === undefined ? '' : `  (${Math.round(r.ofCopy * 100)}% of the \\copy before it)`;
    console.log(
      `${r.name.padEnd(34)} ${String(r.rows).padStart(8)} rows ${r.seconds.toFixed(1).padStart(7)} s ${Math.round(r.rowsPerSecond).toString().padStart(8)} rows/s${ratio}`,
    );
  };
  const results = await benchPostgresImport(options, line);
  console.log(JSON.stringify({ bench: 'postgres-import', options, results }));
}
