import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { exportPipeline, seed } from '../helpers/exports.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';

/**
 * A mapping may make each exported row large (each column stays within the mapping's 64 Mi
 * limit): a page of 1,000 such rows must not be held in memory whole. 120 rows of 2 MB under a
 * 160 MB heap: held at once (values and their text), the page needed about 500 MB and the process
 * ran out of memory; encoded and written out a few MB at a time, it does not.
 */
const ROWS = 120;
const ROW_CHARS = 2_000_000;

describe('an export of rows larger than a heap can hold a page of', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    seed(
      p,
      Array.from({ length: ROWS }, (_, i) => ({ email: `u${i}@x.io`, given_name: `G${i}` })),
    );
  });
  afterEach(() => p.cleanup());

  it('writes every row, whole, without running out of memory', () => {
    p.write('big.yaml', exportPipeline({ file: 'out/big.ndjson', extra: `columns:\n  email: email\n  c: $pad(email, ${ROW_CHARS}, "x")\n` }));
    const run = runFerry(['run', 'big.yaml', '--json'], {
      cwd: p.dir,
      env: { FERRY_BATCH_THREADS: '0', NODE_OPTIONS: '--max-old-space-size=160' },
    });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as JobReportJson;
    expect(report.summary).toMatchObject({ total: ROWS, exported: ROWS, rejected: 0 });
    // Every line whole: {"email":"…","c":"<ROW_CHARS characters>"}\n.
    const size = statSync(join(p.dir, report.artifacts.output!)).size;
    const emails = Array.from({ length: ROWS }, (_, i) => `u${i}@x.io`.length).reduce((a, b) => a + b, 0);
    expect(size).toBe(ROWS * (ROW_CHARS + '{"email":"","c":""}\n'.length) + emails);
  });
});
