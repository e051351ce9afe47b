import { describe, expect, it } from 'vitest';
import { MAX_EXPRESSION_DEPTH, checkExpression } from '../../../src/mapping/expression.js';
import { fieldsRead } from '../../../src/mapping/fields-read.js';
import { createMapper } from '../../../src/mapping/mapper.js';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
import { expressionRefs } from '../../../src/spec/expression-refs.js';
import { parsePipeline } from '../../../src/spec/parse-pipeline.js';

/*
 * Every reader of an expression's tree walks it recursively: 800 nested objects overflowed the
 * stack, and `ferry validate` and `ferry run` ended in "Maximum call stack size exceeded" without
 * naming the file. An expression nesting deeper than MAX_EXPRESSION_DEPTH is a validate error at
 * its position.
 */

const objects = (n: number) => "{'a':".repeat(n) + '1' + '}'.repeat(n);
const parentheses = (n: number) => '('.repeat(n) + "'a'" + ')'.repeat(n);
const orChain = (n: number) => "x = 'a'" + " or x = 'b'".repeat(n);
const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };

describe('expression depth', () => {
  it('refuses an expression nested too deeply, at the token where it goes too deep', () => {
    const error = checkExpression(objects(800));
    expect(error).toMatchObject({ code: 'FERRY_DEPTH', message: expect.stringContaining(`more than ${MAX_EXPRESSION_DEPTH} levels`) });
    expect(error!.offset).toBeGreaterThan(0);
    expect(error!.offset).toBeLessThan(objects(800).length);
    expect(checkExpression(parentheses(600))?.code).toBe('FERRY_DEPTH');
  });

  it('says so when jsonata itself cannot parse the depth', () => {
    expect(checkExpression('['.repeat(20_000) + '1' + ']'.repeat(20_000))).toMatchObject({ code: 'FERRY_DEPTH', offset: 0 });
  });

  it('accepts what every reader walks: 300 nested objects, 450 parentheses, a 900-term or', () => {
    for (const expr of [objects(300), parentheses(450), orChain(900)]) {
      expect(checkExpression(expr)).toBeUndefined();
      expect(() => fieldsRead([expr])).not.toThrow();
      expect(() => expressionRefs(expr)).not.toThrow();
      expect(() => createMapper({ c: expr }, ctx)).not.toThrow();
    }
  });

  it('validate reports it at file:line:col instead of failing', () => {
    const text = `source:\n  file: users.csv\ntarget:\n  connection: users\ncolumns:\n  email: email\n  nickname: "${objects(800)}"\n`;
    const diagnostics = parsePipeline('p.yaml', text).diagnostics.map(formatDiagnostic);
    expect(diagnostics).toEqual([expect.stringMatching(/^p\.yaml:7:\d+ columns\.nickname: the expression nests too deeply/)]);
  });
});

describe('a record nested too deeply for an expression to walk', () => {
  it.each([{ interpretOnly: false }, { interpretOnly: true }])('is a MAPPING_ERROR saying so (interpretOnly: $interpretOnly)', async (path) => {
    let deep: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const mapper = createMapper({ email: 'email', nickname: '$string(m)' }, ctx, undefined, path);
    const result = await mapper.map({ email: 'a@example.com', m: deep });
    expect(result).toEqual({
      values: { email: 'a@example.com' },
      errors: [
        {
          code: 'MAPPING_ERROR',
          path: 'nickname',
          message: 'column nickname: evaluation stopped: a value is nested too deeply to walk (Maximum call stack size exceeded)',
        },
      ],
    });
  });
});
