import { describe, expect, it } from 'vitest';
import { jsonTarget } from '../../../src/targets/json.js';
import { ndjsonTarget } from '../../../src/targets/ndjson.js';
import type { TargetDefinition } from '../../../src/targets/types.js';

const options = { headers: ['user_id', 'email', 'meta', '2024'], escapeFormulas: false };

/** A whole file the way finalizeJob assembles it: header, non-empty parts joined by the separator, footer. */
async function file(target: TargetDefinition, parts: Record<string, unknown>[][]): Promise<string> {
  const encoded = (await Promise.all(parts.map((rows) => target.encode(rows, options)))).filter((p) => p !== '');
  return (await target.header(options)) + encoded.join(target.separator) + target.footer(encoded.length === 0);
}

describe('json target', () => {
  it('writes one array, a user per line, keys in column order, missing and null values left out', async () => {
    const text = await file(jsonTarget, [
      [
        { email: 'a@x.io', user_id: 'u1', meta: { plan: 'pro', n: null } },
        { user_id: 'u2', email: null, '2024': 7 },
      ],
      [],
      [{ user_id: 'u3', email: 'c@x.io' }],
    ]);
    expect(text).toBe(
      '[\n{"user_id":"u1","email":"a@x.io","meta":{"plan":"pro","n":null}},\n{"user_id":"u2","2024":7},\n{"user_id":"u3","email":"c@x.io"}\n]\n',
    );
    expect(JSON.parse(text)).toHaveLength(3);
  });

  it('writes an empty export as []', async () => {
    expect(await file(jsonTarget, [[], []])).toBe('[]\n');
    expect(JSON.parse(await file(jsonTarget, []))).toEqual([]);
  });
});

describe('ndjson target', () => {
  it('writes one object per line, every line ending with a newline', async () => {
    const text = await file(ndjsonTarget, [[{ user_id: 'u1', email: 'a"b@x.io' }], [], [{ user_id: 'u2', meta: ['x'] }]]);
    expect(text).toBe('{"user_id":"u1","email":"a\\"b@x.io"}\n{"user_id":"u2","meta":["x"]}\n');
    expect(await file(ndjsonTarget, [])).toBe('');
  });
});
