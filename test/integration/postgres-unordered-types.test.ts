import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { TestProject } from '../helpers/project.js';

/**
 * The CLI on a PostgreSQL table of types with no equality or order of their own (point, xml, a
 * composite type): `ferry validate` passed a query on one and the job then failed at planning
 * ("operator does not exist: point = unknown"); an upsert of such a row failed its whole batch.
 */
const passwordEnv = 'FERRY_TEST_PG_PASSWORD';

describePostgres('postgres columns of types without an order, through the CLI', () => {
  const server = usePostgresServer({ passwordEnv });
  let p: TestProject | undefined;
  let db: pg.Client | undefined;

  afterEach(async () => {
    await db?.end();
    p?.cleanup();
  });

  async function project(): Promise<TestProject> {
    const database = await server().createDatabase();
    db = await rawClient(server().url(database));
    await db.query(`CREATE TYPE address AS (street text, zip int);
      CREATE TABLE shapes (id int PRIMARY KEY, pt point, doc xml, home address, pts point[]);
      INSERT INTO shapes VALUES (1, '(1,2)', '<a>1</a>', '("Main St",1)', '{"(1,2)","(3,4)"}'), (2, '(3,4)', '<b/>', '(Elm,2)', NULL)`);
    p = new TestProject();
    p.write('ferry.yaml', usersConnectionYaml(server(), database, passwordEnv).replace('table: users', 'table: shapes'));
    return p;
  }

  const exportYaml = (query: string): string =>
    `source:\n  connection: users\n  query: '${query}'\ntarget:\n  file: out.ndjson\ncolumns:\n  id: id\n  pt: pt\n  doc: doc\n  home: home\n  pts: pts\n`;

  it('validate refuses a range or a value the type refuses at its place in the query; run does the same before any job', async () => {
    const p = await project();
    p.write('range.yaml', exportYaml('id:1 AND doc:[a TO b]'));
    const range = p.ferry('validate', 'range.yaml');
    expect(range.code).toBe(1);
    expect(range.stdout + range.stderr).toContain('range.yaml:3:24 source.query: ranges do not apply to doc: its type, xml, has no order in PostgreSQL');
    p.write('value.yaml', exportYaml('home:x'));
    const value = p.ferry('validate', 'value.yaml');
    expect(value.code).toBe(1);
    expect(value.stdout + value.stderr).toMatch(/value\.yaml:3:\d+ source\.query: home: the store refuses this value: malformed record literal: "x"/);
    const run = p.ferry('run', 'range.yaml');
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('ranges do not apply to doc');
    expect(run.stdout + run.stderr).not.toMatch(/operator does not exist|started/);
  }, 60_000);

  it('an export by a point, an xml value or a composite writes them as the server gives them', async () => {
    const p = await project();
    p.write('export.yaml', exportYaml('pt:"(1, 2)" OR doc:"<b/>" OR home:"(Elm,2)"'));
    expect(p.ferry('validate', 'export.yaml').code).toBe(0);
    const { code, report } = p.run('export.yaml');
    expect(code, JSON.stringify(report)).toBe(0);
    const lines = readFileSync(join(p.dir, 'out.ndjson'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { id: 1, pt: '(1,2)', doc: '<a>1</a>', home: '("Main St",1)', pts: ['(1,2)', '(3,4)'] },
      { id: 2, pt: '(3,4)', doc: '<b/>', home: '(Elm,2)' },
    ]);
  }, 60_000);

  it('an upsert writes such values, and a value the server refuses rejects its row at its column', async () => {
    const p = await project();
    p.write('in.csv', 'id,pt,doc,home\n1,"(5, 6)",<c/>,"(Oak,3)"\n2,nowhere,,\n3,,<unclosed,\n');
    p.write('import.yaml', 'source: { file: in.csv }\ntarget: { connection: users, key: [id], upsert: true }\nvalidate: { schema: none, max_rejects: 100% }\n');
    const { code, report } = p.run('import.yaml');
    expect(code, JSON.stringify(report)).toBe(0);
    expect(report.summary).toMatchObject({ updated: 1, rejected: 2 });
    expect(p.rejects(report).map((r) => [r.row, r.errors.map((e) => [e.code, e.path])])).toEqual([
      [2, [['INVALID_TYPE', 'pt']]],
      [3, [['INVALID_TYPE', 'doc']]],
    ]);
    const { rows } = await db!.query('SELECT id, pt::text, doc::text, home::text FROM shapes ORDER BY id');
    expect(rows).toEqual([
      { id: 1, pt: '(5,6)', doc: '<c/>', home: '(Oak,3)' },
      { id: 2, pt: '(3,4)', doc: '<b/>', home: '(Elm,2)' },
    ]);
  }, 60_000);
});
