import { afterAll, describe, expect, it } from 'vitest';
import type { FileFormat } from '../../../src/spec/pipeline-schema.js';
import { inexactNumberMessage } from '../../../src/validation/inexact-numbers.js';
import { scanAndRead, optionsFor, tempDir } from './helpers.js';

/**
 * JSON.parse rounds a number beyond ±2^53 to the nearest double, so two ids one apart would read
 * as one. The source reads the digits as written and hands the record on with a FORMAT error at
 * each such number's path, to be rejected with whatever else its checks find.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

const lines = [
  '{"email":"a@x.com","id":12345678901234567891,"meta":{"tw":1234567890123456789}}',
  '{"email":"b@x.com","id":12345678901234567892}',
  '{"email":"c@x.com","id":"12345678901234567893","meta":{"n":9007199254740991,"big":1e20}}',
];

describe.each(['ndjson', 'json'] as const)('%s records with a number a double would round', (format: FileFormat) => {
  it('carry a FORMAT error at its path; the others carry none', async () => {
    const content = format === 'json' ? `[${lines.join(',\n')}]` : lines.join('\n');
    const { items } = await scanAndRead(optionsFor(format, tmp.file(`num-${++n}.${format}`, content)), 2);
    const error = (path: string) => ({ code: 'FORMAT', path, message: inexactNumberMessage(true) });
    expect(items.map((item) => [item.row, 'errors' in item ? item.errors : undefined])).toEqual([
      [1, [error('id'), error('meta.tw')]],
      [2, [error('id')]],
      [3, undefined],
    ]);
  });
});
