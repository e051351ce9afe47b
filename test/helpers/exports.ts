import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TestProject } from './project.js';

/**
 * Users with ties and NULLs in the sort columns, every value fixed (ids and timestamps too) so the
 * export files can be compared byte for byte.
 */
export const SEED: Record<string, unknown>[] = [
  {
    user_id: 'u1',
    email: 'ada@x.io',
    given_name: 'Ada',
    family_name: 'Lovelace',
    nickname: 'ada',
    name: 'Ada Lovelace',
    email_verified: true,
    picture: 'https://x.io/ada.png',
    connection: 'db',
    created_at: '2024-01-03T00:00:00.000Z',
    updated_at: '2024-02-01T00:00:00.000Z',
    user_metadata: { plan: 'pro', score: 3 },
    app_metadata: { roles: ['admin'] },
  },
  {
    user_id: 'u2',
    email: 'bob@x.io',
    given_name: 'Bob',
    family_name: "O'Neil, Jr.",
    email_verified: false,
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-01-01T00:00:00.000Z',
    user_metadata: { plan: 'free', score: 3 },
  },
  {
    user_id: 'u3',
    email: 'cy@x.io',
    given_name: 'Cy',
    family_name: 'Say "hi"',
    nickname: '=HYPERLINK("http://evil")',
    created_at: '2024-01-02T00:00:00.000Z',
    updated_at: '2024-01-02T00:00:00.000Z',
    user_metadata: { plan: 'pro', score: 1, tags: ['a', 'b'] },
  },
  { user_id: 'u4', email: 'dee@x.io', given_name: 'Dee', nickname: 'dee', created_at: '2024-01-02T00:00:00.000Z', updated_at: '2024-01-02T00:00:00.000Z' },
  {
    user_id: 'u5',
    email: 'eve@x.io',
    given_name: 'Eve',
    nickname: 'ada',
    created_at: '2024-01-03T00:00:00.000Z',
    updated_at: '2024-01-03T00:00:00.000Z',
    user_metadata: { plan: null, score: 7 },
  },
];

/** Imports `users` into the project's store with `ferry run`, as a user would. */
export function seed(p: TestProject, users: Record<string, unknown>[] = SEED): void {
  p.write('seed/users.json', users);
  p.write('seed.yaml', 'source: { file: seed/users.json }\ntarget: { connection: users }\n');
  const { code, report } = p.run('seed.yaml');
  expect(code).toBe(0);
  expect(report.summary).toMatchObject({ inserted: users.length, rejected: 0 });
}

/** An export pipeline: source (query, sort), target file, and the rest (columns, batch…) as YAML lines. */
export function exportPipeline(options: { file: string; query?: string; sort?: string; extra?: string; target?: string }): string {
  const query = options.query === undefined ? '' : `  query: '${options.query}'\n`;
  const sort = options.sort === undefined ? '' : `  sort: ${options.sort}\n`;
  return `source:\n  connection: users\n${query}${sort}target:\n  file: ${options.file}\n${options.target ?? ''}${options.extra ?? ''}`;
}

export function read(p: TestProject, file: string): string {
  return readFileSync(join(p.dir, file), 'utf8');
}

/** `out/users-{date}.csv` as the job wrote it: today's date is the job's start (UTC). */
export function dated(template: string, report: { job: string }): string {
  const stamp = /-(\d{4})(\d{2})(\d{2})T\d{6}-[0-9a-f]{12}$/.exec(report.job);
  if (!stamp) throw new Error(`not a job id: ${report.job}`);
  return template.replace('{date}', `${stamp[1]}-${stamp[2]}-${stamp[3]}`);
}

export const HEADER = 'user_id,given_name,family_name,nickname,name,email,email_verified,picture,connection,created_at,updated_at';
