import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from './cli.js';
import { TestProject, type JobReportJson } from './project.js';
import { temporalConfig } from './temporal-workers.js';

/**
 * The engine contract: the same project (pipelines, data, connections) in two folders, one on
 * `engine: embedded`, one on `engine: temporal` with real `ferry worker`s; a scenario runs the same
 * CLI commands in both and compares what a user sees: exit codes, summaries, tables, reject
 * reports, export files. Each scenario writes its own SQLite connection, so one worker serves all.
 */
export type EngineName = 'embedded' | 'temporal';

export class EnginePair {
  readonly embedded = new TestProject();
  readonly temporal = new TestProject();

  constructor(address: string, taskQueue: string, connections: string[], extraConfig = '') {
    const yaml = `connections:\n${connections.map((c) => `  ${c}: { driver: sqlite, path: .ferry/${c}.db }\n`).join('')}${extraConfig}`;
    this.embedded.write('ferry.yaml', `engine: embedded\n${yaml}`);
    this.temporal.write('ferry.yaml', temporalConfig(address, taskQueue, yaml));
    for (const p of this.both()) cpSync(join(repoRoot, 'pipelines', 'examples', 'data'), join(p.dir, 'data'), { recursive: true });
  }

  both(): [TestProject, TestProject] {
    return [this.embedded, this.temporal];
  }

  write(file: string, content: string | object): void {
    for (const p of this.both()) p.write(file, content);
  }

  /** `ferry run <file> --json` in both; the temporal run must report engine temporal. */
  run(file: string, ...flags: string[]): Record<EngineName, { code: number; report: JobReportJson; stderr: string }> {
    const embedded = this.embedded.run(file, ...flags);
    const temporal = this.temporal.run(file, ...flags);
    expect(temporal.report.engine, temporal.stderr).toBe('temporal');
    return { embedded, temporal };
  }

  /** `ferry <args>` in both, e.g. `jobs retry-rejects <id>` with each engine's own job id. */
  ferry(args: (engine: EngineName) => string[]): Record<EngineName, { code: number; stdout: string; stderr: string }> {
    return { embedded: this.embedded.ferry(...args('embedded')), temporal: this.temporal.ferry(...args('temporal')) };
  }

  /** Exit code, status and summary equal; the rest of the report (ids, folders) is per job. */
  expectSameRun(runs: Record<EngineName, { code: number; report: JobReportJson; stderr: string }>): void {
    expect(runs.temporal.code, runs.temporal.stderr).toBe(runs.embedded.code);
    expect(runs.temporal.report.status).toBe(runs.embedded.report.status);
    expect(runs.temporal.report.summary).toEqual(runs.embedded.report.summary);
    expect(rejectsOf(this.temporal, runs.temporal.report)).toEqual(rejectsOf(this.embedded, runs.embedded.report));
  }

  /** The table of `connection` in both, without what each run generates (user ids, timestamps). */
  expectSameTable(connection: string): Record<string, unknown>[] {
    const embedded = table(this.embedded, connection);
    expect(table(this.temporal, connection)).toEqual(embedded);
    return embedded;
  }

  expectSameFile(file: string): string {
    const embedded = readFileSync(join(this.embedded.dir, file), 'utf8');
    expect(readFileSync(join(this.temporal.dir, file), 'utf8')).toEqual(embedded);
    return embedded;
  }

  cleanup(): void {
    for (const p of this.both()) p.cleanup();
  }
}

export function table(p: TestProject, connection: string): Record<string, unknown>[] {
  return p.rows('SELECT * FROM users ORDER BY email', `.ferry/${connection}.db`).map((row) => {
    const { user_id: _id, created_at: _c, updated_at: _u, ...rest } = row;
    return rest;
  });
}

/** The reject report as written (row, masked record, errors); empty when the job wrote none. */
export function rejectsOf(p: TestProject, report: JobReportJson): unknown[] {
  if (!report.artifacts.rejects || !existsSync(join(p.dir, report.artifacts.rejects))) return [];
  return p.rejects(report);
}
