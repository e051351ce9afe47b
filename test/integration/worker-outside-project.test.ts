import { afterEach, expect, it } from 'vitest';
import { runFerry, tempDir } from '../helpers/cli.js';
import { freePort } from '../helpers/temporal-server.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

it('ferry worker outside any project (a monorepo root, the wrong folder) says it serves the defaults, naming the task queue', async () => {
  // It polled the shared `ferry` queue with state in .ferry/ of whatever folder it was started in,
  // saying nothing: the project's jobs, on the project's own queue, waited for a worker.
  const { dir, cleanup } = tempDir('ferry-worker-');
  cleanups.push(cleanup);
  const result = runFerry(['worker'], { cwd: dir, env: { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` } });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(
    "ferry worker: no ferry.yaml in this folder or above: serving Ferry's defaults here (task queue ferry, state in .ferry/); start it in the project's folder, or name its ferry.yaml with --config",
  );
});
