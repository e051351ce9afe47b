import { describe, expect, it } from 'vitest';
import { replayedWrite, writeMarker } from '../../../src/connections/batch-marker.js';
import type { WriteBatchOutput } from '../../../src/connections/types.js';

function output(changes: WriteBatchOutput['changes']): WriteBatchOutput {
  return {
    inserted: 2,
    updated: 0,
    unchanged: 0,
    rejects: [{ row: 3, errors: [{ code: 'FORMAT', message: 'bad', path: 'email' }] }],
    replayed: false,
    changes,
  };
}

describe('writeMarker', () => {
  it("keeps every change but a preview's after images, in the output's own order", () => {
    const changes = [
      { row: 1, key: { email: 'a@x.io' }, before: null, afterHash: 'h1' },
      { row: 2, key: { email: 'b@x.io' }, before: { name: 'B' }, afterHash: 'h2' },
    ];
    const plain = output(changes);
    const previewed = output(changes.map((c) => ({ ...c, after: { email: c.key.email } })));
    expect(writeMarker(plain)).toBe(JSON.stringify(plain));
    expect(writeMarker(previewed)).toBe(JSON.stringify(plain));
    expect(previewed.changes[0]?.after).toEqual({ email: 'a@x.io' });
    expect(replayedWrite(writeMarker(previewed))).toEqual({ ...plain, replayed: true });
  });
});
