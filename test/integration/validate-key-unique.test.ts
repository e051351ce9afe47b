import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

const pipeline = (key: string): string =>
  `source: { file: users.csv }\ntarget: { connection: users, key: ${key}, upsert: true }\ncolumns: { email: email, given_name: first, family_name: last }\n`;

/**
 * A key column the table does not hold unique: every record matching two stored users was
 * rejected as CONFLICT at run time while validate said ok without a word.
 */
describe('validate warns of a one-column key that is not unique in the target table', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  function project(key: string): TestProject {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email,first,last\nann@example.com,Ann,Lee\nann2@example.com,Ann,Kim\n');
    p.write('pipelines/import.yaml', pipeline(key));
    return p;
  }

  it('warns at target.key, naming the unique columns; the pipeline stays valid', () => {
    const r = project('[given_name]').ferry('validate');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'pipelines/import.yaml:2:35 target.key: warning: key column given_name is not unique in table users: a record that matches more than one stored user is rejected as CONFLICT (unique columns: user_id, email, username)',
    );
  });

  it.each(['[email]', 'email', '[given_name, family_name]'])('says nothing for key %s', (key) => {
    expect(project(key).ferry('validate')).toMatchObject({ code: 0, stdout: 'ok pipelines/import.yaml\n' });
  });
});
