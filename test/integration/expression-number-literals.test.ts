import { afterEach, describe, expect, it } from 'vitest';
import { checkExpression } from '../../src/mapping/expression.js';
import { TestProject } from '../helpers/project.js';

/*
 * A number written in an expression is read as a double: `12345678901234567891` became
 * 12345678901234567000 in every record the job wrote, without a word, while the same digits in a
 * source are a FORMAT reject and in `$number("…")` a MAPPING_ERROR. It is a validate error at the
 * literal; a big number a double keeps as written (1e20, 12345678901234567000) is left alone.
 */

describe('number literals a double cannot hold', () => {
  let project: TestProject | undefined;
  afterEach(() => project?.cleanup());

  it('are refused at the literal, negative, in a path or in a rule', () => {
    expect(checkExpression('12345678901234567891')).toMatchObject({ code: 'FERRY_NUMBER', offset: 0 });
    expect(checkExpression('a + -9007199254740993 * 2')).toMatchObject({ code: 'FERRY_NUMBER', offset: 5 });
    expect(checkExpression('ids[12345678901234567891]')).toMatchObject({ code: 'FERRY_NUMBER', offset: 4 });
    expect(checkExpression('1e-400')?.message).toContain('would be read as 0');
  });

  it('a double that keeps the number as written passes', () => {
    for (const ok of ['9007199254740991', '1e20', '12345678901234567000', '1.5e300', '0', '0.000', '0.1', '"12345678901234567891"', '3.14159265358979323846'])
      expect(checkExpression(ok)).toBeUndefined();
  });

  it('ferry validate reports file:line:col', () => {
    project = new TestProject();
    project.write('users.csv', 'email\na@example.com\n');
    project.write(
      'p.yaml',
      'source: { file: users.csv }\ntarget: { connection: users }\ncolumns:\n  email: email\n  nickname: $string(12345678901234567891)\nvalidate:\n  rules:\n    - { check: "$count(email) < 99999999999999999999", message: m }\n',
    );
    const result = project.ferry('validate', 'p.yaml');
    expect(result.stdout.trim().split('\n')).toEqual([
      'p.yaml:5:21 columns.nickname: the number 12345678901234567891 would be read as 12345678901234567000: numbers are doubles, which hold integers exactly only up to ±2^53 (9007199254740991); write it as a string ("12345678901234567891")',
      'p.yaml:8:33 validate.rules[0].check: the number 99999999999999999999 would be read as 100000000000000000000: numbers are doubles, which hold integers exactly only up to ±2^53 (9007199254740991); write it as a string ("99999999999999999999")',
    ]);
    expect(result.code).toBe(1);
  });
});
