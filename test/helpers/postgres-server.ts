import { execFileSync, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster for tests (DESIGN.md "Real components in tests"): initdb into a
 * temp dir, a free port on 127.0.0.1, password authentication over TCP, stopped and removed by
 * `stop()`. The server binaries come from the Debian packages (.ci/run installs them). PostgreSQL
 * refuses to run as root, so as root the cluster runs as the unprivileged `nobody`.
 */

export interface PostgresServer {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** A URL for `database` on this server, with the password. */
  url(database: string): string;
  /** Creates an empty database; returns its name. */
  createDatabase(name?: string): Promise<string>;
  /** The server's log, for failed tests. */
  log(): string;
  /**
   * Stops the server, ending every session (as a restart or failover does), keeping its data;
   * `resume` starts it again on the same port. A fast shutdown, not an immediate one: with
   * synchronous_commit off the latter would lose the last commits.
   */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

export type PostgresAvailability = { ok: true; bin: string; runAs?: { uid: number; gid: number } } | { ok: false; reason: string };

/** Where the server binaries are: $FERRY_PG_BIN, the newest /usr/lib/postgresql/<version>/bin, or pg_config on PATH. */
export function postgresAvailable(): PostgresAvailability {
  const bin = findBinDir();
  if (bin === undefined) {
    return {
      ok: false,
      reason:
        'PostgreSQL server binaries not found (no initdb in $FERRY_PG_BIN, /usr/lib/postgresql/*/bin or pg_config --bindir); .ci/run installs the Debian package',
    };
  }
  if (process.getuid?.() !== 0) return { ok: true, bin };
  const nobody = unprivilegedUser();
  if (nobody === undefined) return { ok: false, reason: 'running as root and there is no user "nobody" to run PostgreSQL as' };
  return { ok: true, bin, runAs: nobody };
}

/** Starts a cluster; `durable: false` (the default for tests) turns off fsync for speed. */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<PostgresServer> {
  const availability = postgresAvailable();
  if (!availability.ok) throw new Error(availability.reason);
  // As root the server runs as `nobody`, which must reach the folder: /tmp is world-traversable, $TMPDIR may not be.
  const root = mkdtempSync(join(availability.runAs ? '/tmp' : tmpdir(), 'ferry-pg-'));
  const run = runner(availability.bin, availability.runAs);
  const user = 'ferry';
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  try {
    if (availability.runAs) chownSync(root, availability.runAs.uid, availability.runAs.gid);
    const data = join(root, 'data');
    writeFileSync(join(root, 'pwfile'), `${password}\n`, { mode: 0o600 });
    if (availability.runAs) chownSync(join(root, 'pwfile'), availability.runAs.uid, availability.runAs.gid);
    const initdb = (locale: string) => [
      '-D',
      data,
      '-U',
      user,
      `--pwfile=${join(root, 'pwfile')}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      `--locale=${locale}`,
    ];
    // C.UTF-8 (Unicode case folding, like most real servers) where the system has it, else C.
    if (run('initdb', initdb('C.UTF-8'), true).status !== 0) {
      rmSync(data, { recursive: true, force: true });
      run('initdb', initdb('C'));
    }
    const port = await startOnFreePort(run, root, data, options.durable ?? false);
    return serverHandle({ root, data, port, user, password, run });
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

type Run = (tool: string, args: string[], allowFailure?: boolean) => { status: number | null; output: string };

function serverHandle(s: { root: string; data: string; port: number; user: string; password: string; run: Run }): PostgresServer {
  let databases = 0;
  const url = (database: string) => `postgres://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/${database}`;
  return {
    port: s.port,
    user: s.user,
    password: s.password,
    url,
    async createDatabase(name = `ferry_${process.pid}_${++databases}`) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return name;
    },
    log: () => (existsSync(join(s.root, 'log')) ? readFileSync(join(s.root, 'log'), 'utf8') : ''),
    async pause() {
      s.run('pg_ctl', ['stop', '-D', s.data, '-m', 'fast', '-w']);
    },
    async resume() {
      s.run('pg_ctl', ['start', '-D', s.data, '-l', join(s.root, 'log'), '-w', '-t', '60']);
    },
    async stop() {
      s.run('pg_ctl', ['stop', '-D', s.data, '-m', 'immediate', '-w'], true);
      rmSync(s.root, { recursive: true, force: true });
    },
  };
}

/** A port free a moment ago can be taken before the server binds it: try a few. */
async function startOnFreePort(run: Run, root: string, data: string, durable: boolean): Promise<number> {
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    writeFileSync(join(data, 'postgresql.auto.conf'), settings(port, durable));
    const started = run('pg_ctl', ['start', '-D', data, '-l', join(root, 'log'), '-w', '-t', '60'], true);
    if (started.status === 0) return port;
    lastError = `${started.output}\n${existsSync(join(root, 'log')) ? readFileSync(join(root, 'log'), 'utf8') : ''}`;
  }
  throw new Error(`PostgreSQL did not start: ${lastError}`);
}

/**
 * TCP on 127.0.0.1 only, no Unix socket (its default folder is not writable by `nobody`); no
 * parallel query, whose shared memory a container's small /dev/shm may not hold.
 */
function settings(port: number, durable: boolean): string {
  const lines = [
    `listen_addresses = '127.0.0.1'`,
    `port = ${port}`,
    `unix_socket_directories = ''`,
    'max_connections = 200',
    'max_parallel_workers_per_gather = 0',
  ];
  if (!durable) lines.push('fsync = off', 'synchronous_commit = off', 'full_page_writes = off');
  return `${lines.join('\n')}\n`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function runner(bin: string, runAs: { uid: number; gid: number } | undefined): Run {
  return (tool, args, allowFailure = false) => {
    const options: SpawnSyncOptions = { encoding: 'utf8', cwd: '/', env: { PATH: process.env['PATH'] ?? '', LC_ALL: 'C' }, timeout: 120_000 };
    // Node switches the child's uid/gid itself: no runuser/su needed.
    if (runAs) Object.assign(options, { uid: runAs.uid, gid: runAs.gid });
    const result = spawnSync(join(bin, tool), args, options);
    const output = `${String(result.stdout ?? '')}${String(result.stderr ?? '')}${result.error ? String(result.error) : ''}`;
    if (result.status !== 0 && !allowFailure) throw new Error(`${tool} ${args.join(' ')} failed (${result.status}): ${output}`);
    return { status: result.status, output };
  };
}

function findBinDir(): string | undefined {
  const fromEnv = process.env['FERRY_PG_BIN'];
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : undefined;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => existsSync(join(debian, v, 'bin', 'initdb')));
    versions.sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(debian, versions[0], 'bin');
  }
  try {
    const bindir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return existsSync(join(bindir, 'initdb')) ? bindir : undefined;
  } catch {
    return undefined;
  }
}

function unprivilegedUser(): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid === undefined || gid === undefined ? undefined : { uid: Number(uid), gid: Number(gid) };
}
