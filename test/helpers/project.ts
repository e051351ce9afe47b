import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runFerry, tempDir, type CliResult } from './cli.js';

/** A throwaway Ferry project folder: write files, run the CLI in it, read its store and reports. */
export class TestProject {
  readonly dir: string;
  readonly cleanup: () => void;

  constructor() {
    const t = tempDir('ferry-project-');
    this.dir = t.dir;
    this.cleanup = t.cleanup;
  }

  write(file: string, content: string | object): string {
    const path = join(this.dir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
    return path;
  }

  ferry(...args: string[]): CliResult {
    return runFerry(args, { cwd: this.dir });
  }

  /** `ferry run <pipeline> --json`, parsed; fails the test with the CLI's stderr when stdout is not JSON. */
  run(pipeline: string, ...flags: string[]): { code: number; report: JobReportJson; stderr: string } {
    const result = this.ferry('run', pipeline, '--json', ...flags);
    try {
      return { code: result.code, report: JSON.parse(result.stdout) as JobReportJson, stderr: result.stderr };
    } catch {
      throw new Error(`ferry run printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
  }

  rows(sql: string, db = '.ferry/users.db'): Record<string, unknown>[] {
    const conn = new Database(join(this.dir, db), { readonly: true });
    try {
      return conn.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      conn.close();
    }
  }

  /** Holds the store's write lock from another connection, as another writer would; call the result to let go. */
  lockStore(db = '.ferry/users.db'): () => void {
    const conn = new Database(join(this.dir, db));
    conn.exec('BEGIN IMMEDIATE');
    return () => {
      conn.exec('COMMIT');
      conn.close();
    };
  }

  rejects(report: JobReportJson): { row: number; record: unknown; errors: { code: string; path: string; message: string }[] }[] {
    const text = readFileSync(join(this.dir, report.artifacts.rejects!), 'utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as never);
  }
}

export interface JobReportJson {
  job: string;
  pipeline: string;
  engine: string;
  status: string;
  summary: { total: number; inserted: number; updated: number; unchanged: number; rejected: number; exported: number };
  /** `run --sample`: the row limit of the export. */
  sample?: number;
  artifacts: { dir: string; rejects: string | null; output: string | null };
  /** A failed job's error. */
  error?: { message: string; code: string; batch: number | null };
}

/** `errors` of a reject as [code, path] pairs, the shape most assertions need. */
export const codes = (reject: { errors: { code: string; path: string }[] }): [string, string][] => reject.errors.map((e) => [e.code, e.path]);

/** Imports three users into `p`'s users store, the second rejected (email `bad`): the job's id, for a retry of its rejects. */
export function importWithOneReject(p: TestProject): string {
  p.write('u.json', [
    { email: 'a@x.io', given_name: 'Ann' },
    { email: 'bad', given_name: 'Bob' },
    { email: 'c@x.io', given_name: 'Cy' },
  ]);
  p.write('p.yaml', 'source: { file: u.json }\ntarget: { connection: users }\n');
  return p.run('p.yaml').report.job;
}
