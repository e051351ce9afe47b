import { describe, expect, it } from 'vitest';
import { foreignYaml } from '../../../src/spec/foreign-yaml.js';

describe('foreignYaml', () => {
  it.each([
    ['a GitHub workflow', 'name: CI\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n'],
    ['a docker-compose file', 'services:\n  db:\n    image: postgres:16\n'],
    ['a Kubernetes manifest of two documents', 'apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Secret\n'],
    ['an Ansible playbook', '- hosts: all\n  tasks: []\n'],
    [
      'a file with an alias bomb and no pipeline key',
      'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n',
    ],
  ])('says why %s is not a pipeline', (_what, text) => {
    expect(foreignYaml(text)).toMatch(/^(it has neither source nor target|its top level is a list)/);
  });

  it.each([
    ['a pipeline', 'source: { file: a.csv }\ntarget: { connection: users }\n'],
    ['a pipeline whose keys are typos', 'sourse: { file: a.csv }\ntaget: { connection: users }\n'],
    ['a half-written pipeline', 'name: nightly\ncolumns: { email: email }\n'],
    ['a pipeline with only a schedule', 'schedule: "0 2 * * *"\n'],
    ['a key written in another case', 'Source: { file: a.csv }\n'],
    ['an empty file', ''],
    ['a scalar', 'just text\n'],
    ['a YAML syntax error', 'source: [unclosed\n'],
    ['a key that is not text', '? [a, b]\n: c\n'],
    // YAML that does not read whole: what is left of it says nothing of what the file is.
    ['a pipeline whose source: slipped under name:', 'name: nightly\n  source: { file: a.csv }\ntarget: { connection: users }\n'],
    ['a pipeline whose first key holds a second colon', 'name: a: b\nsource: { file: a.csv }\n'],
    ['a pipeline opened with a stray bracket', '[source: { file: a.csv }\ntarget: users\n'],
    ['a pipeline merged in from an anchor', 'base: &b\n  source: { file: a.csv }\n  target: { connection: users }\n<<: *b\n'],
    ['a list broken by its indentation', '- source: a\n - target: b\n'],
  ])('leaves %s to be checked as a pipeline', (_what, text) => {
    expect(foreignYaml(text)).toBeUndefined();
  });

  it('tells a test file by its tests: key', () => {
    expect(foreignYaml('tests:\n  - name: a\n', 'test')).toBeUndefined();
    expect(foreignYaml('test:\n  - name: a\n', 'test')).toBeUndefined();
    expect(foreignYaml('services:\n  web: { build: . }\n', 'test')).toBe('it has no tests: key, nor any other key of a Ferry file (its keys: services)');
    expect(foreignYaml('- hosts: all\n', 'test')).toBe('its top level is a list, and a test file is a map holding tests:');
    // A pipeline saved under a test file's name is Ferry's: its mistake is reported, not skipped.
    expect(foreignYaml('source: { file: a.csv }\n', 'test')).toBeUndefined();
  });
});
