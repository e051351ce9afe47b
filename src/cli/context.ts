import { createApp, type App } from '../app.js';
import { loadProject, type Project } from '../project/load-config.js';
import { terminalLines } from '../spec/visible-text.js';

/** What every command gets: where it runs, its project and application, and where to print. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Whether anything was printed on stdout: a `--json` result there means no error object follows it. */
  wroteStdout(): boolean;
  /** The last lines said on stderr, in order: a failure that printed its reasons there (diagnostics) gives them to `--json`. */
  saidOnStderr(): readonly string[];
  project(): Project;
  /** The application (engines, connection pool), built on first use and closed when the command ends. */
  app(): App;
  close(): Promise<void>;
}

/** How many of the last stderr lines a failure can give `--json`: a command's reasons (diagnostics), not a log. */
const STDERR_KEPT = 50;

export function createContext(configPath: () => string | undefined): CliContext {
  let project: Project | undefined;
  let app: App | undefined;
  // `ferry jobs list | head`: the reader went away; what it did not read is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
  let wroteStdout = false;
  const stderrLines: string[] = [];
  const ctx: CliContext = {
    cwd: process.cwd(),
    env: process.env,
    stdout: (line) => {
      wroteStdout = true;
      process.stdout.write(line + '\n');
    },
    stderr: (line) => {
      // The last few only: `ferry serve` says something at every run for as long as it runs.
      if (stderrLines.push(line) > STDERR_KEPT) stderrLines.shift();
      // Messages quote data (a job id made of the pipeline's file name, a path): a terminal must
      // show an ESC or a bidi override in them, not act on it. Escaping again is harmless.
      process.stderr.write(terminalLines(line) + '\n');
    },
    wroteStdout: () => wroteStdout,
    saidOnStderr: () => stderrLines,
    project() {
      project ??= loadProject(process.cwd(), configPath(), process.env);
      return project;
    },
    app() {
      app ??= createApp(ctx.project(), { cwd: ctx.cwd, env: ctx.env });
      return app;
    },
    async close() {
      await app?.close();
      app = undefined;
    },
  };
  return ctx;
}
