import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine, JobListing } from '../../../src/engine/engine.js';
import { SecretMasker } from '../../../src/spec/secrets.js';
import { createJobsFeed, MAX_UNSENT, type JobsFeed } from '../../../src/ui/jobs-feed.js';

/**
 * The console's live jobs feed over a real HTTP server: a subscriber that never reads is dropped
 * once a megabyte of snapshots waits for it, instead of the server holding every later snapshot in
 * memory; one that reads keeps getting them. The engine is the one thing not real here: a job list
 * of 100 ended jobs with long names, so each snapshot is tens of kilobytes.
 */
describe('the jobs feed and a subscriber that does not read', () => {
  let server: Server | undefined;
  let feed: JobsFeed | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    feed?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('drops the one that stopped reading and keeps feeding the one that reads', async () => {
    const jobs: JobListing[] = Array.from({ length: 100 }, (_, i) => ({
      id: `job-${i}`,
      pipeline: `pipelines/${'long-name-'.repeat(40)}${i}.yaml`,
      engine: 'embedded',
      kind: 'import',
      status: 'succeeded',
      startedAt: '2026-12-06T00:00:00.000Z',
      endedAt: '2026-12-06T00:00:01.000Z',
      summary: null,
      jobDir: `jobs/job-${i}`,
      artifacts: null,
    }));
    const engine = { list: async () => jobs } as unknown as Engine;
    feed = createJobsFeed(async () => engine, new SecretMasker([]), 2);
    const f = feed;
    // Each subscriber's server side, in the order they came: its 'close' is the server letting it go.
    const served: Promise<void>[] = [];
    server = createServer((_req, res) => {
      served.push(new Promise((resolve) => res.on('close', () => resolve())));
      f.subscribe(res);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const subscribe = (): Socket => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n'));
      sockets.push(socket);
      return socket;
    };
    const stalled = subscribe();
    stalled.pause();
    while (served.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const closed = served[0]!;
    const reader = subscribe();
    let read = 0;
    reader.on('data', (chunk: Buffer) => (read += chunk.length));
    await closed;
    const before = read;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(read).toBeGreaterThan(before);
    expect(read).toBeGreaterThan(MAX_UNSENT);
    expect(reader.destroyed).toBe(false);
  }, 60_000);
});
