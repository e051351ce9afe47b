import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * Each reject of a source file says the line its record starts on, whichever stage refused it:
 * the parse, the record rules, or the store. Rows and lines part where a quoted cell spans lines.
 */
let p: TestProject;
beforeEach(() => {
  p = new TestProject();
});
afterEach(() => p.cleanup());

const pipeline = (source: string, extra = ''): string => `source:\n  file: ${source}\ntarget:\n  connection: users\n${extra}`;

describe('reject lines', () => {
  it.each([1, 2, 1000])('gives each reject its line, with CRLF, bare CR and a quoted cell spanning lines, at batch size %i', (size) => {
    p.write('first.json', [{ email: 'taken@x.io' }]);
    p.write('first.yaml', pipeline('first.json'));
    expect(p.run('first.yaml').report.summary.inserted).toBe(1);
    const csv = [
      'email,given_name\r\n', // line 1
      'a@x.io,"Ann\nof\r\nthree lines"\r\n', // row 1: lines 2–4 (FORMAT: a name holds no line break)
      'not-an-email,Bob\r', // row 2: line 5 (FORMAT)
      'c@x.io\n', // row 3: line 6 (PARSE_ERROR: one column)
      '\n', // line 7: blank, skipped
      'taken@x.io,Dup\n', // row 4: line 8 (DUPLICATED_USER, from the store's write)
      'e@x.io,"E\n"\n', // row 5: lines 9–10 (FORMAT)
      'bad@,Last\n', // row 6: line 11 (FORMAT)
      'ok@x.io,Ok\n', // row 7: line 12
    ].join('');
    p.write('users.csv', csv);
    p.write('second.yaml', pipeline('users.csv', `batch: { size: ${size} }\n`));
    const { report } = p.run('second.yaml');
    const rejects = p.rejects(report) as unknown as { row: number; line?: number; errors: { code: string }[] }[];
    expect(rejects.map((r) => [r.row, r.line, r.errors[0]!.code])).toEqual([
      [1, 2, 'FORMAT'],
      [2, 5, 'FORMAT'],
      [3, 6, 'PARSE_ERROR'],
      [4, 8, 'DUPLICATED_USER'],
      [5, 9, 'FORMAT'],
      [6, 11, 'FORMAT'],
    ]);
    expect(p.rows('SELECT email FROM users ORDER BY email')).toEqual([{ email: 'ok@x.io' }, { email: 'taken@x.io' }]);
  });
});
