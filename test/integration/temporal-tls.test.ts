import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runFerryAsync } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { startCli, startWorker, taskQueue, type FerryWorker } from '../helpers/temporal-workers.js';
import { startTlsGrpcProxy, type TlsGrpcProxy } from '../helpers/tls-grpc-proxy.js';

/**
 * Temporal behind TLS with an API key, as Temporal Cloud or a secured cluster is: a real dev
 * server behind a TLS front (its own CA) that refuses calls without the right bearer key. A job
 * runs end to end through it (worker and CLI both), and a wrong key, an untrusted certificate or a
 * missing file each fail at once with what to fix, never printing the key. The front runs in this
 * process: every CLI run here is asynchronous (a spawnSync would stop it answering).
 */
const KEY = 'tmprl-key-4f9c2a7e81d3';
const KEY_ENV = 'FERRY_TEST_TEMPORAL_API_KEY';

describeTemporal('Temporal over TLS with an API key', { timeout: 240_000 }, () => {
  const server = useTemporalServer();
  const queue = taskQueue('tls');
  let proxy: TlsGrpcProxy;
  let p: TestProject;
  let worker: FerryWorker | undefined;

  const config = (temporal: string): string => `engine: temporal\ntemporal:\n  address: "${proxy.address}"\n  task_queue: ${queue}\n${temporal}`;
  const trusted = `  tls: { ca: certs/ca.pem }\n  api_key: \${${KEY_ENV}}\n`;

  beforeAll(async () => {
    proxy = await startTlsGrpcProxy(server().address, { apiKey: KEY });
    p = new TestProject();
    mkdirSync(join(p.dir, 'certs'));
    copyFileSync(proxy.caFile, join(p.dir, 'certs', 'ca.pem'));
    p.write('users.json', [{ email: 'ada@example.com' }, { email: 'grace@example.com' }, { email: 'not-an-email' }]);
    p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await proxy?.stop();
    p?.cleanup();
  });

  it('runs a job through the TLS front, every call carrying the key, which nothing prints', async () => {
    p.write('ferry.yaml', config(trusted));
    worker = await startWorker(p.dir, { [KEY_ENV]: KEY });
    const before = proxy.authorizations.length;
    const run = startCli(p.dir, ['run', 'import.yaml', '--json'], { [KEY_ENV]: KEY });
    expect(await run.exit, run.out.stderr).toBe(0);
    expect(run.report().summary).toMatchObject({ total: 3, inserted: 2, rejected: 1 });
    expect(p.rows('SELECT email FROM users ORDER BY email')).toEqual([{ email: 'ada@example.com' }, { email: 'grace@example.com' }]);
    const calls = proxy.authorizations.slice(before);
    expect(calls.length).toBeGreaterThan(5);
    expect(new Set(calls)).toEqual(new Set([`Bearer ${KEY}`]));
    const list = await runFerryAsync(['jobs', 'list', '--json'], { cwd: p.dir, env: { [KEY_ENV]: KEY } });
    expect(list.code, list.stderr).toBe(0);
    for (const text of [run.out.stdout, run.out.stderr, worker.output(), list.stdout, list.stderr]) expect(text).not.toContain(KEY);
  });

  it('a wrong key: the CLI and a worker fail at once, saying the server refused the credentials', async () => {
    p.write('ferry.yaml', config(trusted));
    const env = { [KEY_ENV]: 'wrong-key-77aa01' };
    const run = await runFerryAsync(['run', 'import.yaml'], { cwd: p.dir, env });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/cannot reach Temporal at localhost:\d+ \(namespace default\): the server refused the credentials\. Check the API key/);
    expect(run.stdout + run.stderr).not.toContain('wrong-key-77aa01');
    const refused = startCli(p.dir, ['worker'], env);
    const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 60_000).unref());
    const code = await Promise.race([refused.exit, hung]);
    if (code === 'hung') refused.child.kill('SIGKILL');
    expect(code).not.toBe('hung');
    expect(code).not.toBe(0);
    expect(refused.out.stderr).toMatch(/the server refused the credentials/);
    expect(refused.out.stdout + refused.out.stderr).not.toContain('wrong-key-77aa01');
  });

  it("a certificate the system's CAs do not trust, and plain gRPC to a TLS port, are said as such", async () => {
    p.write('ferry.yaml', config(`  api_key: \${${KEY_ENV}}\n`));
    const untrusted = await runFerryAsync(['jobs', 'list'], { cwd: p.dir, env: { [KEY_ENV]: KEY } });
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toMatch(
      /: the server's TLS certificate is not trusted \(unable to verify the first certificate\)\. Set temporal\.tls\.ca in ferry\.yaml/,
    );
    p.write('ferry.yaml', config(''));
    const plain = await runFerryAsync(['jobs', 'list'], { cwd: p.dir });
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toMatch(/cannot reach Temporal at localhost:\d+ \(namespace default\): the server there speaks TLS\. Set temporal\.tls/);
    // A worker's native connection says the same in its own terms.
    p.write('ferry.yaml', config(`  api_key: \${${KEY_ENV}}\n`));
    const worker = await runFerryAsync(['worker'], { cwd: p.dir, env: { [KEY_ENV]: KEY } });
    expect(worker.code).not.toBe(0);
    expect(worker.stderr).toMatch(/the server's TLS certificate is not trusted\. Set temporal\.tls\.ca/);
  });

  it('config mistakes are refused before any connection: a literal key, a key without TLS, half a client pair, a missing file', async () => {
    const cases: [string, RegExp][] = [
      ['  api_key: tmprl-literal-key\n', /ferry\.yaml:5:12 temporal\.api_key: an API key comes from the environment/],
      [`  tls: false\n  api_key: \${${KEY_ENV}}\n`, /ferry\.yaml:5:8 temporal\.tls: api_key is sent only over TLS/],
      ['  tls: { cert: certs/client.pem }\n', /temporal\.tls\.cert: a client certificate needs both cert and key/],
      ['  tls: { ca: certs/missing.pem }\n', /temporal\.tls\.ca in ferry\.yaml: cannot read .*missing\.pem \(ENOENT\)/],
    ];
    for (const [temporal, message] of cases) {
      p.write('ferry.yaml', config(temporal));
      const result = await runFerryAsync(['jobs', 'list'], { cwd: p.dir, env: { [KEY_ENV]: KEY } });
      expect(result.code, temporal).not.toBe(0);
      expect(result.stderr, temporal).toMatch(message);
      expect(result.stderr).not.toContain('tmprl-literal-key');
    }
  });

  it('mutual TLS: a worker and the CLI holding the client certificate run a job; without it nothing connects', async () => {
    const mutual = await startTlsGrpcProxy(server().address, { clientCertificate: true });
    const m = new TestProject();
    let w: FerryWorker | undefined;
    try {
      mkdirSync(join(m.dir, 'certs'));
      for (const [from, to] of [
        [mutual.caFile, 'ca.pem'],
        [mutual.client.cert, 'client.pem'],
        [mutual.client.key, 'client.key'],
      ] as const)
        copyFileSync(from, join(m.dir, 'certs', to));
      m.write('users.json', [{ email: 'ada@example.com' }]);
      m.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
      const yaml = (tls: string): string => `engine: temporal\ntemporal:\n  address: "${mutual.address}"\n  task_queue: ${queue}-m\n  tls: ${tls}\n`;
      m.write('ferry.yaml', yaml('{ ca: certs/ca.pem }'));
      const refused = await runFerryAsync(['jobs', 'list'], { cwd: m.dir });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/cannot reach Temporal at localhost:\d+/);
      m.write('ferry.yaml', yaml('{ ca: certs/ca.pem, cert: certs/client.pem, key: certs/client.key }'));
      w = await startWorker(m.dir);
      const run = await runFerryAsync(['run', 'import.yaml', '--json'], { cwd: m.dir });
      expect(run.code, run.stderr).toBe(0);
      expect(m.rows('SELECT email FROM users')).toEqual([{ email: 'ada@example.com' }]);
    } finally {
      await w?.stop();
      await mutual.stop();
      m.cleanup();
    }
  });
});
