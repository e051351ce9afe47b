import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exitWithin, ferryBin, repoRoot, tempDir } from '../helpers/cli.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { taskQueue } from '../helpers/temporal-workers.js';

/**
 * Ferry installed in a folder whose path has a `?` or `!`: webpack, which bundles the workflow
 * code, reads them as a query or a loader and fails; the SDK then threw a TypeError from inside
 * webpack's callback, and `ferry worker` died with a raw stack.
 */
describeTemporal('ferry worker from a package at a path webpack cannot bundle from', { timeout: 120_000 }, () => {
  const server = useTemporalServer();
  const cleanups: Array<() => void> = [];
  let root: string;

  beforeAll(() => {
    const { dir, cleanup } = tempDir('ferry-install-path-');
    cleanups.push(cleanup);
    root = dir;
  });
  afterAll(() => cleanups.forEach((cleanup) => cleanup()));

  /** A copy of the compiled package in `<root>/<folder>/ferry`, resolving its dependencies from the repository's. */
  const installAt = (folder: string): string => {
    const pkg = join(root, folder, 'ferry');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(ferryBin, '../../..'), join(pkg, 'dist'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{ "name": "ferry", "version": "0.0.0", "type": "module" }\n');
    symlinkSync(join(repoRoot, 'node_modules'), join(pkg, 'node_modules'));
    return join(pkg, 'dist/src/cli/bin.js');
  };

  const worker = (bin: string, cwd: string): Promise<{ code: number | null; stderr: string; hung: boolean }> =>
    exitWithin(spawn(process.execPath, [bin, 'worker'], { cwd, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'ignore', 'pipe'] }), 60_000);

  for (const folder of ['why?', 'wow!']) {
    it(`a "${folder}" in the path: exit 1 naming the path and the character, no stack`, async () => {
      const bin = installAt(folder);
      const project = join(root, `project-${folder.slice(0, 3)}`);
      mkdirSync(project);
      writeFileSync(join(project, 'ferry.yaml'), `engine: temporal\ntemporal: { address: "${server().address}", task_queue: ${taskQueue('path')} }\n`);
      const result = await worker(bin, project);
      expect(result.hung).toBe(false);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(`ferry: Ferry's workflow code is at ${join(root, folder, 'ferry/dist/workflows/index.js')}, whose "${folder.slice(-1)}"`);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    });
  }
});
