import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sqliteConnection } from '../src/connections/sqlite.js';
import type { Connection, RowToWrite } from '../src/connections/types.js';
import { createMapper, type RecordMapper } from '../src/mapping/mapper.js';
import { csvSource } from '../src/sources/csv.js';
import type { FileSourceOptions, RangeReader, SourceRecord } from '../src/sources/types.js';
import { validateUser } from '../src/validation/user-schema.js';
import { CSV_COLUMNS } from './formats.js';

export interface StageTime {
  stage: string;
  seconds: number;
  /** Records per second this stage alone could sustain. */
  rate: number;
}

export interface StageBreakdown {
  records: number;
  stages: StageTime[];
  /** The stages one after the other in one process: no engine, journal, batching or rejects file. */
  totalRate: number;
}

/** Records handled per step, as run-batch.ts commits them. */
const CHUNK = 1000;

/**
 * Where an import's time goes, in-process, with the compiled modules the CLI runs: workload 1's
 * CSV scanned (the plan's pass), parsed, mapped by the 8 JSONata columns, validated with the user
 * rules, and written into an empty SQLite table — each stage timed apart, a chunk at a time.
 */
export async function stageBreakdown(csv: string, work: string, records: number): Promise<StageBreakdown> {
  const options: FileSourceOptions = { path: csv, format: 'csv', csv: { delimiter: ',', header: true, encoding: 'utf8' } };
  const times = { scan: 0, parse: 0, map: 0, validate: 0, write: 0 };
  let start = now();
  const scan = await csvSource.scan(options, records);
  times.scan = now() - start;
  const range = scan.batches[0];
  if (range === undefined) throw new Error(`no records in ${csv}`);
  const reader = csvSource.read(options, range, scan);
  const mapper = createMapper(CSV_COLUMNS as Record<string, string>, { id: 'bench-stages', pipeline: 'bench-stages', started_at: new Date().toISOString() });
  const db = join(work, 'stages.db');
  const connection = await sqliteConnection.open({ driver: 'sqlite', path: db, table: 'users' }, { baseDir: work });
  try {
    await connection.columns();
    for (let chunk = 0; ; chunk++) {
      start = now();
      const items = await nextChunk(reader);
      times.parse += now() - start;
      if (items.length === 0) break;
      const rows = await mapAndValidate(mapper, items, times);
      start = now();
      await connection.writeBatch({ job: 'bench-stages', batch: chunk, rows, key: ['email'], upsert: false, metadata: 'merge', now: new Date().toISOString() });
      times.write += now() - start;
    }
  } finally {
    await closeAndRemove(connection, db);
  }
  const total = Object.values(times).reduce((a, b) => a + b, 0);
  return {
    records,
    stages: Object.entries(times).map(([stage, seconds]) => ({ stage, seconds, rate: records / seconds })),
    totalRate: records / total,
  };
}

async function mapAndValidate(mapper: RecordMapper, items: SourceRecord[], times: { map: number; validate: number }): Promise<RowToWrite[]> {
  let start = now();
  const mapped: { row: number; values: Record<string, unknown> }[] = [];
  for (const item of items) {
    if ('record' in item) mapped.push({ row: item.row, values: (await mapper.map(item.record)).values });
  }
  times.map += now() - start;
  start = now();
  const rows = mapped.filter((m) => validateUser(m.values, { rejectUnknownFields: false }).length === 0);
  times.validate += now() - start;
  return rows;
}

async function nextChunk(reader: RangeReader): Promise<SourceRecord[]> {
  const items: SourceRecord[] = [];
  while (items.length < CHUNK) {
    const next = await reader.next();
    if (next.done) break;
    items.push(next.value);
  }
  return items;
}

async function closeAndRemove(connection: Connection, db: string): Promise<void> {
  await connection.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}
