import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from '../app.js';
import { JobRefused } from '../engine/engine.js';
import { ConfigError } from '../project/load-config.js';
import { Actions } from './actions.js';
import { defaultColumns, liveCount, loadDraft, parseDraft, previewExport, saveDraft } from './export-builder.js';
import { HttpError, lingerAfterAnswer, readJson, sendJson, sendText, stringField } from './http.js';
import { jobPage, rejectsFileOf, sendArtifact } from './job-page.js';
import { createJobsFeed } from './jobs-feed.js';
import { dryRunFor, listPipelines, loadNamedPipeline, pipelineSchedules, planRun } from './pipelines.js';
import { RejectsIndex } from './rejects.js';
import { createGuard, TOKEN_REFUSED } from './security.js';
import { Uploads } from './uploads.js';
import { maskJson } from '../cli/mask-json.js';
import type { JobPlan } from '../plan/job-plan.js';
import type { LoadedPipeline } from '../project/load-pipeline.js';
import { noJobMessage } from '../engine/no-job.js';

export interface UiOptions {
  app: App;
  host: string;
  port: number;
  /** Required by every request: FERRY_UI_TOKEN, or the one `ferry ui` made (security.ts `generateToken`). */
  token: string;
  /** Largest upload, in bytes. */
  maxUpload: number;
  /** How often the shared poll asks the engine for the jobs (ms). */
  pollMs?: number;
  /** Where the server says what happens (jobs ending, faults): the CLI passes its stderr. */
  log: (line: string) => void;
}

export interface UiServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The page's files: plain HTML, CSS and a script, shipped as they are (package.json "files": ui/),
 * found from this module built (dist/src/ui/) or run from its source (src/ui/, in tests).
 */
const PAGE_DIR = ['../../ui/', '../../../ui/'].map((up) => fileURLToPath(new URL(up, import.meta.url))).find((dir) => existsSync(join(dir, 'index.html')))!;
const STATIC: Record<string, string> = { '/app.js': 'text/javascript; charset=utf-8', '/style.css': 'text/css; charset=utf-8' };

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[], url: URL) => Promise<void>;

/** `ferry ui`: the web console over the project's engine (see README "Web console"). */
export async function startUiServer(options: UiOptions): Promise<UiServer> {
  const { app, log } = options;
  const masker = app.project.masker;
  let port = options.port;
  const guard = createGuard({ token: options.token, host: options.host, port: () => port });
  const uploads = new Uploads(join(app.project.stateDir, 'uploads'));
  let sweeping: Promise<void> = Promise.resolve();
  /** Deletes the uploads no job needs any more (uploads.ts); one sweep at a time, a fault logged, never thrown. */
  const sweepUploads = (): Promise<void> =>
    (sweeping = sweeping
      .then(async () => {
        const engine = await app.engine();
        await uploads.sweep(async (id) => (await engine.get(id)) ?? undefined);
      })
      .catch((err: unknown) => log(`ui: deleting finished uploads: ${masker.mask(err instanceof Error ? err.message : String(err))}`)));
  const actions = new Actions(app, log, {
    // Noted before the job exists: an upload a job reads is never taken for an unused one.
    starting: (plan, job) => {
      if (plan.source.type === 'file') uploads.startedFrom(plan.source.path, job);
    },
    ended: () => void sweepUploads(),
  });
  const feed = createJobsFeed(() => app.engine(), masker, options.pollMs ?? 1000);
  const rejects = new RejectsIndex();
  void sweepUploads();
  // Also now and then: jobs end on Temporal's workers, and unused uploads age.
  const sweepTimer = setInterval(() => void sweepUploads(), 10 * 60 * 1000).unref();
  /**
   * Dry runs seen on the page: a run of a pipeline that writes a store starts only from one of them,
   * once, while the pipeline file and its source are still what the dry run read.
   */
  const dryRuns = new Map<string, { pipeline: string; upload: string | null; read: string }>();
  const html = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8').replace('{{CSRF}}', guard.csrfToken);

  const getJob = async (id: string) => {
    const job = await (await actions.engine()).get(id);
    if (!job) throw new HttpError(404, noJobMessage(id));
    return job;
  };
  const uploadOf = (body: Record<string, unknown>) => {
    const id = stringField(body, 'upload', false);
    return id ? uploads.get(id) : undefined;
  };
  const afterAction = async <T>(res: ServerResponse, result: T): Promise<void> => {
    await feed.refresh();
    sendJson(res, 200, result);
  };

  const routes: [method: string, pattern: RegExp, handler: Handler][] = [
    ['GET', /^\/$/, async (_req, res) => sendText(res, 200, 'text/html; charset=utf-8', html)],
    ['GET', /^\/(app\.js|style\.css)$/, async (_req, res, [file]) => sendText(res, 200, STATIC[`/${file}`]!, readFileSync(join(PAGE_DIR, file!)))],
    ['GET', /^\/api\/jobs$/, async (_req, res) => sendJson(res, 200, await feed.snapshot())],
    ['GET', /^\/api\/events$/, async (_req, res) => feed.subscribe(res)],
    ['GET', /^\/api\/jobs\/([^/]+)$/, async (_req, res, [id]) => sendJson(res, 200, jobPage(await getJob(id!), masker, app.project.rootDir))],
    [
      'GET',
      /^\/api\/jobs\/([^/]+)\/rejects$/,
      async (_req, res, [id], url) => {
        const file = rejectsFileOf(await getJob(id!), app.project);
        const offset = Math.max(0, Number(url.searchParams.get('offset') ?? 0) || 0);
        const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
        const code = url.searchParams.get('code') || undefined;
        const path = url.searchParams.get('path') || undefined;
        const page = await rejects.page(file, { offset, limit, ...(code ? { code } : {}), ...(path ? { path } : {}) });
        sendJson(
          res,
          200,
          maskJson(page, (text) => masker.mask(text)),
        );
      },
    ],
    [
      'GET',
      /^\/api\/jobs\/([^/]+)\/download\/([^/]+)$/,
      async (req, res, [id, kind]) => sendArtifact(res, await getJob(id!), kind!, app.project, req.method === 'HEAD'),
    ],
    ['GET', /^\/api\/jobs\/([^/]+)\/rollback-check$/, async (_req, res, [id]) => sendJson(res, 200, await actions.rollbackCheck(id!))],
    ['POST', /^\/api\/jobs\/([^/]+)\/cancel$/, async (_req, res, [id]) => afterAction(res, await actions.cancel(id!))],
    ['POST', /^\/api\/jobs\/([^/]+)\/resume$/, async (_req, res, [id]) => afterAction(res, await actions.resume(id!))],
    ['POST', /^\/api\/jobs\/([^/]+)\/retry-rejects$/, async (_req, res, [id]) => afterAction(res, await actions.retryRejects(id!))],
    [
      'POST',
      /^\/api\/jobs\/([^/]+)\/rollback$/,
      async (req, res, [id]) => afterAction(res, await actions.rollback(id!, (await readJson(req))['force'] === true)),
    ],
    ['GET', /^\/api\/pipelines$/, async (_req, res) => sendJson(res, 200, await listPipelines(app))],
    ['GET', /^\/api\/schedules$/, async (_req, res) => sendJson(res, 200, await (await actions.engine()).listSchedules(pipelineSchedules(app)))],
    [
      'GET',
      /^\/api\/connections$/,
      async (_req, res) => sendJson(res, 200, { connections: Object.keys(app.project.config.connections), defaultColumns: defaultColumns() }),
    ],
    [
      'POST',
      /^\/api\/uploads$/,
      async (req, res, _p, url) => {
        const { id, name, bytes, format } = await uploads.receive(url.searchParams.get('name') ?? '', req, options.maxUpload);
        sendJson(res, 200, { upload: id, name, bytes, format });
      },
    ],
    [
      'POST',
      /^\/api\/runs\/dry-run$/,
      async (req, res) => {
        const body = await readJson(req);
        const pipeline = stringField(body, 'pipeline')!;
        const upload = uploadOf(body);
        const loaded = await loadNamedPipeline(app, pipeline);
        if ('file' in loaded.pipeline.target) throw new HttpError(400, `${loaded.name} is an export: the export builder previews its rows`);
        const plan = planRun(app, loaded, upload);
        const read = whatRunReads(loaded, plan, upload !== undefined);
        const report = await dryRunFor(app, plan);
        // A few hundred bytes each; the oldest go past a bound (a page left open for days).
        if (dryRuns.size >= 1000) dryRuns.delete(dryRuns.keys().next().value as string);
        dryRuns.set(report.id, { pipeline, upload: upload?.id ?? null, read });
        sendJson(res, 200, report);
      },
    ],
    [
      'POST',
      /^\/api\/runs$/,
      async (req, res) => {
        const body = await readJson(req);
        const pipeline = stringField(body, 'pipeline')!;
        const upload = uploadOf(body);
        const loaded = await loadNamedPipeline(app, pipeline);
        const dryRun = stringField(body, 'dryRun', false) ?? '';
        const seen = dryRuns.get(dryRun);
        const writesStore = !('file' in loaded.pipeline.target);
        const plan = planRun(app, loaded, upload);
        if (writesStore) {
          if (!seen || seen.pipeline !== pipeline || seen.upload !== (upload?.id ?? null))
            throw new HttpError(409, 'run the dry run of this pipeline and file first');
          if (seen.read !== whatRunReads(loaded, plan, upload !== undefined))
            throw new HttpError(409, `${pipeline} or its source changed since its dry run: run the dry run again to see what this run would do`);
        }
        const started = await actions.start(plan);
        // Once: the run changes the store, and the dry run no longer says what another would do.
        dryRuns.delete(dryRun);
        await afterAction(res, started);
      },
    ],
    [
      'POST',
      /^\/api\/export\/count$/,
      async (req, res) => {
        const body = await readJson(req);
        sendJson(res, 200, await liveCount(app, stringField(body, 'connection')!, stringField(body, 'query', false) ?? '*'));
      },
    ],
    [
      'POST',
      /^\/api\/export\/preview$/,
      async (req, res) => sendJson(res, 200, await previewExport(app, await loadDraft(app, parseDraft(await readJson(req))))),
    ],
    [
      'POST',
      /^\/api\/export\/run$/,
      async (req, res) => {
        const loaded = await loadDraft(app, parseDraft(await readJson(req)));
        await afterAction(res, await actions.start(planRun(app, loaded), true));
      },
    ],
    ['POST', /^\/api\/export\/save$/, async (req, res) => sendJson(res, 200, await saveDraft(app, parseDraft(await readJson(req))))],
  ];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://console.invalid');
      if (!guard.check(req, res, url)) return;
      for (const [method, pattern, handler] of routes) {
        const match = pattern.exec(url.pathname);
        if (!match) continue;
        if (req.method !== method && !(method === 'GET' && req.method === 'HEAD')) throw new HttpError(405, `${req.method ?? '?'} is not allowed here`);
        await handler(req, res, match.slice(1).map(decodeURIComponent), url);
        return;
      }
      throw new HttpError(404, `nothing at ${url.pathname.slice(0, 100)}`);
    } catch (err) {
      const [status, message] = statusOf(err);
      // The path only: a query may hold ?token=<FERRY_UI_TOKEN>, which the log must not keep.
      if (status === 500) log(`ui: ${req.method} ${(req.url ?? '').split('?')[0]}: ${masker.mask(message)}`);
      if (res.headersSent) return void res.destroy();
      // A body refused before it was read whole (too large): the rest is discarded, not read, and
      // the connection closed after the answer, so the client gets the answer instead of a reset.
      if (!req.complete) {
        res.setHeader('connection', 'close');
        req.resume();
        lingerAfterAnswer(req.socket);
      }
      // The browser opening the console without its token gets a page that says where it is; the page's script, JSON.
      if (status === 401 && (req.headers.accept ?? '').includes('text/html')) sendText(res, 401, 'text/html; charset=utf-8', REFUSED_PAGE);
      else sendJson(res, status, { error: masker.mask(message) });
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  // Each request's time is bounded (Node's request and header timeouts); their number is not,
  // and every open socket is a file descriptor the jobs running in this process need too.
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/`,
    async close() {
      feed.close();
      clearInterval(sweepTimer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await actions.settle();
      // Bounded: an engine that does not answer (a Temporal server gone) must not hold Ctrl-C.
      await Promise.race([sweepUploads(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    },
  };
}

const REFUSED_PAGE = `<!doctype html><meta charset="utf-8"><title>Ferry console: token needed</title><h1>Ferry console</h1><p>${TOKEN_REFUSED.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}.</p>\n`;

/** Sockets open at once; past it Node closes a new one at once. A browser tab holds one (the event stream) and a few while loading. */
export const MAX_CONNECTIONS = 128;

/**
 * What a run reads, as far as the console can tell it changed: the pipeline file's text and its
 * source file's size and time. An upload's time is left out: each use restarts its clock
 * (uploads.ts `get`), and it is written once, under its own id, never changed.
 */
function whatRunReads(loaded: LoadedPipeline, plan: JobPlan, fromUpload: boolean): string {
  const hash = createHash('sha256').update(loaded.text);
  if (plan.source.type === 'file') {
    const stat = statSync(plan.source.path, { throwIfNoEntry: false });
    hash.update(stat ? `\0${stat.ino}:${stat.size}:${fromUpload ? '' : stat.mtimeMs}` : '\0none');
  }
  return hash.digest('hex');
}

function statusOf(err: unknown): [number, string] {
  if (err instanceof HttpError) return [err.status, err.message];
  if (err instanceof JobRefused) return [409, err.message];
  if (err instanceof ConfigError) return [422, err.message];
  if (err instanceof URIError) return [400, 'malformed URL'];
  return [500, err instanceof Error ? err.message : String(err)];
}
