import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { rawClient } from '../helpers/postgres-raw.js';

/**
 * Values another tool stored that Ferry would never write: bytes (a SQLite BLOB, a PostgreSQL
 * bytea), integers beyond ±2^53, Infinity. An export writes each exactly (bytes that are UTF-8 as
 * their text, an integer as its digits) or rejects the row at the column; never a made-up value
 * such as `{"type":"Buffer","data":[…]}`. An upsert and its rollback keep the bytes byte for byte.
 */
describe('values another tool stored in the SQLite store', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  function seeded(): void {
    p = new TestProject();
    p.write(
      'seed.ndjson',
      '{"user_id":"u1","email":"a@x.io","name":"Ann","user_metadata":{"a":1}}\n{"user_id":"u2","email":"b@x.io"}\n{"user_id":"u3","email":"c@x.io"}\n',
    );
    p.write('seed.yaml', 'source: { file: seed.ndjson }\ntarget: { connection: users, key: [email] }\n');
    expect(p.run('seed.yaml').report.summary).toMatchObject({ inserted: 3 });
    const db = new Database(join(p.dir, '.ferry/users.db'));
    // As `sqlite3` would: X'416e6e' is "Ann" as bytes; X'00ff' is no text at all.
    db.exec("UPDATE users SET name = X'416e6e', user_metadata = X'00ff' WHERE user_id = 'u1'");
    db.exec("UPDATE users SET name = X'c3a9', logins_count = 9007199254740993, user_metadata = X'7b2262223a327d' WHERE user_id = 'u2'");
    db.exec("UPDATE users SET logins_count = 1e999 WHERE user_id = 'u3'");
    db.close();
  }

  it('an export writes UTF-8 bytes as text and big integers as digits, and rejects bytes that are no text and Infinity at their column', () => {
    seeded();
    p.write(
      'export.yaml',
      "source: { connection: users, query: '*', sort: { by: user_id } }\ntarget: { file: out/users.ndjson }\ncolumns: { id: user_id, name: name, meta: user_metadata, logins: logins_count }\n",
    );
    const { report } = p.run('export.yaml');
    expect(report.summary).toMatchObject({ total: 3, exported: 1, rejected: 2 });
    expect(readFileSync(join(p.dir, 'out/users.ndjson'), 'utf8')).toBe('{"id":"u2","name":"é","meta":{"b":2},"logins":"9007199254740993"}\n');
    expect(p.rejects(report).map((r) => [r.row, r.errors])).toEqual([
      [
        1,
        [
          {
            code: 'FORMAT',
            path: 'user_metadata',
            message: expect.stringMatching(/^stored user_metadata is 2 bytes of binary data \(a BLOB, x'00ff'\) that are not UTF-8 text/),
          },
        ],
      ],
      [3, [{ code: 'FORMAT', path: 'logins_count', message: expect.stringContaining('stored logins_count is Infinity') }]],
    ]);
    // A mapping that leaves the bytes out exports the row.
    p.write(
      'names.yaml',
      "source: { connection: users, query: '*', sort: { by: user_id } }\ntarget: { file: out/names.csv }\ncolumns: { id: user_id, name: name }\n",
    );
    expect(p.run('names.yaml').report.summary).toMatchObject({ exported: 3, rejected: 0 });
    expect(readFileSync(join(p.dir, 'out/names.csv'), 'utf8')).toBe('id,name\r\nu1,Ann\r\nu2,é\r\nu3,\r\n');
  });

  it("a query on a JSON path of a column holding bytes that are no JSON fails saying so (SQLite's words alone were 'malformed JSON')", () => {
    seeded();
    p.write('query.yaml', "source: { connection: users, query: 'user_metadata.b:2' }\ntarget: { file: out/q.ndjson }\ncolumns: { id: user_id }\n");
    const { code, report } = p.run('query.yaml');
    expect(code).toBe(1);
    expect(JSON.stringify(report)).toContain('holds a value that is not JSON text in some row, which another tool stored; find it with SELECT rowid FROM');
  });

  it('an upsert replaces bytes it cannot merge into, and its rollback puts every byte back', () => {
    seeded();
    p.write('update.ndjson', '{"user_id":"u1","email":"a@x.io","name":"New","user_metadata":{"b":2}}\n');
    p.write('update.yaml', 'source: { file: update.ndjson }\ntarget: { connection: users, key: [user_id], upsert: true, metadata: merge }\n');
    const { report } = p.run('update.yaml');
    expect(report.summary).toMatchObject({ updated: 1, rejected: 0 });
    // Not `{"0":0,"1":255,"b":2}`: the bytes were never an object.
    expect(p.rows("SELECT name, user_metadata FROM users WHERE user_id = 'u1'")).toEqual([{ name: 'New', user_metadata: '{"b":2}' }]);
    expect(p.ferry('jobs', 'rollback', report.job).code).toBe(0);
    expect(p.rows("SELECT typeof(name) AS t, hex(name) AS name, hex(user_metadata) AS meta FROM users WHERE user_id = 'u1'")).toEqual([
      { t: 'blob', name: '416E6E', meta: '00FF' },
    ]);
  });

  it('TEXT whose bytes are not UTF-8 is rejected at its column by an export (it was written with U+FFFD), and a rollback puts its bytes back', () => {
    seeded();
    const db = new Database(join(p.dir, '.ferry/users.db'));
    // `sqlite3` stores such text without a check; a real U+FFFD (EF BF BD) is text like any other.
    db.exec("UPDATE users SET nickname = CAST(X'41ff42' AS TEXT), family_name = CAST(X'efbfbd' AS TEXT) WHERE user_id = 'u1'");
    db.exec("UPDATE users SET nickname = CAST(X'efbfbd' AS TEXT) WHERE user_id = 'u2'");
    db.close();
    p.write(
      'export.yaml',
      "source: { connection: users, query: '*', sort: { by: user_id } }\ntarget: { file: out/nick.ndjson }\ncolumns: { id: user_id, nick: nickname, family: family_name }\n",
    );
    const { report } = p.run('export.yaml');
    expect(report.summary).toMatchObject({ exported: 2, rejected: 1 });
    expect(readFileSync(join(p.dir, 'out/nick.ndjson'), 'utf8')).toBe('{"id":"u2","nick":"\ufffd"}\n{"id":"u3"}\n');
    expect(p.rejects(report).map((r) => [r.row, r.errors])).toEqual([
      [1, [{ code: 'FORMAT', path: 'nickname', message: expect.stringMatching(/^stored nickname is text whose bytes are not UTF-8 \(3 bytes, x'41ff42'\)/) }]],
    ]);

    p.write('update.ndjson', '{"user_id":"u1","email":"a@x.io","nickname":"ann"}\n');
    p.write('update.yaml', 'source: { file: update.ndjson }\ntarget: { connection: users, key: [user_id], upsert: true }\n');
    const update = p.run('update.yaml').report;
    expect(update.summary).toMatchObject({ updated: 1 });
    expect(p.ferry('jobs', 'rollback', update.job).code).toBe(0);
    expect(p.rows("SELECT typeof(nickname) AS t, hex(nickname) AS nick, hex(family_name) AS family FROM users WHERE user_id = 'u1'")).toEqual([
      { t: 'text', nick: '41FF42', family: 'EFBFBD' },
    ]);
  });

  it('a rollback puts a stored Infinity back (the backup held null, and the rollback stored NULL)', () => {
    seeded();
    const db = new Database(join(p.dir, '.ferry/users.db'));
    db.exec("UPDATE users SET app_metadata = -1e999 WHERE user_id = 'u3'");
    db.close();
    p.write('update.ndjson', '{"user_id":"u3","email":"c@x.io","name":"New"}\n');
    p.write('update.yaml', 'source: { file: update.ndjson }\ntarget: { connection: users, key: [user_id], upsert: true }\n');
    const { report } = p.run('update.yaml');
    expect(report.summary).toMatchObject({ updated: 1 });
    expect(p.ferry('jobs', 'rollback', report.job).code).toBe(0);
    expect(
      p.rows("SELECT typeof(logins_count) AS t, CAST(logins_count AS TEXT) AS logins, CAST(app_metadata AS TEXT) AS app FROM users WHERE user_id = 'u3'"),
    ).toEqual([{ t: 'real', logins: 'Inf', app: '-Inf' }]);
  });

  it('a rollback puts an INTEGER beyond ±2^53 back exactly (the backup read it as a double, and the rollback failed)', () => {
    seeded();
    p.write('update.ndjson', '{"user_id":"u2","email":"b@x.io","name":"New"}\n');
    p.write('update.yaml', 'source: { file: update.ndjson }\ntarget: { connection: users, key: [user_id], upsert: true }\n');
    const { report } = p.run('update.yaml');
    expect(report.summary).toMatchObject({ updated: 1, rejected: 0 });
    const rollback = p.ferry('jobs', 'rollback', report.job);
    expect(rollback.stderr).not.toContain('does not fit');
    expect(rollback.code).toBe(0);
    expect(p.rows("SELECT CAST(logins_count AS TEXT) AS logins, hex(name) AS name FROM users WHERE user_id = 'u2'")).toEqual([
      { logins: '9007199254740993', name: 'C3A9' },
    ]);
  });
});

describePostgres('values another tool stored in a PostgreSQL table', () => {
  const server = usePostgresServer({ passwordEnv: 'FERRY_TEST_FOREIGN_PG' });
  let project: TestProject;
  afterEach(() => project?.cleanup());

  it('an export writes a UTF-8 bytea (also in an array) as text and an interval as the server writes it, and rejects other bytes and a float Infinity at their column', async () => {
    project = new TestProject();
    const database = await server().createDatabase();
    const client = await rawClient(server().url(database));
    try {
      await client.query(`
        CREATE TABLE crm (id int PRIMARY KEY, email text, photo bytea, score float8, span interval, tags bytea[], seen timestamptz[]);
        INSERT INTO crm VALUES (1, 'a@x.io', '\\x416e6e', 1.5, '1 day 2 hours', ARRAY['\\x6869'::bytea], '{"2024-01-01 10:00:00.123456+00"}'),
          (2, 'b@x.io', '\\x00ff', 2, NULL, NULL, NULL), (3, 'c@x.io', NULL, 'Infinity', NULL, NULL, NULL),
          (4, 'd@x.io', NULL, NULL, NULL, ARRAY['\\x6869'::bytea, '\\xff'], NULL)`);
    } finally {
      await client.end();
    }
    const url = `postgres://${server().user}:\${FERRY_TEST_FOREIGN_PG}@127.0.0.1:${server().port}/${database}`;
    project.write('ferry.yaml', `connections:\n  crm: { driver: postgres, url: "${url}", table: crm }\n`);
    project.write(
      'export.yaml',
      "source: { connection: crm, query: '*', sort: { by: id } }\ntarget: { file: out/crm.ndjson }\ncolumns: { id: id, photo: photo, score: score, span: span, tags: tags, seen: seen }\n",
    );
    const result = runFerry(['run', 'export.yaml', '--json'], { cwd: project.dir });
    const report = JSON.parse(result.stdout) as JobReportJson;
    expect(report.summary).toMatchObject({ total: 4, exported: 1, rejected: 3 });
    expect(readFileSync(join(project.dir, 'out/crm.ndjson'), 'utf8')).toBe(
      '{"id":1,"photo":"Ann","score":1.5,"span":"1 day 02:00:00","tags":["hi"],"seen":["2024-01-01T10:00:00.123456Z"]}\n',
    );
    expect(project.rejects(report).map((r) => [r.row, r.errors])).toEqual([
      [2, [{ code: 'FORMAT', path: 'photo', message: expect.stringContaining("stored photo is 2 bytes of binary data (a bytea, x'00ff')") }]],
      [3, [{ code: 'FORMAT', path: 'score', message: expect.stringContaining('stored score is Infinity') }]],
      [4, [{ code: 'FORMAT', path: 'tags', message: expect.stringContaining("an element of tags: stored tags is 1 byte of binary data (a bytea, x'ff')") }]],
    ]);
  });
});
