import { Command } from 'commander';
import { SecretMasker } from '../spec/secrets.js';
import { failureOf, jsonError, wantsJson, type CliFailure } from './cli-failure.js';
import { createContext, type CliContext } from './context.js';
import { connectionsTestCommand } from './connections.js';
import { CliExit, EXIT_INVALID } from './exit-codes.js';
import { initCommand } from './init.js';
import { jobErrorsCommand, type JobErrorsOptions } from './job-errors.js';
import { listJobsCommand, showJobCommand } from './jobs.js';
import { pruneJobsCommand, type PruneCommandOptions } from './jobs-prune.js';
import { retryRejectsCommand } from './retry-rejects.js';
import { rollbackCommand } from './rollback.js';
import { cancelCommand, resumeCommand, runCommand, type RunOptions } from './run.js';
import { schemaCommand } from './schema.js';
import { registerTemporalCommands } from './temporal.js';
import { applySchedulesCommand, listSchedulesCommand, serveCommand } from './schedules.js';
import { previewCommand } from './preview.js';
import { testCommand } from './test.js';
import { uiCommand, type UiCommandOptions } from './ui.js';
import { validateCommand } from './validate.js';
import { ferryVersion } from './version.js';
import { terminalLines } from '../spec/visible-text.js';

/** Builds the `ferry` command tree; each action is a thin call into a command module. */
export function buildProgram(): { program: Command; ctx: CliContext } {
  const program = new Command('ferry')
    .description('Declarative bulk user import/export pipelines, run as durable jobs')
    .version(ferryVersion(), '-V, --version', 'print the Ferry version')
    // The file is optional to the parser only: `ferry schema --config` is a flag of its own, and
    // program options are read wherever they stand, so this one would take the flag for itself.
    .option('-c, --config [file]', 'ferry.yaml to use (default: nearest in this folder or a parent)')
    .showHelpAfterError()
    .exitOverride();
  const configFlag = () => program.opts<{ config?: string | true }>().config;
  const ctx = createContext(() => {
    const config = configFlag();
    if (config === true) throw new CliExit(EXIT_INVALID, "error: option '-c, --config <file>' needs the ferry.yaml to use");
    return config;
  });

  program
    .command('init')
    .description('create a working project here: ferry.yaml, an import and an export pipeline, sample data, .gitignore')
    .option('--engine <engine>', 'embedded (default) or temporal')
    .option('--driver <driver>', 'the users connection: sqlite (default, .ferry/users.db) or postgres (url from $DATABASE_URL)')
    .option('--nested', 'create the project even inside another one (a ferry.yaml in a folder above)')
    .action((options: { engine?: string; driver?: string; nested?: boolean }) => initCommand(ctx, options));

  program
    .command('validate')
    .description('check pipeline files: every problem as file:line:col path: message')
    .argument('[pipelines...]', 'pipeline files (default: pipelines/**/*.yaml)')
    .option('-v, --verbose', 'also say which columns run compiled and which in the JSONata interpreter')
    .action((files: string[], options: { verbose?: boolean }) => validateCommand(ctx, files, options));

  program
    .command('test')
    .description("run the pipelines' test cases (<pipeline>.test.yaml beside each): compiled and interpreted mapping, no store; exit 1 on a failure")
    .argument('[pipelines...]', 'pipeline or test files (default: every pipelines/**/*.test.yaml)')
    .action((files: string[]) => testCommand(ctx, files));

  program
    .command('preview')
    .description("the first records of a pipeline's source as they would be written (mapped, coerced, checked), each with its rejects; no store, no job")
    .argument('<pipeline>', 'pipeline file')
    .option('-n <records>', 'how many records (default 5)')
    .option('--json', 'one JSON object per record: row, values, errors')
    .action((file: string, options: { n?: string; json?: boolean }) => previewCommand(ctx, file, options));

  program
    .command('run')
    .description('run a pipeline as a job and print its summary')
    .argument('<pipeline>', 'pipeline file')
    .option('--json', 'print the summary as one JSON object on stdout (nothing else)')
    .option('--engine <engine>', 'embedded (default) or temporal')
    .option('--sample [rows]', 'exports: write at most this many rows (default 10) beside the target (users.sample.csv), never over it')
    .option('--output <file>', 'with --sample: write the sample to this file instead')
    .option('--detach', 'temporal: start the job and return (ferry jobs show <id> follows it)')
    .option('--force-new', 'start a new job even if one is already running this submission (same pipeline and source)')
    .option('--dry-run', 'write nothing: report what would be inserted, updated, unchanged and rejected, with example diffs')
    .option('--examples <n>', 'dry run: example rows per kind (default 3)')
    .action((file: string, options: RunOptions) => runCommand(ctx, file, options));

  const jobs = program.command('jobs').description('list and inspect jobs');
  jobs
    .command('list', { isDefault: true })
    .description('jobs, newest first')
    .option('--json', 'one JSON object per job')
    .option('--limit <n>', 'how many', '50')
    .action((options: { json?: boolean; limit?: string }) => listJobsCommand(ctx, options));
  jobs
    .command('show')
    .description('status, summary, artifacts and notifications of a job')
    .argument('<id>', 'job id')
    .option('--json', 'as one JSON object')
    .action((id: string, options: { json?: boolean }) => showJobCommand(ctx, id, options));
  jobs
    .command('errors')
    .description('the rejected records of a job: a count per code, then row, code, path, offending value (masked), message')
    .argument('<id>', 'job id')
    .option('--json', 'the raw report, one JSON object per rejected record (NDJSON)')
    .option('--format <format>', 'text (default), csv (for a spreadsheet: formula-escaped) or json (as --json)')
    .action((id: string, options: JobErrorsOptions) => jobErrorsCommand(ctx, id, options));

  jobs
    .command('resume')
    .description('continue a failed, cancelled or interrupted job from its journal (finished batches are not redone)')
    .argument('<id>', 'job id')
    .option('--json', 'print the summary as one JSON object on stdout')
    .action((id: string, options: { json?: boolean }) => resumeCommand(ctx, id, options));
  jobs
    .command('retry-rejects')
    .argument('<id>', 'job id')
    .description('a new job over exactly the records job <id> rejected, through the pipeline as it is now')
    .option('--pipeline <file>', "the pipeline to run them through (default: the job's own, as it is now)")
    .option('--json', 'print the summary as one JSON object on stdout')
    .action((id: string, options: RunOptions & { pipeline?: string }) => retryRejectsCommand(ctx, id, options));
  jobs
    .command('rollback')
    .argument('<id>', 'job id')
    .description('put back what job <id> wrote: previous values of the rows it updated, and delete the rows it inserted')
    .option('--force', 'also put back rows changed by someone else since the job wrote them')
    .option('--json', 'print the summary as one JSON object on stdout')
    .action((id: string, options: RunOptions & { force?: boolean }) => rollbackCommand(ctx, id, options));
  jobs
    .command('prune')
    .description(
      "delete the jobs that ended (succeeded, failed, cancelled) longer ago than --older-than: journal record and folder; never a running or interrupted job, a pipeline's last success, or (unless --include-backups) a backup a rollback needs",
    )
    .requiredOption('--older-than <age>', 'e.g. 30d, 12h, 2w')
    .option('--dry-run', 'list what would be deleted; delete nothing')
    .option('--include-backups', 'also jobs whose backup allows a rollback')
    .option('--json', 'the result as one JSON object')
    .action((options: PruneCommandOptions) => pruneJobsCommand(ctx, options));
  jobs
    .command('cancel')
    .description('stop a job after its batches in flight (resumable)')
    .argument('<id>', 'job id')
    .action((id: string) => cancelCommand(ctx, id));

  program
    .command('schema')
    .description('print the JSON Schema of the pipeline format (for editor completion)')
    .option('--config', 'the JSON Schema of ferry.yaml instead')
    .action((options: { config?: boolean }) => schemaCommand(ctx, { config: options.config === true || configFlag() === true }));

  program
    .command('serve')
    .description("embedded engine: run the pipelines' schedules (cron) until Ctrl-C, one job at a time per pipeline")
    .argument('[pipelines...]', 'pipeline files (default: pipelines/**/*.yaml)')
    .option('--max-runs <n>', 'stop after this many runs')
    .action((files: string[], options: { maxRuns?: string }) => serveCommand(ctx, files, options));
  const schedules = program.command('schedules').description('scheduled pipelines');
  schedules
    .command('list', { isDefault: true })
    .description('each scheduled pipeline: cron, time zone, next run, last run')
    .option('--json', 'one JSON object per pipeline')
    .option('--engine <engine>', 'embedded (the serve schedules) or temporal (the Temporal Schedules); default from ferry.yaml')
    .action((options: { json?: boolean; engine?: string }) => listSchedulesCommand(ctx, options));
  schedules
    .command('apply')
    .description('Temporal: create/update a Temporal Schedule per pipeline `schedule:` (overlap skip), delete stale ones; idempotent')
    .argument('[pipelines...]', 'pipeline files (default: pipelines/**/*.yaml)')
    .option('--json', 'the result as one JSON object')
    .action((files: string[], options: { json?: boolean }) => applySchedulesCommand(ctx, files, options));

  program
    .command('connections')
    .description('the connections of ferry.yaml')
    .command('test')
    .description('open each connection (or the named one), read its table and columns, and say what works')
    .argument('[name]', 'one connection of ferry.yaml')
    .option('--timeout <seconds>', 'how long a connection may take to answer (default 10)')
    .action((name: string | undefined, options: { timeout?: string }) => connectionsTestCommand(ctx, name, options));

  program
    .command('ui')
    .description('the web console: jobs, rejects, rollback, runs with a dry run first, the export builder (until Ctrl-C)')
    .option('--host <host>', 'address to bind; anything but loopback needs FERRY_UI_TOKEN', '127.0.0.1')
    .option('--port <port>', 'port (0: any free one)', '8234')
    .option('--max-upload <mb>', 'largest uploaded source file, in MB', '100')
    .action((options: UiCommandOptions) => uiCommand(ctx, options));

  registerTemporalCommands(program, ctx);
  return { program, ctx };
}

export async function main(argv: string[]): Promise<number> {
  const { program, ctx } = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    return endWith(ctx, failureOf(err), wantsJson(argv.slice(2)));
  } finally {
    await ctx.close();
  }
}

/**
 * Says why the command failed, masked as every other message is: on stderr for people, and with
 * `--json` as one error object on stdout, unless the command already printed its result there
 * (a failed job's report): a script reads exactly one object either way.
 */
function endWith(ctx: CliContext, failure: CliFailure, json: boolean): number {
  const mask = maskerOf(ctx);
  if (failure.message) say(mask(failure.message));
  if (json && failure.code !== 0 && !ctx.wroteStdout()) {
    ctx.stdout(jsonError(mask(failure.jsonMessage || ctx.saidOnStderr().join('\n') || `exit ${failure.code}`), failure.code));
  }
  return failure.code;
}

/**
 * The project's secret masker; the values a message can quote come from its ferry.yaml and env.
 * Without a project (none here, or the failure is that it cannot be loaded) only the shape of a
 * URL password is masked.
 */
function maskerOf(ctx: CliContext): (text: string) => string {
  let masker: SecretMasker;
  try {
    masker = ctx.project().masker;
  } catch {
    masker = new SecretMasker();
  }
  return (text) => masker.mask(text);
}

/** An error message on stderr: it can quote data (a job id, a path), which must not drive the terminal. */
function say(message: string): void {
  process.stderr.write(`${terminalLines(message)}\n`);
}
