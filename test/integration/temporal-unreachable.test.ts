import { execFileSync } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exitWithin, startFerry } from '../helpers/cli.js';
import { until } from '../helpers/temporal-workers.js';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, freePort, useTemporalServer } from '../helpers/temporal-server.js';
import { taskQueue } from '../helpers/temporal-workers.js';

/** `ferry <args>` in `cwd`, killed after `ms`. */
const ferryWithin = (cwd: string, args: string[], ms: number) => exitWithin(startFerry(args, { cwd }), ms);

/** The lines Ferry said, without the SDK's own log lines (bundling, state changes). */
const ferrySaid = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('ferry'));

describeTemporal('a Temporal server that is not there, or not as configured', { timeout: 120_000 }, () => {
  const server = useTemporalServer();
  let p: TestProject;
  let http: Server;
  let httpPort: number;

  beforeAll(async () => {
    p = new TestProject();
    http = createHttpServer((_req, res) => res.end('<html>not gRPC</html>'));
    httpPort = await new Promise<number>((resolve) => http.listen(0, '127.0.0.1', () => resolve((http.address() as { port: number }).port)));
  });
  afterAll(async () => {
    p?.cleanup();
    await new Promise((resolve) => http?.close(resolve));
  });

  const config = (address: string, namespace = 'default'): string =>
    `engine: temporal\ntemporal: { address: "${address}", namespace: ${namespace}, task_queue: ${taskQueue('unreachable')} }\n`;

  it('a namespace the server does not have: ferry worker exits 1 saying so and how to create it (it printed a status dump and never exited)', async () => {
    p.write('ferry.yaml', config(server().address, 'no-such-namespace'));
    const expected = `ferry: namespace no-such-namespace does not exist on Temporal at ${server().address}: create it (temporal operator namespace create --namespace no-such-namespace --address ${server().address}) or set temporal.namespace in ferry.yaml`;
    const worker = await ferryWithin(p.dir, ['worker'], 60_000);
    expect(worker.hung, worker.stderr).toBe(false);
    expect(worker.code).toBe(1);
    expect(ferrySaid(worker.stderr)).toEqual([expected]);
    const list = await ferryWithin(p.dir, ['jobs', 'list'], 60_000);
    expect([list.code, list.stderr]).toEqual([1, `${expected}\n`]);
  });

  it('ferry worker at a port nothing listens on, or one a web server answers: the reason in words, not the native client’s dump', async () => {
    const refused = `127.0.0.1:${await freePort()}`;
    p.write('ferry.yaml', config(refused));
    const nobody = await ferryWithin(p.dir, ['worker'], 60_000);
    expect(nobody.code).toBe(1);
    expect(ferrySaid(nobody.stderr)).toEqual([
      `ferry: cannot reach Temporal at ${refused} (namespace default): connection refused (nothing listens at that port). ` +
        'Start one (ferry dev-server, or `temporal server start-dev`), or set TEMPORAL_ADDRESS / temporal.address in ferry.yaml.',
    ]);
    p.write('ferry.yaml', config(`127.0.0.1:${httpPort}`));
    const web = await ferryWithin(p.dir, ['worker'], 60_000);
    expect(web.code).toBe(1);
    // Node's HTTP server closes the connection or answers with an HTTP/2 error, depending on timing.
    expect(ferrySaid(web.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ferry: cannot reach Temporal at 127\\.0\\.0\\.1:${httpPort} \\(namespace default\\): (the connection was closed by the other side|what answers there does not speak gRPC \\(.*\\))\\. Start one`,
        ),
      ),
    ]);
  });

  it('ferry dev-server on a port another server holds refuses to start (it said the other server was its own, then exited 13)', async () => {
    p.write('ferry.yaml', config(server().address));
    const port = server().address.split(':')[1]!;
    const taken = await ferryWithin(p.dir, ['dev-server', '--port', port, '--ui-port', String(await freePort())], 60_000);
    expect([taken.code, taken.stderr]).toEqual([
      1,
      `port ${port} on 127.0.0.1 is in use (by another Temporal server? ferry worker and ferry run reach one there as they are): choose another with --port\n`,
    ]);
  });

  it('ferry dev-server whose server dies says so and exits 1 (Node exited 13, in silence)', async () => {
    const port = await freePort();
    const child = startFerry(['dev-server', '--port', String(port), '--ui-port', String(await freePort())], { cwd: p.dir });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(() => out.includes(`Temporal dev server at 127.0.0.1:${port}`), 60_000);
      const pid = execFileSync('pgrep', ['-f', `start-dev .*--port ${port} `], { encoding: 'utf8' }).trim();
      process.kill(Number(pid), 'SIGKILL');
      expect(await exited).toBe(1);
      expect(out).toContain(`the Temporal dev server at 127.0.0.1:${port} stopped (killed by SIGKILL)`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
