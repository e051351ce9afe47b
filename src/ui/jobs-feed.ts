import type { ServerResponse } from 'node:http';
import { progressOf } from '../cli/jobs.js';
import type { Engine, JobListing } from '../engine/engine.js';
import type { SecretMasker } from '../spec/secrets.js';
import { startStream } from './http.js';

/** A job as the jobs list shows it: the listing plus its pace while it runs. */
export interface JobRow {
  id: string;
  pipeline: string;
  engine: string;
  kind: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  summary: JobListing['summary'];
  percent: number | null;
  perSecond: number | null;
  eta: string | null;
}

export interface JobsFeed {
  /** The latest snapshot, polled now when none is fresh. */
  snapshot(): Promise<JobRow[]>;
  /** A server-sent-events subscriber: gets every snapshot until it disconnects (a HEAD gets the headers only). */
  subscribe(res: ServerResponse): void;
  /** Polls at once (after an action), so the page shows its effect without waiting a tick. */
  refresh(): Promise<void>;
  close(): void;
}

/** Bytes of snapshots a subscriber may leave unread before it is dropped. */
export const MAX_UNSENT = 1024 * 1024;

/**
 * One poll of the engine per interval, shared by every open tab: however many pages watch the
 * jobs, the journal (or Temporal's visibility) is asked once per `intervalMs`, and only while
 * someone watches.
 */
export function createJobsFeed(engine: () => Promise<Engine>, masker: SecretMasker, intervalMs: number, limit = 100): JobsFeed {
  const clients = new Set<ServerResponse>();
  let latest: { at: number; rows: JobRow[] } | undefined;
  let inFlight: Promise<JobRow[]> | undefined;
  let timer: NodeJS.Timeout | undefined;

  // A client that stops reading (a frozen tab, a script that never reads) would have every later
  // snapshot held for it in this process's memory: past MAX_UNSENT bytes waiting it is dropped (a
  // browser's EventSource reconnects by itself, and gets the latest snapshot at once).
  const send = (client: ServerResponse, message: string): void => {
    if (client.writableLength > MAX_UNSENT) {
      clients.delete(client);
      client.destroy();
      return;
    }
    client.write(message);
  };

  const poll = (): Promise<JobRow[]> =>
    (inFlight ??= (async () => {
      try {
        const jobs = await (await engine()).list({ limit });
        const rows = jobs.map((job) => rowOf(job, masker));
        latest = { at: Date.now(), rows };
        const message = `data: ${JSON.stringify(rows)}\n\n`;
        for (const client of clients) send(client, message);
        return rows;
      } finally {
        inFlight = undefined;
      }
    })());

  const tick = (): void => {
    timer = undefined;
    if (clients.size === 0) return;
    poll()
      .catch(() => undefined)
      .finally(() => {
        if (clients.size > 0 && !timer) timer = setTimeout(tick, intervalMs);
      });
  };

  return {
    async snapshot() {
      if (latest && Date.now() - latest.at < intervalMs) return latest.rows;
      return poll();
    },
    subscribe(res) {
      // A HEAD has no body to stream: its answer is the headers, then the end (not a subscriber held open).
      if (res.req.method === 'HEAD') {
        startStream(res, 200, { 'content-type': 'text/event-stream; charset=utf-8' });
        res.end();
        return;
      }
      startStream(res, 200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
      clients.add(res);
      if (latest) res.write(`data: ${JSON.stringify(latest.rows)}\n\n`);
      res.on('close', () => clients.delete(res));
      if (!timer) timer = setTimeout(tick, latest ? intervalMs : 0);
    },
    async refresh() {
      await poll().catch(() => undefined);
    },
    close() {
      if (timer) clearTimeout(timer);
      for (const client of clients) client.end();
      clients.clear();
    },
  };
}

function rowOf(job: JobListing, masker: SecretMasker): JobRow {
  const pace = job.status === 'running' ? progressOf(job) : undefined;
  const ended = job.status === 'succeeded';
  return {
    id: job.id,
    pipeline: masker.mask(job.pipeline),
    engine: job.engine,
    kind: job.kind,
    status: job.status,
    startedAt: job.startedAt,
    endedAt: job.endedAt,
    summary: job.summary,
    percent: pace?.percent ?? (ended ? 100 : null),
    perSecond: pace?.perSecond ?? null,
    eta: pace?.eta ?? null,
  };
}
