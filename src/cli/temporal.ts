import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED } from './exit-codes.js';
import { wholeNumber } from './usage.js';

/**
 * Registers the Temporal commands: `worker`, `dev-server`. Their modules are
 * imported when the command runs, so the other commands do not load the Temporal SDK.
 */
export function registerTemporalCommands(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description("Temporal: run a worker for ferry.yaml's temporal.task_queue until Ctrl-C (same as `node dist/worker.js` in Ferry's package)")
    .action(async () => {
      const project = ctx.project();
      // Started in the wrong folder (a monorepo's root), it would poll the shared default queue unnoticed.
      if (project.configFile === undefined) {
        ctx.stderr(
          `ferry worker: no ferry.yaml in this folder or above: serving Ferry's defaults here (task queue ${project.config.temporal.task_queue}, ` +
            `state in ${project.config.state_dir.replace(/\/*$/, '/')}); start it in the project's folder, or name its ferry.yaml with --config`,
        );
      }
      await (await import('../../worker.js')).runWorker(project, { log: ctx.stderr });
    });
  program
    .command('dev-server')
    .description('start a local Temporal dev server (`temporal server start-dev`: the binary on PATH or FERRY_TEMPORAL_BIN) until Ctrl-C')
    .option('--port <port>', 'gRPC port', '7233')
    .option('--ui-port <port>', 'web UI port', '8233')
    .option('--db-file <file>', 'keep state in this SQLite file (default: in memory)')
    .action((options: { port: string; uiPort: string; dbFile?: string }) => devServerCommand(ctx, options));
}

async function devServerCommand(ctx: CliContext, options: { port: string; uiPort: string; dbFile?: string }): Promise<void> {
  const namespace = ctx.project().config.temporal.namespace;
  const { startDevServer } = await import('../engine/temporal/dev-server.js');
  const server = await startDevServer({
    port: wholeNumber(options.port, '--port', 1, 65535),
    uiPort: wholeNumber(options.uiPort, '--ui-port', 1, 65535),
    namespace,
    ...(options.dbFile ? { dbFile: options.dbFile } : {}),
  }).catch((err: unknown) => {
    throw new CliExit(EXIT_FAILED, (err as Error).message);
  });
  ctx.stdout(`Temporal dev server at ${server.address} (namespace ${namespace}; ${server.binary}); web UI http://127.0.0.1:${options.uiPort}`);
  ctx.stdout(`In another terminal: TEMPORAL_ADDRESS=${server.address} ferry worker; then ferry run <pipeline> --engine temporal. Ctrl-C stops the server.`);
  const signalled = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // A server that stops by itself ends the command with its reason (Node exited 13, in silence: nothing was left to wait on).
  let stopping = false;
  const ended = server.ended.then(({ code, signal, stderr }) => {
    if (stopping) return;
    throw new CliExit(
      EXIT_FAILED,
      `the Temporal dev server at ${server.address} stopped (${signal ? `killed by ${signal}` : `exit code ${code}`})${stderr ? `: ${stderr}` : ''}`,
    );
  });
  await Promise.race([signalled, ended]);
  stopping = true;
  await server.stop();
}
