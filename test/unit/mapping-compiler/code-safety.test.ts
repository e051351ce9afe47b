import { describe, expect, it } from 'vitest';
import { type CompiledEnv, compileExpressionToFunction, generatedSource } from '../../../src/mapping/compiler/index.js';
import { runtime } from '../../../src/mapping/compiler/runtime.js';
import { typicalExpressions } from './corpus.js';

/**
 * Generated code is built only from the AST: user text appears only inside JSON string literals,
 * and the code can name nothing but its own temporaries, its parameters and the frozen runtime.
 */

const env: CompiledEnv = { job: { id: 'j', pipeline: 'p', started_at: '2024-01-01T00:00:00.000Z' }, nowIso: '2024-01-01T00:00:00.000Z', nowMillis: 0 };

const keywords = new Set([
  'const',
  'let',
  'if',
  'else',
  'for',
  'of',
  'return',
  'try',
  'catch',
  'finally',
  'throw',
  'break',
  'switch',
  'case',
  'typeof',
  'undefined',
  'true',
  'false',
  'null',
]);
const parameters = new Set(['input', 'root', 'env', 'inputRecord']);
/** Property names generated code may read or call (after a dot). */
const members = new Set(['length', 'push', 'toLowerCase', 'toUpperCase', 'indexOf', 'validate', 'exprIndex', 'data']);

/** Identifiers outside string literals; names after a dot are returned with the dot. */
function identifiers(source: string): string[] {
  const code = source.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  return [...code.matchAll(/(\.?)([A-Za-z_$][\w$]*)/g)].map((m) => `${m[1] ?? ''}${m[2] ?? ''}`);
}

function allowed(id: string): boolean {
  if (id.startsWith('.')) return members.has(id.slice(1));
  if (keywords.has(id) || parameters.has(id)) return true;
  if (id.startsWith('$')) return Object.prototype.hasOwnProperty.call(runtime, id.slice(1));
  return /^[a-zA-Z]+_\d+$/.test(id);
}

describe('generated code', () => {
  it('names only temporaries, parameters, runtime members and a few array/string methods', () => {
    for (const expr of typicalExpressions) {
      const source = generatedSource(expr);
      if (typeof source !== 'string') continue;
      const foreign = identifiers(source).filter((id) => !allowed(id));
      expect(foreign, `${expr}\n${source}`).toEqual([]);
    }
  });

  it('keeps hostile user text inside literals', () => {
    const hostile = {
      'a"); throw new Error("pwned"); ("': 'quote',
      'line\u2028break\\': 'separator',
      '`${process.exit(1)}`': 'template',
    };
    for (const [key, value] of Object.entries(hostile)) {
      const expr = `$lookup($, ${JSON.stringify(key)}) & ${JSON.stringify(`"); process.exit(1); //${key}`)}`;
      const fn = compileExpressionToFunction(expr);
      if ('reason' in fn) throw new Error(fn.reason);
      expect(fn({ [key]: value }, env)).toBe(`${value}"); process.exit(1); //${key}`);
    }
  });

  it('ignores properties polluting Object.prototype, as jsonata does', () => {
    const proto = Object.prototype as Record<string, unknown>;
    const fn = compileExpressionToFunction('Polluted & "|" & {"x": Polluted}.x & "|" & a.Polluted');
    if ('reason' in fn) throw new Error(fn.reason);
    proto.Polluted = 'leak';
    try {
      expect(fn({ a: {} }, env)).toBe('||');
      expect(fn({ Polluted: 'own', a: { Polluted: 1 } }, env)).toBe('own|own|1');
    } finally {
      delete proto.Polluted;
    }
  });

  it('gets a frozen runtime', () => {
    expect(Object.isFrozen(runtime)).toBe(true);
    expect(Object.isFrozen(runtime.builtins)).toBe(true);
  });
});
