import type { Command } from 'commander';
import { join } from 'node:path';
import { projectRelative } from '../engine/temporal/portable-plan.js';
import type { PipelineSchedule } from '../engine/temporal/schedules.js';
import { loadPipeline } from '../project/load-pipeline.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';
import { findPipelines } from './validate.js';

/**
 * Registers the Temporal commands: `worker`, `dev-server`, `schedules apply`. Their modules are
 * imported when the command runs, so the other commands do not load the Temporal SDK.
 */
export function registerTemporalCommands(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('Temporal: run a worker for ferry.yaml\'s temporal.task_queue until Ctrl-C (same as `node dist/worker.js`)')
    .action(async () => (await import('../../worker.js')).runWorker(ctx.project(), { log: ctx.stderr }));
  program
    .command('dev-server')
    .description('start a local Temporal dev server (`temporal server start-dev`: the binary on PATH or FERRY_TEMPORAL_BIN) until Ctrl-C')
    .option('--port <port>', 'gRPC port', '7233')
    .option('--ui-port <port>', 'web UI port', '8233')
    .option('--db-file <file>', 'keep state in this SQLite file (default: in memory)')
    .action((options: { port: string; uiPort: string; dbFile?: string }) => devServerCommand(ctx, options));
  const schedules = program.commands.find((c) => c.name() === 'schedules') ?? program.command('schedules').description('scheduled pipelines');
  schedules
    .command('apply')
    .description('Temporal: create/update a Temporal Schedule per pipeline `schedule:` (overlap skip), delete stale ones; idempotent')
    .argument('[pipelines...]', 'pipeline files (default: pipelines/**/*.yaml)')
    .option('--json', 'the result as one JSON object')
    .action((files: string[], options: { json?: boolean }) => applySchedulesCommand(ctx, files, options));
}

async function devServerCommand(ctx: CliContext, options: { port: string; uiPort: string; dbFile?: string }): Promise<void> {
  const namespace = ctx.project().config.temporal.namespace;
  const { startDevServer } = await import('../engine/temporal/dev-server.js');
  const server = await startDevServer({ port: port(options.port), uiPort: port(options.uiPort), namespace, ...(options.dbFile ? { dbFile: options.dbFile } : {}) }).catch((err: unknown) => {
    throw new CliExit(EXIT_FAILED, (err as Error).message);
  });
  ctx.stdout(`Temporal dev server at ${server.address} (namespace ${namespace}; ${server.binary}); web UI http://127.0.0.1:${options.uiPort}`);
  ctx.stdout(`In another terminal: TEMPORAL_ADDRESS=${server.address} ferry worker; then ferry run <pipeline> --engine temporal. Ctrl-C stops the server.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
}

/** `ferry schedules apply`: the pipelines' `schedule:` fields become Temporal Schedules. */
async function applySchedulesCommand(ctx: CliContext, files: string[], options: { json?: boolean }): Promise<void> {
  const project = ctx.project();
  const schedules = scheduledPipelines(ctx, files);
  const [{ withClient }, { applySchedules, listFerrySchedules }, { temporalSettings }] = await Promise.all([
    import('../engine/temporal/client.js'),
    import('../engine/temporal/schedules.js'),
    import('../engine/temporal/settings.js'),
  ]);
  const settings = temporalSettings(project, ctx.env);
  await withClient(settings, async (client) => {
    const result = await applySchedules(client, settings, schedules);
    if (options.json) return ctx.stdout(JSON.stringify(result));
    for (const id of result.created) ctx.stdout(`created  ${id}`);
    for (const id of result.updated) ctx.stdout(`updated  ${id}`);
    for (const id of result.deleted) ctx.stdout(`deleted  ${id} (its pipeline has no schedule: any more)`);
    printSchedules(ctx, await listFerrySchedules(client));
  });
}

/** `ferry schedules list` on engine: temporal: Ferry's schedules as the Temporal server has them. */
export async function listTemporalSchedulesCommand(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const [{ withClient }, { listFerrySchedules }, { temporalSettings }] = await Promise.all([
    import('../engine/temporal/client.js'),
    import('../engine/temporal/schedules.js'),
    import('../engine/temporal/settings.js'),
  ]);
  await withClient(temporalSettings(ctx.project(), ctx.env), async (client) => {
    const schedules = await listFerrySchedules(client);
    if (options.json) return schedules.forEach((s) => ctx.stdout(JSON.stringify(s)));
    if (schedules.length === 0) return ctx.stdout('no Ferry schedule on the Temporal server (ferry schedules apply creates them)');
    printSchedules(ctx, schedules);
  });
}

function printSchedules(ctx: CliContext, schedules: { id: string; cron: string; nextRuns: string[]; paused: boolean }[]): void {
  for (const s of schedules) ctx.stdout(`${s.id.padEnd(32)} ${s.cron.padEnd(24)} next ${s.nextRuns[0] ?? 'never'}${s.paused ? ' (paused)' : ''}`);
}

function scheduledPipelines(ctx: CliContext, files: string[]): PipelineSchedule[] {
  const project = ctx.project();
  const candidates = files.length > 0 ? files : findPipelines(join(project.rootDir, 'pipelines'));
  const out: PipelineSchedule[] = [];
  let invalid = false;
  for (const file of candidates) {
    const result = loadPipeline(project, ctx.cwd, file);
    if (!result.ok) {
      invalid = true;
      for (const d of result.diagnostics) ctx.stderr(project.masker.mask(formatDiagnostic(d)));
      continue;
    }
    const { pipeline, name, path } = result.loaded;
    if (typeof pipeline.schedule !== 'string') continue;
    if (out.some((s) => s.pipeline === name)) throw new CliExit(EXIT_INVALID, `two scheduled pipelines are named "${name}"; names must be unique`);
    out.push({ pipeline: name, file: projectRelative(path, project.rootDir), cron: pipeline.schedule, ...(pipeline.timezone ? { timezone: pipeline.timezone } : {}), catchUp: pipeline.catch_up });
  }
  // Applying with an invalid pipeline left out would delete its schedule: refuse instead.
  if (invalid) throw new CliExit(EXIT_INVALID, 'not applied: fix the pipelines above first');
  return out;
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new CliExit(EXIT_INVALID, `expected a port number, got "${text}"`);
  return n;
}
