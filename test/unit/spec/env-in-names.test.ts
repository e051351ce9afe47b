import { describe, expect, it } from 'vitest';
import { parsePipeline } from '../../../src/spec/parse-pipeline.js';

/** A pipeline reads no environment variable: `table: ${TBL}` made a table literally named `${TBL}`. */
const pipeline = (target: string, source = 'source: { file: users.csv }') => `name: p\n${source}\n${target}\n`;

describe('${NAME} in a name a pipeline gives the store', () => {
  it.each([
    ['target:\n  connection: users\n  table: ${TBL}\n  key: [email]', 'target.table', 5, 10, '${TBL}'],
    ['target:\n  connection: ${CONN}\n  key: [email]', 'target.connection', 4, 15, '${CONN}'],
    ['target:\n  connection: users\n  key: [email, "user_${K}"]', 'target.key[1]', 5, 22, '${K}'],
  ])('%j is refused at the reference', (target, path, line, col, written) => {
    const { diagnostics } = parsePipeline('p.yaml', pipeline(target));
    expect(diagnostics).toContainEqual({
      file: 'p.yaml',
      line,
      col,
      path,
      message: `${written} is not read from the environment in a pipeline (only in ferry.yaml): write the name itself`,
    });
  });

  it('a source table and sort column too', () => {
    const source = 'source:\n  connection: users\n  table: "archive_${YEAR}"\n  sort: { by: "${SORT}" }';
    const { diagnostics } = parsePipeline('p.yaml', pipeline('target: { file: out.csv }', source));
    expect(diagnostics.map((d) => [d.path, d.line, d.col])).toEqual(
      expect.arrayContaining([
        ['source.table', 4, 19],
        ['source.sort.by', 5, 16],
      ]),
    );
  });

  it('names without a reference pass', () => {
    const { diagnostics } = parsePipeline('p.yaml', pipeline('target:\n  connection: users\n  table: people\n  key: [email]'));
    expect(diagnostics).toEqual([]);
  });
});
