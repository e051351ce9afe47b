import { afterEach, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * A rollback's refusal names each row by its key, which is source data of any length: twenty keys
 * of 400 kB each made an 8 MB refusal. Each key is shown clipped now, and still names its row.
 */
let p: TestProject;
afterEach(() => p?.cleanup());

it('a refusal over rows with huge keys names them clipped', () => {
  p = new TestProject();
  const keys = Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, '0')}${'x'.repeat(400_000)}`);
  p.write('users.csv', ['email,given_name', ...keys.map((k) => `${k},Ann`)].join('\n') + '\n');
  p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users, upsert: true }\nvalidate: { schema: none }\n');
  const { report } = p.run('import.yaml');
  expect(report.summary).toMatchObject({ inserted: 25 });
  // Someone else changes every row since.
  p.write('rename.csv', ['email,given_name', ...keys.map((k) => `${k},Bob`)].join('\n') + '\n');
  p.write('rename.yaml', 'source: { file: rename.csv }\ntarget: { connection: users, upsert: true }\nvalidate: { schema: none }\n');
  expect(p.run('rename.yaml').report.summary).toMatchObject({ updated: 25 });

  const r = p.ferry('jobs', 'rollback', report.job);
  expect(r.code).toBe(1);
  expect(r.stderr.length).toBeLessThan(20_000);
  expect(r.stderr).toContain(`refusing to roll back job ${report.job}: 25 row(s) it wrote were changed by a later job or another writer since:\n`);
  expect(r.stderr).toMatch(/\n {2}row 1 email="k00x{180,}…: changed since\n/);
  expect(r.stderr).toContain('  … and 5 more\n');
});
