import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PostgreSQL cluster for workload 5, the way the test suite starts one
 * (test/helpers/postgres-server.ts, which the build does not include): initdb into a temp dir,
 * a free port on 127.0.0.1, password auth. As root it runs as `nobody` (PostgreSQL refuses root).
 * Default durability settings: both Ferry and its baseline pay for real commits.
 */
export interface BenchPostgres {
  url(database: string): string;
  stop(): void;
}

/** The server binaries' folder, or why there is none. */
export function postgresBin(): { bin: string } | { reason: string } {
  const fromEnv = process.env['FERRY_PG_BIN'];
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return { bin: fromEnv };
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian) ? readdirSync(debian).filter((v) => existsSync(join(debian, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions[0] === undefined) return { reason: 'no PostgreSQL server binaries (/usr/lib/postgresql/*/bin or $FERRY_PG_BIN)' };
  return { bin: join(debian, versions[0], 'bin') };
}

export async function startPostgres(bin: string): Promise<BenchPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-pg-'));
  const runAs = process.getuid?.() === 0 ? nobody() : undefined;
  const run = (tool: string, args: string[]) => {
    const options: SpawnSyncOptions = { encoding: 'utf8', cwd: tmpdir(), env: { PATH: process.env['PATH'] ?? '', LC_ALL: 'C.UTF-8' }, timeout: 120_000, ...runAs };
    const result = spawnSync(join(bin, tool), args, options);
    if (result.status !== 0) throw new Error(`${tool} failed: ${String(result.stderr)}${existsSync(join(root, 'log')) ? readFileSync(join(root, 'log'), 'utf8') : ''}`);
  };
  const password = randomBytes(12).toString('hex');
  const data = join(root, 'data');
  writeFileSync(join(root, 'pwfile'), `${password}\n`, { mode: 0o600 });
  if (runAs) for (const path of [root, join(root, 'pwfile')]) chownSync(path, runAs.uid, runAs.gid);
  run('initdb', ['-D', data, '-U', 'ferry', `--pwfile=${join(root, 'pwfile')}`, '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  writeFileSync(join(data, 'postgresql.auto.conf'), `listen_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = ''\nshared_buffers = '256MB'\n`);
  run('pg_ctl', ['start', '-D', data, '-l', join(root, 'log'), '-w', '-t', '60']);
  return {
    url: (database) => `postgres://ferry:${password}@127.0.0.1:${port}/${database}`,
    stop: () => {
      try {
        run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

function nobody(): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid === undefined || gid === undefined ? undefined : { uid: Number(uid), gid: Number(gid) };
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
