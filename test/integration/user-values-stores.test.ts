import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { TestProject } from '../helpers/project.js';

/*
 * Hostile `schema: user` records imported into a SQLite store and a PostgreSQL one: each job
 * succeeds, both refuse the same records for the same reasons, and what both stored reads back
 * (through an export) as the very values the file held. A value one store keeps and the other
 * refuses, or refuses only at write time, fails here.
 */
const passwordEnv = 'FERRY_TEST_PG_PASSWORD';

/** 1500 bytes as hex: deterministic, and as incompressible as random ids (PostgreSQL compresses repetitive index entries). */
const longId = Array.from({ length: 1500 }, (_, i) => ((i * 2654435761) >>> 24).toString(16).padStart(2, '0')).join('');

const RECORDS: Record<string, unknown>[] = [
  { email: 'nul-id@x.io', user_id: 'auth0|a\u0000b' },
  { email: 'nul-conn@x.io', connection: 'db\u0000' },
  { email: 'nul-pic@x.io', picture: 'https://x.io/a\u0000.png' },
  { email: 'long-id@x.io', user_id: longId },
  { email: 'max-id@x.io', user_id: longId.slice(0, 512) },
  { email: 'emoji-id@x.io', user_id: '😀'.repeat(512) },
  { email: 'nul-meta@x.io', user_metadata: { 'k\u0000': 'v\u0000', nested: [{ '\u0000': null }] } },
  { email: 'proto@x.io', user_metadata: JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}') as unknown },
  { email: 'names@x.io', given_name: '😀'.repeat(150), nickname: 'n'.repeat(350), name: 'Zoë 🏳️‍🌈' },
  { email: 'Ünïcode@Bücher.example', phone_number: '+999999999999999' },
  { email: 'a@xn--bcher-kva.example', connection: 'auth0|ünï' },
];

interface StoreResult {
  status: string;
  rejects: [string, string, string][];
  stored: Record<string, unknown>[];
}

describePostgres('schema: user values are kept alike by SQLite and PostgreSQL', () => {
  const server = usePostgresServer({ passwordEnv });
  const results: Record<string, StoreResult> = {};

  beforeAll(async () => {
    for (const kind of ['sqlite', 'postgres'] as const) {
      const p = new TestProject();
      try {
        if (kind === 'postgres') p.write('ferry.yaml', usersConnectionYaml(server(), await server().createDatabase(), passwordEnv));
        p.write('users.json', RECORDS);
        p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
        const columns = ['email', 'user_id', 'connection', 'picture', 'user_metadata', 'given_name', 'nickname', 'name', 'phone_number'];
        p.write('export.yaml', `source: { connection: users }\ntarget: { file: out.json }\ncolumns: { ${columns.map((c) => `${c}: ${c}`).join(', ')} }\n`);
        const { report } = p.run('import.yaml');
        const rejects = report.artifacts.rejects
          ? p.rejects(report).flatMap((r) => r.errors.map((e): [string, string, string] => [String((r.record as { email: string }).email), e.code, e.path]))
          : [];
        const exported = p.run('export.yaml');
        expect(exported.report.status).toBe('succeeded');
        const stored = JSON.parse(readFileSync(join(p.dir, exported.report.artifacts.output!), 'utf8')) as Record<string, unknown>[];
        results[kind] = { status: report.status, rejects: rejects.sort(), stored: stored.sort((a, b) => String(a['email']).localeCompare(String(b['email']))) };
      } finally {
        p.cleanup();
      }
    }
  });

  it('succeeds on both, refusing the same records at validation', () => {
    const expected: [string, string, string][] = [
      ['long-id@x.io', 'MAX_LENGTH', 'user_id'],
      ['nul-conn@x.io', 'FORMAT', 'connection'],
      ['nul-id@x.io', 'FORMAT', 'user_id'],
      ['nul-pic@x.io', 'FORMAT', 'picture'],
    ];
    for (const kind of ['sqlite', 'postgres']) {
      expect(results[kind]?.status, kind).toBe('succeeded');
      expect(results[kind]?.rejects, kind).toEqual(expected);
    }
  });

  it('stores every accepted record as the file held it, on both', () => {
    const refused = new Set(results['sqlite']!.rejects.map(([email]) => email));
    const expected = RECORDS.filter((r) => !refused.has(String(r['email'])))
      .map((r) => ({ ...r, email: String(r['email']).toLowerCase() }))
      .sort((a, b) => a.email.localeCompare(b.email));
    // Generated user_ids differ by job; the ones the file gave must be kept.
    const withoutGenerated = (rows: Record<string, unknown>[]) =>
      rows.map((row) => {
        const given = RECORDS.find((r) => String(r['email']).toLowerCase() === row['email']);
        const { user_id: id, ...rest } = row;
        return given && 'user_id' in given ? { ...rest, user_id: id } : rest;
      });
    expect(withoutGenerated(results['sqlite']!.stored)).toEqual(expected);
    expect(withoutGenerated(results['postgres']!.stored)).toEqual(expected);
  });
});
