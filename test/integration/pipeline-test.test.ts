import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * `ferry test`: cases in `<pipeline>.test.yaml` beside the pipeline, run through the mapping and
 * the checks (compiled and interpreted), with no store and no source file; a diff per field on
 * failure; exit 0 / 1 / 2.
 */
const PIPELINE = `source: { file: data/crm.csv }
target: { connection: users }
columns:
  email: $lowercase(Email)
  name: First & ' ' & Last
  email_verified: Verified = 'yes'
  user_metadata: '{"plan": $uppercase(Plan)}'
validate:
  rules:
    - check: $length(name) < 12
      message: name too long
`;

describe('ferry test', { timeout: 120_000 }, () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    p.write('pipelines/crm.yaml', PIPELINE); // data/crm.csv does not exist: the cases need no source file
  });
  afterEach(() => p.cleanup());

  const cases = (body: string): string => p.write('pipelines/crm.test.yaml', `tests:\n${body}`);

  it('passes the cases, touches no store, and validate does not take the test file for a pipeline', () => {
    cases(`  - name: a row
    input: { Email: Ada@X.io, First: Ada, Last: L, Verified: "yes", Plan: pro }
    expect:
      row: { email: ada@x.io, name: Ada L, email_verified: true, user_metadata: { plan: PRO } }
  - name: a bad email and a rule
    input: { Email: nope, First: Bartholomew, Last: Longname, Verified: "no", Plan: free }
    expect:
      rejects: [{ code: FORMAT, path: email }]
  - name: the rule
    input: { Email: b@x.io, First: Bartholomew, Last: Longname, Verified: "no", Plan: free }
    expect:
      rejects: [{ code: RULE, path: "", message: name too long }]
`);
    const run = p.ferry('test');
    expect(run.stdout).toContain('ok   pipelines/crm.test.yaml:2 a row');
    expect(run.stdout).toContain('3 of 3 case(s) passed');
    expect(run.code).toBe(0);
    expect(existsSync(join(p.dir, '.ferry'))).toBe(false);
    expect(p.ferry('test', 'pipelines/crm.yaml').code).toBe(0);
    expect(p.ferry('test', 'pipelines/crm.test.yaml').code).toBe(0);
    const validate = p.ferry('validate');
    expect(validate.stdout).not.toContain('crm.test.yaml');
  });

  it('fails with a per-field diff and exit 1', () => {
    cases(`  - name: wrong expectation
    input: { Email: Ada@X.io, First: Ada, Last: L, Verified: "no", Plan: pro }
    expect:
      row: { email: Ada@X.io, name: Ada L, user_metadata: { plan: PRO }, nickname: ada }
  - name: expects a reject but the row is fine
    input: { Email: a@x.io, First: A, Last: B, Verified: "yes", Plan: pro }
    expect:
      rejects: [{ code: FORMAT, path: email }]
`);
    const run = p.ferry('test');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL pipelines/crm.test.yaml:2 wrong expectation');
    expect(run.stdout).toContain('email: expected "Ada@X.io", got "ada@x.io"');
    expect(run.stdout).toContain('email_verified: not expected, got false');
    expect(run.stdout).toContain('nickname: expected "ada", got nothing (the column is not written)');
    expect(run.stdout).not.toContain('user_metadata:');
    expect(run.stdout).toContain('FAIL pipelines/crm.test.yaml:6 expects a reject but the row is fine');
    expect(run.stdout).toContain('expected a reject (FORMAT email), got the row');
    expect(run.stdout).toContain('0 of 2 case(s) passed, 2 failed');
  });

  it('exits 2 on a malformed test file, at its line and column, and on a pipeline without cases', () => {
    cases(`  - name: no expect
    input: { Email: a@x.io }
    expected: { row: {} }
`);
    const run = p.ferry('test');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('pipelines/crm.test.yaml:4:5 tests[0].expected: unknown key "expected"');
    p.write('pipelines/other.yaml', PIPELINE);
    const none = p.ferry('test', 'pipelines/other.yaml');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no test cases (write them in pipelines/other.test.yaml)');
  });

  it('exits 2 on an empty list of cases and on an alias bomb, at their place, instead of passing or crashing', () => {
    p.write('pipelines/crm.test.yaml', 'tests: []\n');
    const empty = p.ferry('test');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('pipelines/crm.test.yaml:1:8 tests: no cases: `tests:` needs at least one { name, input, expect }');
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const name of 'bcdefghij')
      bomb.push(
        `${name}: &${name} [${Array(9)
          .fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`)
          .join(',')}]`,
      );
    p.write('pipelines/crm.test.yaml', `${bomb.join('\n')}\ntests: *j\n`);
    const exploded = p.ferry('test');
    expect(exploded.code).toBe(2);
    expect(exploded.stderr).toMatch(
      /^pipelines\/crm\.test\.yaml:2:\d+ these aliases \(\*name\) expand to more values than the parser allows: .* \(an alias bomb\); a Ferry file needs none, write the values out$/m,
    );
  });
});
