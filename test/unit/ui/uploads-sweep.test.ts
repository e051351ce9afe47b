import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobListing } from '../../../src/engine/engine.js';
import { UNUSED_UPLOAD_MS, Uploads } from '../../../src/ui/uploads.js';

/** The console's upload lifecycle on real files: what the sweep deletes and what it keeps. */
describe('Uploads.sweep', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const body = (text: string): IncomingMessage => Object.assign(Readable.from([Buffer.from(text)]), { headers: {} }) as unknown as IncomingMessage;
  const job = (status: JobListing['status'], rejected: number): JobListing =>
    ({ status, summary: { total: 1, inserted: 0, updated: 0, unchanged: 0, rejected, exported: 0, batches: { done: 1, total: 1 } } }) as unknown as JobListing;

  it('keeps an upload while a job may read it again, deletes it once none may, and an unused one after an hour', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-uploads-'));
    let now = Date.now();
    const uploads = new Uploads(dir, () => now);
    const jobs = new Map<string, JobListing>();
    const sweep = () => uploads.sweep(async (id) => jobs.get(id));

    const used = await uploads.receive('a.csv', body('email\na@x.io\n'), 1000);
    const unused = await uploads.receive('b.csv', body('email\nb@x.io\n'), 1000);
    uploads.startedFrom(used.path, 'job-1');
    jobs.set('job-1', job('failed', 0));
    expect(await sweep()).toEqual([]); // failed: a resume reads it
    jobs.set('job-1', job('succeeded', 2));
    expect(await sweep()).toEqual([]); // its rejects may be retried from it
    uploads.startedFrom(used.path, 'job-2'); // the retry
    jobs.set('job-2', job('succeeded', 0));
    jobs.delete('job-1'); // pruned
    expect(await sweep()).toEqual([used.id]);
    expect(existsSync(used.path)).toBe(false);

    // Unused: kept for an hour after it was last used (a dry run uses it again).
    now += UNUSED_UPLOAD_MS - 1000;
    uploads.get(unused.id);
    now += 2000;
    expect(await sweep()).toEqual([]);
    now += UNUSED_UPLOAD_MS;
    expect(await sweep()).toEqual([unused.id]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves alone an upload from before this lifecycle (no list of jobs) and deletes an old partial body', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-uploads-'));
    mkdirSync(dir, { recursive: true });
    const legacy = join(dir, `${'a'.repeat(24)}.csv`);
    const partial = join(dir, `${'b'.repeat(24)}.partial`);
    writeFileSync(legacy, 'email\n');
    writeFileSync(partial, 'email\n');
    const past = new Date(Date.now() - 2 * UNUSED_UPLOAD_MS);
    utimesSync(legacy, past, past);
    utimesSync(partial, past, past);
    expect(await new Uploads(dir).sweep(async () => undefined)).toEqual([]);
    expect(readdirSync(dir)).toEqual([`${'a'.repeat(24)}.csv`]);
  });
});
