import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * A folder no file can be made in: read-only to a user, immutable (chattr +i) to root, which
 * ignores permissions. Undefined when this machine cannot make one (root without chattr).
 */
function lockFolder(dir: string): (() => void) | undefined {
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return () => chmodSync(dir, 0o755);
  }
  if (spawnSync('chattr', ['+i', dir]).status !== 0) return undefined;
  const unlock = (): void => void spawnSync('chattr', ['-i', dir]);
  try {
    writeFileSync(join(dir, 'probe'), '');
  } catch {
    return unlock; // locked indeed
  }
  unlock();
  return undefined;
}

/**
 * An export whose output folder cannot be written read every user and failed only when it
 * assembled its file, after all the work: validate and run's pre-flight say so at target.file.
 */
describe('validate refuses an export target in a folder that cannot be written', () => {
  let p: TestProject;
  let unlock: (() => void) | undefined;
  afterEach(() => {
    unlock?.();
    unlock = undefined;
    p.cleanup();
  });

  const exportTo = (file: string): string => `source:\n  connection: users\ntarget:\n  file: ${file}\n`;

  it.each([
    ['the folder itself', 'locked', 'locked/users.csv'],
    ['the nearest existing folder above it', 'locked', 'locked/new/{date}/users.csv'],
  ])('%s', (_what, folder, file) => {
    p = new TestProject();
    p.write('pipelines/export.yaml', exportTo(file));
    unlock = lockFolder(join(p.dir, 'pipelines', folder));
    if (!unlock) return expect.soft(true, 'cannot make a read-only folder here (root without chattr +i)').toBe(true);
    const v = p.ferry('validate');
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(
      new RegExp(
        `^pipelines/export\\.yaml:4:9 target\\.file: refusing to write pipelines/${file.replace(/[{}.]/g, '\\$&')}: it is in \\S*/pipelines/${folder}, which cannot be written \\(E(ACCES|PERM)\\)`,
      ),
    );
    expect(v.stderr).not.toMatch(/\n\s+at /);
    const r = p.ferry('run', 'pipelines/export.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`/pipelines/${folder}, which cannot be written`);
    expect(r.stdout + r.stderr).not.toContain('started');
    unlock();
    unlock = undefined;
    expect(p.ferry('validate')).toMatchObject({ code: 0, stdout: 'ok pipelines/export.yaml\n' });
  });
});
