import { afterEach, beforeAll, expect, it } from 'vitest';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { TestProject } from '../helpers/project.js';

/** line:col (1-based) of `needle` in `text`. */
function where(text: string, needle: string): string {
  const offset = text.indexOf(needle);
  if (offset === -1) throw new Error(`${needle} not in the text`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

/**
 * A column of a type PostgreSQL parses itself (uuid, an enum, inet) is text to Ferry: a mistyped
 * value in an export's query passed validate and failed the job at planning ("invalid input syntax
 * for type uuid"). validate and the run's pre-flight ask the store, at each value's position.
 */
describePostgres('validate finds the query values a PostgreSQL column type refuses', () => {
  const server = usePostgresServer({ passwordEnv: 'FERRY_TEST_VALUES_PW' });
  let database = '';
  let p: TestProject;
  beforeAll(async () => {
    database = await server().createDatabase();
    const raw = await rawClient(server().url(database));
    await raw.query(`CREATE TYPE mood AS ENUM ('sad', 'happy');
      CREATE TABLE legacy (id uuid PRIMARY KEY, email text, m mood, ip inet, n int);
      INSERT INTO legacy VALUES ('8f14e45f-ceea-467f-a0e6-5b7b3c1b4e2a', 'a@example.com', 'happy', '10.0.0.1', 1)`);
    await raw.end();
  });
  afterEach(() => p?.cleanup());

  function project(query: string): { text: string } {
    p = new TestProject();
    const url = `postgres://${server().user}:\${FERRY_TEST_VALUES_PW}@127.0.0.1:${server().port}/${database}`;
    p.write('ferry.yaml', `connections:\n  pg: { driver: postgres, url: "${url}", table: legacy }\n`);
    const text = `source:\n  connection: pg\n  query: ${query}\ntarget:\n  file: out/users.csv\n`;
    p.write('pipelines/export.yaml', text);
    return { text };
  }

  it('reports a mistyped uuid, enum and inet value at its character, escaped in YAML, and run refuses the pipeline', () => {
    const { text } = project(`"email:\\"a@example.com\\" AND (id:\\"8f14e45f-ceea-467f-a0e6-5b7b3c1b4e2\\" OR m:hapy) AND ip:[10.0.0.0 TO 10.0.0.300]"`);
    const r = p.ferry('validate');
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      `pipelines/export.yaml:${where(text, '\\"8f14')} source.query: id: the store refuses this value: invalid input syntax for type uuid: "8f14e45f-ceea-467f-a0e6-5b7b3c1b4e2"`,
      `pipelines/export.yaml:${where(text, 'hapy')} source.query: m: the store refuses this value: invalid input value for enum mood: "hapy"`,
      `pipelines/export.yaml:${where(text, '10.0.0.300')} source.query: ip: the store refuses this value: invalid input syntax for type inet: "10.0.0.300"`,
    ]);
    expect(r.stdout + r.stderr).not.toContain(process.env['FERRY_TEST_VALUES_PW']);
    const run = p.ferry('run', 'pipelines/export.yaml');
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toContain('invalid input syntax for type uuid');
    expect(run.stdout + run.stderr).not.toContain('started');
  });

  it('says nothing of values the store takes, a wildcard, or a query of 300 values', () => {
    const ids = Array.from({ length: 300 }, (_, i) => `id:00000000-0000-0000-0000-${String(i).padStart(12, '0')}`).join(' OR ');
    project(`'id:8F14E45F-CEEA-467F-A0E6-5B7B3C1B4E2A OR m:sad OR ip:10.0.0.1* OR n:[1 TO 5] OR ${ids}'`);
    expect(p.ferry('validate')).toMatchObject({ code: 0, stdout: 'ok pipelines/export.yaml\n' });
  });

  it('finds the one value refused among 300', () => {
    const ids = Array.from({ length: 300 }, (_, i) => `id:00000000-0000-0000-0000-${String(i).padStart(12, '0')}`);
    ids[217] = 'id:00000000-0000-0000-0000-00000000021x';
    const { text } = project(`'${ids.join(' OR ')}'`);
    const r = p.ferry('validate');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `pipelines/export.yaml:${where(text, '00000000-0000-0000-0000-00000000021x')} source.query: id: the store refuses this value: invalid input syntax for type uuid`,
    );
  });
});
