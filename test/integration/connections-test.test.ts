import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { runFerry, startFerry, tempDir } from '../helpers/cli.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function project(ferryYaml: string): string {
  const { dir, cleanup } = tempDir('ferry-connections-');
  cleanups.push(cleanup);
  writeFileSync(join(dir, 'ferry.yaml'), ferryYaml);
  return dir;
}

describe('ferry connections test: SQLite', () => {
  it('reports a store not created yet without creating it', () => {
    const cwd = project('connections:\n  users: { driver: sqlite, path: .ferry/users.db }\n');
    const result = runFerry(['connections', 'test'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok {3}users \(sqlite \.ferry\/users\.db\) \d+ms\n {5}\.ferry\/users\.db does not exist yet/);
    expect(existsSync(join(cwd, '.ferry'))).toBe(false);
  });

  it('reads the columns of an existing table, creating nothing in a store that lacks the users table', () => {
    const cwd = project('connections:\n  crm: { driver: sqlite, path: crm.db, table: people }\n  users: { driver: sqlite, path: crm.db, table: users }\n');
    const db = new Database(join(cwd, 'crm.db'));
    db.exec("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT); INSERT INTO people (email) VALUES ('a@x.io')");
    db.close();
    const result = runFerry(['connections', 'test'], { cwd });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('connected; table people: 3 columns: id, email, name; primary key id\n');
    expect(result.stdout).toContain('connected; table users: the built-in users table (an import creates it when missing); primary key user_id\n');
    const after = new Database(join(cwd, 'crm.db'), { readonly: true });
    // the check ran inside a rolled-back transaction: no users table (opening the store adds Ferry's bookkeeping tables)
    expect(after.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'ferry_%' ORDER BY name").pluck().all()).toEqual(['people']);
    after.close();
  });

  it('names an unknown connection and the known ones (exit 2)', () => {
    const cwd = project('connections:\n  users: { driver: sqlite, path: u.db }\n');
    const result = runFerry(['connections', 'test', 'legacy'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('no connection "legacy" in ferry.yaml; known: users\n');
  });

  it.each(['constructor', 'toString', '__proto__'])('a name every JavaScript object answers to (%s) is unknown too', (name) => {
    const cwd = project('connections:\n  users: { driver: sqlite, path: u.db }\n');
    const result = runFerry(['connections', 'test', name], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`no connection "${name}" in ferry.yaml; known: users\n`);
  });
});

describe('ferry connections test: a server that never answers', () => {
  it('gives up after --timeout, names the connection, and exits without waiting for the driver', async () => {
    // Accepts TCP connections and says nothing, as a wrong port behind some firewalls does.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const cwd = project(`connections:\n  legacy: { driver: postgres, url: "postgres://u:secret@127.0.0.1:${port}/crm" }\n`);
      const started = Date.now();
      // Asynchronously: the silent server lives in this process.
      const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        let stdout = '';
        const child = startFerry(['connections', 'test', '--timeout', '1'], { cwd });
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.on('close', (code) => resolve({ code, stdout }));
      });
      expect(result.code).toBe(1);
      // Every project also has the default `users` store (SQLite), reported first.
      expect(result.stdout).toMatch(
        /^ok {3}users \(sqlite .*\n.*\nFAIL legacy \(postgres postgres:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/crm\) \d+ms\n {5}connecting: no answer within 1s\n$/,
      );
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });
});

describe('ferry connections test: a password in the query string', () => {
  it('masks ?password= (node-postgres logs in with it) as it masks user:password@', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const cwd = project(`connections:\n  legacy: { driver: postgres, url: "postgres://u@127.0.0.1:${port}/crm?password=Query%2FPassw0rd&sslmode=disable" }\n`);
    const result = runFerry(['connections', 'test', '--timeout', '5'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`FAIL legacy (postgres postgres://u@127.0.0.1:${port}/crm?password=***&sslmode=disable)`);
    expect(result.stdout + result.stderr).not.toMatch(/Passw0rd/);
  });

  it('masks a password as written when its percent-encoding is not the usual spelling (%2f, not %2F)', () => {
    const cwd = project(
      'connections:\n' +
        '  a: { driver: postgres, url: "postgres://u@127.0.0.1:1/crm?sslmode=disable&password=Query%2fPassw0rd==", connect_timeout: 1s }\n' +
        '  b: { driver: postgres, url: "postgres://u:User%2fPassw0rd@127.0.0.1:1/crm", connect_timeout: 1s }\n',
    );
    const result = runFerry(['connections', 'test', '--timeout', '5'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL a (postgres postgres://u@127.0.0.1:1/crm?sslmode=disable&password=***)');
    expect(result.stdout + result.stderr).not.toMatch(/Passw0rd/);
  });
});

describe('the journal of a job that failed on a connection', () => {
  it('keeps its error with the ?password= masked, as it is printed', () => {
    const cwd = project('connections:\n  users: { driver: postgres, url: "postgres://u@127.0.0.1:1/crm?password=${PGPW}", connect_timeout: 1s }\n');
    writeFileSync(join(cwd, 'users.json'), JSON.stringify([{ email: 'a@x.io' }]));
    writeFileSync(join(cwd, 'import.yaml'), 'source: { file: users.json }\ntarget: { connection: users }\nretry: { max_attempts: 1 }\n');
    const result = runFerry(['run', 'import.yaml'], { cwd, env: { PGPW: 'Query%2FPassw0rd' } });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('password=***');
    const journal = new Database(join(cwd, '.ferry', 'journal.db'), { readonly: true });
    try {
      const errors = journal.prepare('SELECT error FROM jobs').all() as { error: string }[];
      expect(errors.map((e) => e.error)).toEqual([expect.stringContaining('?password=***')]);
      expect(JSON.stringify(journal.prepare('SELECT * FROM jobs').all())).not.toMatch(/Passw0rd/);
    } finally {
      journal.close();
    }
  });
});

describePostgres('ferry connections test: PostgreSQL', () => {
  const server = usePostgresServer({ passwordEnv: 'FERRY_TEST_PG_PASSWORD' });

  it('reports each connection: a working one, a wrong port (fast, no retries), a wrong password (masked)', async () => {
    const s = server();
    const database = await s.createDatabase();
    const raw = await rawClient(s.url(database));
    await raw.query('CREATE TABLE app_users (id serial PRIMARY KEY, email_address text NOT NULL)');
    await raw.end();
    const url = (port: number, password: string) => `postgres://${s.user}:${password}@127.0.0.1:${port}/${database}`;
    const cwd = project(
      [
        'connections:',
        `  legacy: { driver: postgres, url: "${url(s.port, '${FERRY_TEST_PG_PASSWORD}')}", table: app_users }`,
        `  users: { driver: postgres, url: "${url(s.port, '${FERRY_TEST_PG_PASSWORD}')}", table: users }`,
        `  wrong_port: { driver: postgres, url: "${url(1, '${FERRY_TEST_PG_PASSWORD}')}" }`,
        `  wrong_password: { driver: postgres, url: "${url(s.port, 'not-the-password')}" }`,
        '',
      ].join('\n'),
    );

    const started = Date.now();
    const result = runFerry(['connections', 'test'], { cwd });
    const seconds = (Date.now() - started) / 1000;
    expect(result.code).toBe(1);
    expect(seconds).toBeLessThan(8);
    const out = result.stdout;
    expect(out).toMatch(
      /^ok {3}legacy \(postgres postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:\d+\/\w+\) \d+ms\n {5}connected; table app_users: 2 columns: id, email_address; primary key id\n/m,
    );
    expect(out).toMatch(/^ok {3}users .*\n {5}connected; table users: the built-in users table \(an import creates it when missing\); primary key user_id\n/m);
    expect(out).toMatch(
      /^FAIL wrong_port \(postgres postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:1\/\w+\) \d+ms\n {5}cannot connect to postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:1\/\w+: connect ECONNREFUSED 127\.0\.0\.1:1 \(nothing listens at that host and port/m,
    );
    expect(out).toMatch(
      /^FAIL wrong_password .*\n {5}cannot connect to .*password authentication failed for user "ferry" \(the user name or password is wrong\)/m,
    );
    expect(result.stderr).toBe('2 of 4 connection(s) failed\n');
    expect(out + result.stderr).not.toContain(s.password);
    expect(out + result.stderr).not.toContain('not-the-password');

    // nothing was created: the users table's check ran in a rolled-back transaction
    const check = await rawClient(s.url(database));
    const tables = await check.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    await check.end();
    expect(tables.rows.map((r: { table_name: string }) => r.table_name).filter((t: string) => !t.startsWith('ferry_'))).toEqual(['app_users']);
  });
});
