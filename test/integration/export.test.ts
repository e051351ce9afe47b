import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dated, exportPipeline, HEADER, read, seed } from '../helpers/exports.js';
import { TestProject } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';
import { MASK } from '../../src/validation/mask.js';

const csv = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

const U1 = 'u1,Ada,Lovelace,ada,Ada Lovelace,ada@x.io,true,https://x.io/ada.png,db,2024-01-03T00:00:00.000Z,2024-02-01T00:00:00.000Z';
const U2 = `u2,Bob,"O'Neil, Jr.",,,bob@x.io,false,,,2024-01-01T00:00:00.000Z,2024-01-01T00:00:00.000Z`;
const U3 = 'u3,Cy,"Say ""hi""","\'=HYPERLINK(""http://evil"")",,cy@x.io,false,,,2024-01-02T00:00:00.000Z,2024-01-02T00:00:00.000Z';
const U5 = 'u5,Eve,,ada,,eve@x.io,false,,,2024-01-03T00:00:00.000Z,2024-01-03T00:00:00.000Z';

const COMPUTED = `columns:\n  defaults: true\n  plan: user_metadata.plan\n  label: $uppercase(given_name) & ' <' & email & '>'\n`;

describe('ferry run: exports from the embedded SQLite store', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    seed(p);
  });
  afterEach(() => p.cleanup());

  it('CSV: defaults plus computed columns, a query, a sort with ties and NULLs, across several batches', () => {
    const extra = `${COMPUTED}batch: { size: 2 }\n`;
    p.write('asc.yaml', exportPipeline({ file: 'out/users-{date}.csv', query: '_exists_:user_metadata', sort: '{ by: nickname, order: asc }', extra }));
    const { code, report } = p.run('asc.yaml');
    expect(code).toBe(0);
    expect(report.summary).toEqual({ total: 4, inserted: 0, updated: 0, unchanged: 0, rejected: 0, exported: 4 });
    expect(report.artifacts.output).toBe(dated('out/users-{date}.csv', report));
    expect(p.ferry('jobs', 'show', report.job).stdout).toContain(`\noutput     ${report.artifacts.output}\n`);
    // '=' sorts before letters; the two "ada" tie and go by key; no nickname comes last.
    expect(read(p, report.artifacts.output!)).toBe(
      csv(`${HEADER},plan,label`, `${U3},pro,CY <cy@x.io>`, `${U1},pro,ADA <ada@x.io>`, `${U5},,EVE <eve@x.io>`, `${U2},free,BOB <bob@x.io>`),
    );
    p.write('desc.yaml', exportPipeline({ file: 'out/desc.csv', query: '_exists_:user_metadata', sort: '{ by: nickname, order: desc }', extra }));
    const desc = p.run('desc.yaml').report;
    expect(read(p, desc.artifacts.output!)).toBe(
      csv(`${HEADER},plan,label`, `${U1},pro,ADA <ada@x.io>`, `${U5},,EVE <eve@x.io>`, `${U3},pro,CY <cy@x.io>`, `${U2},free,BOB <bob@x.io>`),
    );
  });

  it('CSV: formula cells and headers are neutralised by default, phone numbers and numbers kept; escape_formulas: false turns it off', () => {
    const extra = `columns:\n  id: user_id\n  nickname: nickname\n  '=cmd': "'+14155550000'"\n  n: "'-5'"\n`;
    p.write('p.yaml', exportPipeline({ file: 'out/safe.csv', query: 'user_id:u3', extra }));
    const { report } = p.run('p.yaml');
    expect(read(p, report.artifacts.output!)).toBe(csv(`id,nickname,'=cmd,n`, `u3,"'=HYPERLINK(""http://evil"")",+14155550000,-5`));
    p.write('raw.yaml', exportPipeline({ file: 'out/raw.csv', query: 'user_id:u3', target: '  escape_formulas: false\n', extra }));
    expect(read(p, p.run('raw.yaml').report.artifacts.output!)).toBe(csv(`id,nickname,=cmd,n`, `u3,"=HYPERLINK(""http://evil"")",+14155550000,-5`));
  });

  it('JSON: sorted by a JSON path both ways, ties by key, missing values left out', () => {
    const extra = 'columns:\n  user_id: user_id\n  score: user_metadata.score\n  plan: user_metadata.plan\nbatch: { size: 3 }\n';
    p.write('desc.yaml', exportPipeline({ file: 'out/desc.json', sort: '{ by: user_metadata.score, order: desc }', extra }));
    p.write('asc.yaml', exportPipeline({ file: 'out/asc.json', sort: '{ by: user_metadata.score }', extra }));
    const u = {
      u1: '{"user_id":"u1","score":3,"plan":"pro"}',
      u2: '{"user_id":"u2","score":3,"plan":"free"}',
      u3: '{"user_id":"u3","score":1,"plan":"pro"}',
      u4: '{"user_id":"u4"}',
      u5: '{"user_id":"u5","score":7}',
    };
    expect(read(p, p.run('desc.yaml').report.artifacts.output!)).toBe(`[\n${[u.u5, u.u1, u.u2, u.u3, u.u4].join(',\n')}\n]\n`);
    expect(read(p, p.run('asc.yaml').report.artifacts.output!)).toBe(`[\n${[u.u3, u.u1, u.u2, u.u5, u.u4].join(',\n')}\n]\n`);
  });

  it('NDJSON: columns: defaults, sorted by a timestamp descending, one batch per row', () => {
    p.write(
      'p.yaml',
      exportPipeline({ file: 'out/users.ndjson', sort: '{ by: created_at, order: desc }', extra: 'columns: defaults\nbatch: { size: 1, parallelism: 3 }\n' }),
    );
    const { report } = p.run('p.yaml');
    expect(report.summary.exported).toBe(5);
    const lines = read(p, report.artifacts.output!).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { user_id: string }).user_id)).toEqual(['u1', 'u5', 'u3', 'u4', 'u2']);
    expect(lines[0]).toBe(
      '{"user_id":"u1","given_name":"Ada","family_name":"Lovelace","nickname":"ada","name":"Ada Lovelace","email":"ada@x.io","email_verified":true,' +
        '"picture":"https://x.io/ada.png","connection":"db","created_at":"2024-01-03T00:00:00.000Z","updated_at":"2024-02-01T00:00:00.000Z"}',
    );
    expect(lines[4]).toBe(
      '{"user_id":"u2","given_name":"Bob","family_name":"O\'Neil, Jr.","email":"bob@x.io","email_verified":false,"created_at":"2024-01-01T00:00:00.000Z","updated_at":"2024-01-01T00:00:00.000Z"}',
    );
  });

  it('writes an empty export as a header-only CSV or an empty JSON array', () => {
    p.write('c.yaml', exportPipeline({ file: 'out/none.csv', query: 'email:nobody@x.io' }));
    p.write('j.yaml', exportPipeline({ file: 'out/none.json', query: 'email:nobody@x.io' }));
    const c = p.run('c.yaml').report;
    expect(c.summary).toMatchObject({ total: 0, exported: 0 });
    expect(read(p, c.artifacts.output!)).toBe(csv(HEADER));
    expect(read(p, p.run('j.yaml').report.artifacts.output!)).toBe('[]\n');
  });

  it('reports a mapping error as a MAPPING_ERROR reject and exports the other rows', () => {
    p.write(
      'p.yaml',
      exportPipeline({
        file: 'out/x.ndjson',
        sort: '{ by: user_id }',
        extra: 'columns:\n  id: user_id\n  plan: $uppercase(user_metadata.plan)\n  api_token: email\n',
      }),
    );
    const { code, report } = p.run('p.yaml');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ total: 5, exported: 4, rejected: 1 });
    // The record holds the fields the columns read (not nickname, names, dates…); email feeds a secret column, so it is masked.
    expect(p.rejects(report)).toEqual([
      {
        row: 5,
        record: { user_id: 'u5', email: MASK, user_metadata: expect.any(Object) },
        errors: [expect.objectContaining({ code: 'MAPPING_ERROR', path: 'plan' })],
      },
    ]);
    const output = read(p, report.artifacts.output!);
    expect(output.split('\n').map((line) => line.replace(/,"api_token":"[^"]*"/, ''))).toEqual([
      '{"id":"u1","plan":"PRO"}',
      '{"id":"u2","plan":"FREE"}',
      '{"id":"u3","plan":"PRO"}',
      '{"id":"u4"}',
      '',
    ]);
    expect(output).toContain('"api_token":"ada@x.io"');
  });

  it.each(['csv', 'ndjson'])('rejects a row whose mapping makes a lone surrogate as FORMAT, in %s, instead of writing U+FFFD or "\\ud83d"', (format) => {
    // $split by "" cuts UTF-16 units: the first unit of an emoji is half a character.
    p.write(
      'p.yaml',
      exportPipeline({
        file: `out/x.${format}`,
        sort: '{ by: user_id }',
        extra: `columns:\n  id: user_id\n  half: '$split(given_name = "Ada" ? "😀" : given_name, "")[0]'\n`,
      }),
    );
    const { code, report } = p.run('p.yaml');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ total: 5, exported: 4, rejected: 1 });
    expect(p.rejects(report).map((r) => [r.row, r.errors.map((e) => [e.code, e.path])])).toEqual([[1, [['FORMAT', 'half']]]]);
    expect(read(p, report.artifacts.output!)).not.toMatch(/\uFFFD|\\ud83d/i);
  });
});

describe('ferry run --sample', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    seed(
      p,
      generateUsers(23, 5).map((u, i) => ({ ...u, user_id: `u${String(i).padStart(2, '0')}` })),
    );
    p.write('p.yaml', exportPipeline({ file: 'out/users.json', sort: '{ by: user_id, order: desc }', extra: 'batch: { size: 4 }\n' }));
  });
  afterEach(() => p.cleanup());

  it('exports at most 10 rows, the first of the full export, and says so', () => {
    const full = JSON.parse(read(p, p.run('p.yaml').report.artifacts.output!)) as { user_id: string }[];
    expect(full).toHaveLength(23);
    const { code, report } = p.run('p.yaml', '--sample');
    expect(code).toBe(0);
    expect(report.sample).toBe(10);
    expect(report.summary).toMatchObject({ total: 10, exported: 10 });
    expect(JSON.parse(read(p, report.artifacts.output!))).toEqual(full.slice(0, 10));
    const three = p.run('p.yaml', '--sample', '3').report;
    expect(JSON.parse(read(p, three.artifacts.output!))).toEqual(full.slice(0, 3));
    const human = p.ferry('run', 'p.yaml', '--sample');
    expect(human.stdout).toContain('sample: at most 10 rows (--sample)');
    expect(human.stdout).toContain('exported 10');
  });

  it('writes the sample beside the full export, or to --output, and leaves the full export as it is', () => {
    const full = p.run('p.yaml').report.artifacts.output!;
    const before = read(p, full);
    const sample = p.ferry('run', 'p.yaml', '--sample', '2');
    expect(sample.code).toBe(0);
    expect(sample.stderr).toContain('sample of at most 2 rows goes to out/users.sample.json (beside the target, which is left as it is)');
    expect(sample.stdout).toContain('output: out/users.sample.json');
    expect(read(p, full)).toBe(before);
    expect(JSON.parse(read(p, 'out/users.sample.json'))).toEqual((JSON.parse(before) as unknown[]).slice(0, 2));
    const out = p.run('p.yaml', '--sample', '3', '--output', 'peek.json').report;
    expect(out.artifacts.output).toBe('peek.json');
    expect(JSON.parse(read(p, 'peek.json'))).toHaveLength(3);
    expect(read(p, full)).toBe(before);
    const guarded = p.ferry('run', 'p.yaml', '--sample', '--output', 'p.yaml');
    expect(guarded.code).toBe(2);
    expect(guarded.stderr).toContain('refusing to write the sample to p.yaml: it is this pipeline file');
    expect(p.ferry('run', 'p.yaml', '--output', 'x.json').stderr).toContain('--output goes with --sample');
  });

  it('--output replaces an earlier sample, never another existing file (a source, the full export, a note)', () => {
    const full = p.run('p.yaml').report.artifacts.output!;
    const before = read(p, full);
    p.write('data/users.csv', 'email\nada@x.io\n');
    p.write('notes.txt', 'mine');
    for (const [output, shown] of [
      ['data/users.csv', 'data/users.csv'],
      [full, full],
      ['notes.txt', 'notes.txt'],
    ] as const) {
      const refused = p.ferry('run', 'p.yaml', '--sample', '2', '--output', output);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        `refusing to write the sample to ${shown}: the file exists and no earlier --sample of p wrote it (delete it first, or choose another --output)`,
      );
    }
    expect(read(p, 'data/users.csv')).toBe('email\nada@x.io\n');
    expect(read(p, 'notes.txt')).toBe('mine');
    expect(read(p, full)).toBe(before);
    expect(p.run('p.yaml', '--sample', '2', '--output', 'peek.json').code).toBe(0);
    const again = p.run('p.yaml', '--sample', '3', '--output', 'peek.json');
    expect(again.code).toBe(0);
    expect(JSON.parse(read(p, 'peek.json'))).toHaveLength(3);
  });

  it('the default sample path replaces an earlier sample, never a file of the same name it did not write', () => {
    p.write('out/users.sample.json', 'mine');
    const refused = p.ferry('run', 'p.yaml', '--sample', '2');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'refusing to write the sample to out/users.sample.json: the file exists and no earlier --sample of p wrote it (delete it first, or choose another --output)',
    );
    expect(read(p, 'out/users.sample.json')).toBe('mine');
    rmSync(join(p.dir, 'out/users.sample.json'));
    expect(p.run('p.yaml', '--sample', '2').code).toBe(0);
    expect(p.run('p.yaml', '--sample', '3').code).toBe(0);
    expect(JSON.parse(read(p, 'out/users.sample.json'))).toHaveLength(3);
  });

  it('--output is never a pipeline source (even one an earlier sample wrote) nor a .yaml file', () => {
    const refused = (output: string, why: string): void => {
      const result = p.ferry('run', 'p.yaml', '--sample', '2', '--output', output);
      expect([result.code, result.stderr.trim().split('\n').at(-1)]).toEqual([2, `refusing to write the sample to ${output}: ${why}`]);
    };
    refused('pipelines/new.yaml', 'a .yaml name is read as a pipeline or config file');
    expect(existsSync(join(p.dir, 'pipelines/new.yaml'))).toBe(false);
    // A sample of a file a pipeline then took as its source: the journal's record of that sample does not make it fair game.
    expect(p.run('p.yaml', '--sample', '2', '--output', 'pipelines/late.json').code).toBe(0);
    p.write('pipelines/late-import.yaml', 'source: { file: late.json }\ntarget: { connection: users }\n');
    const lateBefore = read(p, 'pipelines/late.json');
    refused('pipelines/late.json', 'it is the source file of pipelines/late-import.yaml');
    expect(read(p, 'pipelines/late.json')).toBe(lateBefore);
  });

  it('refuses --sample on an import and a sample that is not a count', () => {
    expect(p.ferry('run', 'seed.yaml', '--sample').stderr).toContain('--sample applies to exports');
    const bad = p.ferry('run', 'p.yaml', '--sample', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--sample expects a whole number ≥ 1, got "lots"');
  });
});
