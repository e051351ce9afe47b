import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openPostgres } from '../../src/connections/postgres/open.js';
import { runFerry } from '../helpers/cli.js';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { TestProject } from '../helpers/project.js';

/**
 * An export from PostgreSQL sorted by a JSON path whose numbers a double cannot hold (jsonb keeps
 * every digit): the job plans its pages by cursors kept in plan.json, and each batch reads between
 * two of them. A cursor that held the double read a tie group of such values as nothing on one page
 * and all again on a later one, so the file lost some users and held others twice.
 */
describePostgres('an export sorted by JSON numbers beyond a double', () => {
  const server = usePostgresServer({ passwordEnv: 'FERRY_TEST_PG_PASSWORD' });
  const project = new TestProject();
  afterAll(() => project.cleanup());

  it('writes each user once, in order, in batches of 1 and 2', async () => {
    const database = await server().createDatabase();
    const store = await openPostgres({ driver: 'postgres', url: server().url(database), table: 'users', pool: 1 });
    await store.columns();
    await store.close();
    const raw = await rawClient(server().url(database));
    const numbers = [
      '9007199254740993',
      '9007199254740992',
      '9007199254740993',
      '0.10000000000000000001',
      '0.1',
      '9007199254740993',
      '12345678901234567890123',
    ];
    try {
      for (const [i, n] of numbers.entries()) {
        await raw.query(`INSERT INTO users (user_id, user_metadata) VALUES ($1, $2::jsonb)`, [`u${i}`, `{"n": ${n}}`]);
      }
    } finally {
      await raw.end();
    }
    // Ascending: 0.1, 0.1…01, 2^53, then the ties of 2^53 + 1 by user_id, then the largest.
    const expected = ['u4', 'u3', 'u1', 'u0', 'u2', 'u5', 'u6'];
    project.write('ferry.yaml', usersConnectionYaml(server(), database, 'FERRY_TEST_PG_PASSWORD'));
    for (const size of [1, 2]) {
      project.write(
        `export-${size}.yaml`,
        `source:\n  connection: users\n  sort: { by: user_metadata.n }\ntarget:\n  file: out/${size}.csv\ncolumns: { id: user_id }\nbatch: { size: ${size} }\n`,
      );
      const result = runFerry(['run', `export-${size}.yaml`, '--json'], { cwd: project.dir });
      expect(result.code, result.stderr).toBe(0);
      const ids = readFileSync(join(project.dir, `out/${size}.csv`), 'utf8')
        .trim()
        .split(/\r\n/)
        .slice(1);
      expect(ids, `batches of ${size}`).toEqual(expected);
    }
  });
});
