import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { distRoot } from '../helpers/cli.js';

const moduleUrl = pathToFileURL(join(distRoot, 'src', 'young-generation.js')).href;

/**
 * The V8 flag is process-wide, so each case runs in a node process of its own: it allocates 300k
 * objects that all survive (what V8 answers by growing the young generation) and prints the young
 * generation's size in MB. `worker`: a thread starts during the hold; `tell`: isolateStarted once it is online.
 */
function youngMbAfterSurvivors(how: { hold: boolean; worker?: boolean; tell?: boolean; afterRelease?: boolean }): number {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { Worker } from 'node:worker_threads';
    import { holdingYoungGeneration, isolateStarted } from ${JSON.stringify(moduleUrl)};
    const how = ${JSON.stringify(how)};
    const keep = [];
    const survive = () => { for (let i = 0; i < 3e5; i++) keep.push({ a: i, b: 'x' + i, c: [i] }); };
    const youngMb = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;
    const work = async () => {
      if (how.worker) {
        const worker = new Worker('setTimeout(() => {}, 200)', { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
        await new Promise((resolve) => worker.once('online', () => { if (how.tell) isolateStarted(); resolve(); }));
      }
      if (!how.afterRelease) survive();
      return youngMb();
    };
    let mb = how.hold ? await holdingYoungGeneration(work) : await work();
    if (how.afterRelease) { survive(); mb = youngMb(); }
    process.stdout.write(String(mb));
  `;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }));
}

describe('holdingYoungGeneration', () => {
  it('keeps the young generation at its size while objects survive, where V8 alone grows it', () => {
    expect(youngMbAfterSurvivors({ hold: false })).toBeGreaterThanOrEqual(16);
    expect(youngMbAfterSurvivors({ hold: true })).toBeLessThanOrEqual(4);
  });

  it('lets it grow again once released', () => {
    expect(youngMbAfterSurvivors({ hold: true, afterRelease: true })).toBeGreaterThanOrEqual(16);
  });

  it('holds across a thread started meanwhile when told the thread is online, which alone ends the hold', () => {
    expect(youngMbAfterSurvivors({ hold: true, worker: true })).toBeGreaterThanOrEqual(16);
    expect(youngMbAfterSurvivors({ hold: true, worker: true, tell: true })).toBeLessThanOrEqual(4);
  });
});
