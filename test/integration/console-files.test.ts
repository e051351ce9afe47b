import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startConsole, type RunningConsole } from '../helpers/browser.js';
import { exportPipeline, seed } from '../helpers/exports.js';
import { TestProject } from '../helpers/project.js';

/**
 * The files the console serves and keeps: an export's output is served only as the regular file
 * the job wrote inside the project (never through a link put at its path).
 */
describe('ferry ui files', () => {
  let p: TestProject;
  let ui: RunningConsole | undefined;
  const others: string[] = [];
  afterEach(async () => {
    if (ui) expect(await ui.stop(), ui.stderr()).toBe(0);
    ui = undefined;
    p?.cleanup();
    for (const dir of others.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses an export's output that was replaced by a link, to a file outside the project or inside it", async () => {
    p = new TestProject();
    seed(p);
    p.write('p.yaml', exportPipeline({ file: 'out/users.csv' }));
    const { code, report } = p.run('p.yaml');
    expect(code).toBe(0);
    ui = await startConsole(p.dir);
    const download = () => fetch(`${ui!.url}api/jobs/${report.job}/download/output`).then(async (r) => ({ status: r.status, text: await r.text() }));
    expect(await download()).toMatchObject({ status: 200, text: expect.stringContaining('user_id,given_name') });

    const outside = mkdtempSync(join(tmpdir(), 'ferry-secret-'));
    others.push(outside);
    writeFileSync(join(outside, 'secret.txt'), 'the root password\n');
    rmSync(join(p.dir, 'out/users.csv'));
    symlinkSync(join(outside, 'secret.txt'), join(p.dir, 'out/users.csv'));
    const linked = await download();
    expect(linked.status).toBe(403);
    expect(JSON.parse(linked.text)).toEqual({
      error: `refused: the output of job ${report.job}, users.csv, is a symbolic link; only the file the job wrote is served`,
    });
    expect(linked.text).not.toContain('root password');
    const page = (await (await fetch(`${ui.url}api/jobs/${report.job}`)).json()) as { artifacts: string[] };
    expect(page.artifacts).not.toContain('output');

    // A link to another file of the project is refused the same way.
    rmSync(join(p.dir, 'out/users.csv'));
    symlinkSync(join(p.dir, 'seed/users.json'), join(p.dir, 'out/users.csv'));
    expect((await download()).status).toBe(403);

    // The output's folder replaced by a link leading out of the project.
    rmSync(join(p.dir, 'out'), { recursive: true });
    writeFileSync(join(outside, 'users.csv'), 'the root password\n');
    symlinkSync(outside, join(p.dir, 'out'));
    const escaped = await download();
    expect(escaped.status).toBe(403);
    expect(escaped.text).toContain('is not inside the project folder');
  }, 60_000);
});
