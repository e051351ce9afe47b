import { afterEach, describe, expect, it } from 'vitest';
import { checkExpression } from '../../src/mapping/expression.js';
import { TestProject } from '../helpers/project.js';

/*
 * A picture written as a literal that its function cannot use (`$formatInteger(n, "###")`) passed
 * `ferry validate`, and `ferry run` then rejected every record with the same error. It is a validate
 * error at the literal, with the function, the picture and what is wrong.
 */

describe('literal pictures', () => {
  let project: TestProject | undefined;
  afterEach(() => project?.cleanup());

  it.each([
    ['$formatInteger(n, "###")', 18, /^\$formatInteger: the picture "###" cannot be used: .*a decimal picture needs a digit 0–9/],
    ['n ~> $formatInteger("###")', 20, /^\$formatInteger: the picture "###" cannot be used/],
    [
      '$parseInteger(s, "0٣")',
      17,
      /^\$parseInteger: the picture "0٣" cannot be used: In a decimal digit pattern, all digits must be from the same decimal group$/,
    ],
    ['$formatNumber(n, "#.#.#")', 17, /^\$formatNumber: the picture "#\.#\.#" cannot be used: .*more than one instance of the 'decimal-separator'/],
    ['$fromMillis(n, "[Q]")', 15, /^\$fromMillis: the picture "\[Q\]" cannot be used: Unknown component specifier "Q"/],
    ['$now("[Y")', 5, /^\$now: the picture "\[Y" cannot be used: No matching closing bracket/],
  ])('%s is refused at the literal', (expr, offset, message) => {
    const error = checkExpression(expr);
    expect(error).toMatchObject({ code: 'FERRY_PICTURE', offset });
    expect(error?.message).toMatch(message);
  });

  it.each([
    '$formatInteger(n, "#,##0")',
    '$formatInteger(n, "w")',
    '$parseInteger(s, "I")',
    '$formatNumber(n, "#,##0.00;(#,##0.00)")',
    '$fromMillis(n, "[Y0001]-[M01]-[D01]")',
    '$formatInteger(n, picture)',
    '($formatInteger := function($n, $p){ $p }; $formatInteger(1, "###"))',
  ])('%s passes', (expr) => {
    expect(checkExpression(expr)).toBeUndefined();
  });

  it('ferry validate reports file:line:col', () => {
    project = new TestProject();
    project.write('users.csv', 'email,n\na@example.com,5\n');
    project.write(
      'p.yaml',
      'source: { file: users.csv }\ntarget: { connection: users }\ncolumns:\n  email: email\n  nickname: $formatInteger($number(n), "###")\n',
    );
    const result = project.ferry('validate', 'p.yaml');
    expect(result.stdout.trim().split('\n')).toEqual([
      'p.yaml:5:40 columns.nickname: $formatInteger: the picture "###" cannot be used: Formatting or parsing an integer as a sequence starting with "###" is not supported by this implementation (a decimal picture needs a digit 0–9, such as "#,##0"; the others are A, a, I, i, W, w and Ww)',
    ]);
    expect(result.code).toBe(1);
  });
});
