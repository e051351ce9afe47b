import type { App } from '../../src/app.js';
import type { UiServer } from '../../src/ui/server.js';
import { randomBytes } from 'node:crypto';
import { trustConsole } from './console-auth.js';
import { TestProject } from './project.js';

export interface ConsoleFixture {
  p: TestProject;
  app: App;
  server: UiServer;
  /** The token every request must present (the fixture's fetch presents it: console-auth.ts). */
  token: string;
  /** Stops the server, closes the app and removes the project. */
  close(): Promise<void>;
}

/**
 * A project with one SQLite connection (`users`) and the console serving it on a free port,
 * with a token of its own, as `ferry ui` serves it: where the console's socket-level tests start. Imported lazily, as the
 * tests' own imports of src are, so a test file that does not start one loads none of it.
 */
export async function startConsole(): Promise<ConsoleFixture> {
  const p = new TestProject();
  p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: .ferry/users.db }\n');
  const [{ loadProject }, { createApp }, { startUiServer }] = await Promise.all([
    import('../../src/project/load-config.js'),
    import('../../src/app.js'),
    import('../../src/ui/server.js'),
  ]);
  const app = createApp(loadProject(p.dir, undefined, process.env), { cwd: p.dir, env: process.env });
  const token = randomBytes(32).toString('base64url');
  const server = await startUiServer({ app, host: '127.0.0.1', port: 0, token, maxUpload: 1024 * 1024, pollMs: 200, log: () => undefined });
  const untrust = trustConsole(server.url, token);
  return {
    p,
    app,
    server,
    token,
    async close() {
      untrust();
      await server.close();
      await app.close();
      p.cleanup();
    },
  };
}
