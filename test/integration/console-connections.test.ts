import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS, type UiServer } from '../../src/ui/server.js';
import { startConsole, type ConsoleFixture } from '../helpers/console-server.js';

/** The console's sockets are capped: a flood of idle connections is closed, and the console answers again once they go. */

/** A socket that sent half a request's headers and waits; resolves once connected. */
function idleSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

/** Whether the server closes the socket (without an answer) within `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('error', () => undefined);
  });
}

describe('ferry ui caps its connections', () => {
  let fixture: ConsoleFixture;
  let server: UiServer;

  beforeAll(async () => {
    fixture = await startConsole();
    ({ server } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it(`closes the socket past ${MAX_CONNECTIONS} open at once, and answers again once they close`, async () => {
    const port = Number(new URL(server.url).port);
    const held: Socket[] = [];
    try {
      for (let i = 0; i < MAX_CONNECTIONS; i++) held.push(await idleSocket(port));
      const closings = held.map((s) => closedWithin(s, 300));
      expect((await Promise.all(closings)).filter(Boolean)).toHaveLength(0);
      const extra = await idleSocket(port);
      expect(await closedWithin(extra, 5000)).toBe(true);
    } finally {
      for (const s of held) s.destroy();
    }
    // The server counts a socket closed once it sees the close: poll, within a bound.
    const deadline = Date.now() + 5000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = await fetch(`${server.url}api/jobs`).then(
        (r) => r.status,
        () => 0,
      );
    }
    expect(status).toBe(200);
  });
});
