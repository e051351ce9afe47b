import { createApp, type App } from '../app.js';
import { loadProject, type Project } from '../project/load-config.js';

/** What every command gets: where it runs, its project and application, and where to print. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  project(): Project;
  /** The application (engines, connection pool), built on first use and closed when the command ends. */
  app(): App;
  close(): Promise<void>;
}

export function createContext(configPath: () => string | undefined): CliContext {
  let project: Project | undefined;
  let app: App | undefined;
  // `ferry jobs list | head`: the reader went away; what it did not read is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
  const ctx: CliContext = {
    cwd: process.cwd(),
    env: process.env,
    stdout: (line) => process.stdout.write(line + '\n'),
    stderr: (line) => process.stderr.write(line + '\n'),
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
