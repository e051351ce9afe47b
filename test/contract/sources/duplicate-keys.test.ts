import { afterAll, describe, expect, it } from 'vitest';
import type { FileFormat } from '../../../src/spec/pipeline-schema.js';
import { errorsOf, optionsFor, placeOf, recordsOf, scanAndRead, tempDir } from './helpers.js';

/**
 * A key written twice in one JSON object would keep only its last value (JSON.parse's rule), so
 * the first would be dropped without a word. Such a record is a PARSE_ERROR at its row, naming the
 * field and the object it is in; the records around it are read as usual.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

const lines = [
  '{"email":"a@x.com","app_metadata":{"plan":"pro"}}',
  '{"email":"a@x.com","email":"b@x.com"}',
  '{"email":"c@x.com","app_metadata":{"plan":{"tier":"pro","tier":"free"}}}',
  '{"email":"d@x.com","note":"looks like \\"email\\": twice"}',
  '{"email":"e@x.com","e\\u006dail":"f@x.com"}',
];

describe.each(['ndjson', 'json'] as const)('%s records with a repeated key', (format: FileFormat) => {
  it('are PARSE_ERRORs naming the field and its object; the others are read', async () => {
    const content = format === 'json' ? `[${lines.join(',\n')}]` : lines.join('\n');
    const path = tmp.file(`dup-${++n}.${format}`, content);
    const { scan, items } = await scanAndRead(optionsFor(format, path), 2);
    expect(scan.total).toBe(5);
    // Each at its object's place in the file.
    const at = (line: string): string => placeOf(path, content, Buffer.from(content).indexOf(line));
    expect(errorsOf(items)).toEqual([
      { row: 2, raw: lines[1], error: `duplicate field "email" in one JSON object at ${at(lines[1]!)}; JSON keeps only the last value`, path: 'email' },
      {
        row: 3,
        raw: lines[2],
        error: `duplicate field "tier" in one JSON object (at app_metadata.plan) at ${at(lines[2]!)}; JSON keeps only the last value`,
        path: 'app_metadata.plan.tier',
      },
      { row: 5, raw: lines[4], error: `duplicate field "email" in one JSON object at ${at(lines[4]!)}; JSON keeps only the last value`, path: 'email' },
    ]);
    expect(recordsOf([items[0]!, items[3]!])).toEqual([
      { email: 'a@x.com', app_metadata: { plan: 'pro' } },
      { email: 'd@x.com', note: 'looks like "email": twice' },
    ]);
  });
});
