import { isMap, isScalar } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parsePipeline } from '../../../src/spec/parse-pipeline.js';
import { scalarOffsets } from '../../../src/spec/scalar-offsets.js';
import { parseYamlFile } from '../../../src/spec/yaml-document.js';

const head = `source:
  file: users.csv
target:
  connection: users
`;

/** line:col (1-based) of the first occurrence of `needle` in `text`, after `from`. */
function where(text: string, needle: string, from = 0): string {
  const offset = text.indexOf(needle, from);
  if (offset === -1) throw new Error(`${needle} not in the text`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

function positions(text: string): string[] {
  return parsePipeline('p.yaml', text).diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);
}

/**
 * Each expression holds `$uper(`, a function that does not exist: the diagnostic must point at the
 * `$` of it in the file, whatever escapes, quotes or folding the scalar is written with.
 */
const forms: Record<string, string> = {
  'double quotes with \\" escapes': `  name: "\\"a\\" & \\"b\\" & $uper(name)"\n`,
  'double quotes with \\\\ and \\u escapes': `  name: "'\\\\\\\\' & '\\u0041\\x42' & $uper(name)"\n`,
  'double quotes with an astral \\U escape': `  name: "'\\U0001F600' & $uper(name)"\n`,
  'double quotes folded over lines': `  name: "'a' &\n    'b' &\n\n    $uper(name)"\n`,
  'double quotes with an escaped line break': `  name: "'a' & \\\n    'b' & $uper(name)"\n`,
  "single quotes with '' escapes": `  name: '"it''s" & ''x'' & $uper(name)'\n`,
  'single quotes folded over lines': `  name: '''a'' &\n     ''b'' & $uper(name)'\n`,
  'a plain scalar folded over lines': `  name: name &\n    email &\n    $uper(name)\n`,
  'a folded block scalar': `  name: >\n    'a' &\n    'b' & $uper(name)\n`,
  'a folded block scalar with a more-indented line': `  name: >-\n    'a' &\n      'b' &\n    $uper(name)\n`,
  'a literal block scalar': `  name: |\n    (\n      $x := 'a';\n      $uper($x)\n    )\n`,
  'a literal block scalar with an indentation indicator': `  name: |2\n     'a' &\n      $uper(name)\n`,
  'a literal block scalar with a comment and keep chomping': `  name: |+ # the name\n    'a' &\n    $uper(name)\n\n`,
};

describe('positions inside escaped, quoted and folded scalars', () => {
  for (const [form, columns] of Object.entries(forms)) {
    it(`points an expression error at its character: ${form}`, () => {
      const text = `${head}columns:\n  email: email\n${columns}`;
      expect(positions(text)).toEqual([`${where(text, '$uper')} unknown function $uper`]);
    });
  }

  it('points an expression error at its character in a flow map and with CRLF line ends', () => {
    const flow = `${head}columns: { email: email, name: "\\"a\\" & $uper(name)" }\n`;
    expect(positions(flow)).toEqual([`${where(flow, '$uper')} unknown function $uper`]);
    const crlf = `${head}columns:\n  email: email\n  name: >\n    'a' &\n    'b' & $uper(name)\n`.replace(/\n/g, '\r\n');
    expect(positions(crlf)).toEqual([`${where(crlf, '$uper')} unknown function $uper`]);
  });

  it('points a placeholder in an escaped output path at its brace', () => {
    const text = `source:\n  connection: users\ntarget:\n  file: "out\\\\\\u0041/{dat}.csv"\n`;
    expect(positions(text)).toEqual([`${where(text, '{dat}')} unknown placeholder {dat}: an output path may use {date} and {job}`]);
  });
});

describe('scalarOffsets', () => {
  /** Every character of every value maps to a place in the file holding that character (or the escape/fold that made it). */
  const samples = [
    'a: plain text\n',
    'a: plain  with   inner  blanks\n',
    'a: first\n  second\n\n  third\n\n\n  fourth\n',
    "a: 'it''s'\n",
    "a: '  spaced  \n   line two  \n\n  end  '\n",
    'a: "tab\\there \\"q\\" \\\\ \\/ \\u00e9 \\x41 \\U0001F600 end"\n',
    'a: "fold  \n  two\n\n\n  three \\\n   joined"\n',
    'a: "trailing\\t\n  keeps escaped tab"\n',
    'a: |\n  one\n    two\n\n  three\n',
    'a: |-\n  one\n  two\n\n\n',
    'a: |+\n  one\n  two\n\n\n',
    'a: >\n  one\n  two\n\n  three\n    more\n  four\n',
    'a: >+\n\n  after a blank\n  line\n\n',
    'a: |1\n  one space kept\n',
    '- >-\n   folded\n   in a list\n',
    'a: "crlf\r\n  folded"\r\n',
    'a: >\r\n  crlf\r\n  block\r\n',
    "a: { b: \"x\\\"y\", c: 'p''q', d: plain }\n",
  ];
  for (const text of samples) {
    it(`maps each value character back to the file: ${JSON.stringify(text)}`, () => {
      const y = parseYamlFile('t.yaml', text);
      expect(y.syntaxErrors).toEqual([]);
      const scalars: unknown[] = [];
      const walk = (node: unknown): void => {
        if (isScalar(node)) scalars.push(node);
        else if (isMap(node)) for (const p of node.items) walk(p.value);
        else if (node && typeof node === 'object' && 'items' in node) for (const n of (node as { items: unknown[] }).items) walk(n);
      };
      walk(y.doc.contents);
      expect(scalars.length).toBeGreaterThan(0);
      for (const node of scalars) {
        const scalar = node as Parameters<typeof scalarOffsets>[1];
        const value = String(scalar.source);
        const offsets = scalarOffsets(y.text, scalar);
        expect(offsets, JSON.stringify(value)).toBeDefined();
        expect(offsets).toHaveLength(value.length + 1);
        const [start, end] = scalar.range!;
        for (let i = 0; i < value.length; i++) {
          const at = offsets![i]!;
          expect(at).toBeGreaterThanOrEqual(start);
          expect(at).toBeLessThanOrEqual(end);
          const ch = value[i]!;
          const source = y.text[at];
          // A character is where it is written, or made by an escape (at its backslash), or by a fold (at a line break).
          const ok = source === ch || source === '\\' || (source === '\n' && (ch === ' ' || ch === '\n')) || (source === '\r' && ch === ' ');
          expect(ok, `${JSON.stringify(ch)} at ${at} (${JSON.stringify(source)}) in ${JSON.stringify(value)}`).toBe(true);
          if (i > 0) expect(at).toBeGreaterThanOrEqual(offsets![i - 1]!);
        }
      }
    });
  }

  it('gives no offsets (the caller falls back to the scalar) when the value is not the one the text makes', () => {
    const y = parseYamlFile('t.yaml', 'a: "x"\n');
    const node = (y.doc.contents as { items: { value: Parameters<typeof scalarOffsets>[1] }[] }).items[0]!.value;
    expect(scalarOffsets(y.text, node)).toEqual([4, 5]);
    node.source = 'not x';
    expect(scalarOffsets(y.text, node)).toBeUndefined();
  });
});

describe('scalarOffsets on values the yaml library writes in each style', () => {
  // A fixed seed: the same values each run; folding forced by a short line width.
  let seed = 7;
  const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const alphabet = ['a', 'b', ' ', '  ', '\n', '\n\n', '\t', '"', "'", '\\', '$', '(', ')', 'é', '😀', ':', '#', '-', ' \n', '\n '];
  const styles = ['PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'] as const;

  it('finds the offsets of every scalar of 2,000 random values, each character where the file has it', async () => {
    const { stringify } = await import('yaml');
    let checked = 0;
    for (let n = 0; n < 2000; n++) {
      const value = Array.from({ length: 1 + random(40) }, () => alphabet[random(alphabet.length)]).join('');
      const style = styles[random(styles.length)]!;
      const text = stringify({ columns: { x: value } }, { defaultStringType: style, lineWidth: 20 + random(20), minContentWidth: 5 });
      const y = parseYamlFile('t.yaml', text);
      if (y.syntaxErrors.length > 0) continue;
      const node = (y.doc.getIn(['columns', 'x'], true) ?? undefined) as Parameters<typeof scalarOffsets>[1];
      expect(node.source, text).toBe(value);
      const offsets = scalarOffsets(y.text, node);
      expect(offsets, `${style} ${JSON.stringify(text)}`).toHaveLength(value.length + 1);
      for (let i = 0; i < value.length; i++) {
        const source = y.text[offsets![i]!];
        const ch = value[i]!;
        const ok = source === ch || source === '\\' || (source === '\n' && /[ \n]/.test(ch));
        expect(ok, `${JSON.stringify(ch)} at ${offsets![i]} in ${JSON.stringify(text)}`).toBe(true);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(1500);
  });
});
