import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a server, which can stall as a frozen server or a broken
 * network path does: connections stay open, and nothing reaches either side. Bytes sent meanwhile
 * are held and delivered on `resume`. A side that closes closes the other, so `open()` counts the
 * client sessions still alive.
 */
export interface StallingProxy {
  readonly port: number;
  /** Stops forwarding, now or once the client sends bytes containing `trigger` (those bytes are held too). */
  stall(trigger?: string): void;
  resume(): void;
  /** Client connections still open. */
  open(): number;
  close(): Promise<void>;
}

export async function startStallingProxy(targetPort: number): Promise<StallingProxy> {
  let stalled = false;
  let trigger: string | undefined;
  let held: [Socket, Buffer][] = [];
  const clients = new Set<Socket>();
  const forward = (from: Socket, to: Socket, watch: boolean) =>
    from.on('data', (data: Buffer) => {
      if (watch && trigger !== undefined && data.includes(trigger)) {
        stalled = true;
        trigger = undefined;
      }
      if (stalled) held.push([to, data]);
      else to.write(data);
    });
  const server = createServer((client) => {
    clients.add(client);
    const upstream = createConnection(targetPort, '127.0.0.1');
    forward(client, upstream, true);
    forward(upstream, client, false);
    const end = () => {
      clients.delete(client);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) socket.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    port: address.port,
    stall(on) {
      if (on === undefined) stalled = true;
      else trigger = on;
    },
    resume() {
      stalled = false;
      for (const [to, data] of held) if (!to.destroyed) to.write(data);
      held = [];
    },
    open: () => clients.size,
    close: async () => {
      for (const client of clients) client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
