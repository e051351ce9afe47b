import { loadProject, type Project } from '../project/load-config.js';

/** What every command gets: where it runs, its project, and where to print. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  project(): Project;
}

export function createContext(configPath: () => string | undefined): CliContext {
  let project: Project | undefined;
  // `ferry jobs list | head`: the reader went away; what it did not read is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (line) => process.stdout.write(line + '\n'),
    stderr: (line) => process.stderr.write(line + '\n'),
    project() {
      project ??= loadProject(process.cwd(), configPath(), process.env);
      return project;
    },
  };
}
