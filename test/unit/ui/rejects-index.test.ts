import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RejectsIndex } from '../../../src/ui/rejects.js';
import { tempDir } from '../../helpers/cli.js';

describe('RejectsIndex', () => {
  const t = tempDir('ferry-rejects-index-');
  afterEach(() => t.cleanup());

  // Each request that came while the report was being read read it again: 20 at once held 20 copies of a big report.
  it('reads a report once for the requests that arrive while it is read', async () => {
    const file = join(t.dir, 'rejects.ndjson');
    const line = JSON.stringify({ row: 1, record: {}, errors: [{ code: 'FORMAT', path: 'email', message: 'bad' }] }) + '\n';
    writeFileSync(file, line.repeat(20_000));
    const index = new RejectsIndex();
    const pages = await Promise.all(Array.from({ length: 5 }, (_, i) => index.page(file, { offset: i, limit: 1 })));
    for (const page of pages) {
      expect(page.total).toBe(20_000);
      expect(page.codes).toBe(pages[0]!.codes); // one index, not five
    }
    writeFileSync(file, line); // changed: read again
    expect((await index.page(file, { offset: 0, limit: 10 })).total).toBe(1);
  });
});
