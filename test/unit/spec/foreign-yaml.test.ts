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
  ])('leaves %s to be checked as a pipeline', (_what, text) => {
    expect(foreignYaml(text)).toBeUndefined();
  });
});
