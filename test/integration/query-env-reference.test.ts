import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

const SECRET = 'email:"ceo@corp.example" OR s3cr3t-token-value';

const pipeline = (query: string): string =>
  `name: by-env\nsource:\n  connection: users\n  query: ${query}\ntarget:\n  file: out/users.csv\ncolumns: { email: email }\n`;

/**
 * A pipeline reads no environment variable (ferry.yaml does): `query: ${USERS_QUERY}` was read as
 * the Lucene text "${USERS_QUERY}", refused as "a term needs a field" whatever the variable held,
 * and in a phrase (`email:"${DOMAIN}"`) it passed validate and exported the users whose email is
 * the text ${DOMAIN}: none, under "succeeded".
 */
describe('an environment reference in an export query', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  const ferry = (env: Record<string, string>, ...args: string[]) => runFerry(args, { cwd: p.dir, env });

  it.each([
    ['unset', {}],
    ['empty', { USERS_QUERY: '' }],
    ['holding a secret and an invalid query', { USERS_QUERY: SECRET }],
    ['holding a valid query', { USERS_QUERY: 'email:a@example.com' }],
  ])('is refused at the query by validate and run, naming the variable, with %s', (_what, env) => {
    p = new TestProject();
    p.write('pipelines/by-env.yaml', pipeline('${USERS_QUERY}'));
    for (const command of [['validate'], ['run', 'pipelines/by-env.yaml']]) {
      const r = ferry(env, ...command);
      expect(r.code, `${command[0]}: ${r.stdout}${r.stderr}`).toBeGreaterThan(0);
      const out = r.stdout + r.stderr;
      expect(out).toMatch(
        /^pipelines\/by-env\.yaml:4:10 source\.query: \$\{USERS_QUERY\} is not read from the environment in a pipeline \(only in ferry\.yaml\): write the query itself/m,
      );
      expect(out).not.toContain('s3cr3t');
    }
    expect(existsSync(join(p.dir, 'pipelines/out/users.csv'))).toBe(false);
  });

  it('points at the reference inside a longer query, and in a phrase', () => {
    p = new TestProject();
    p.write('pipelines/by-env.yaml', pipeline(`'email:"\${DOMAIN}" OR name:x'`));
    const r = ferry({ DOMAIN: 'example.com' }, 'validate');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^pipelines\/by-env\.yaml:4:18 source\.query: \$\{DOMAIN\} is not read from the environment in a pipeline \(only in ferry\.yaml\): write the query itself/m,
    );
  });

  it('says a date placeholder is written without the $', () => {
    p = new TestProject();
    p.write('pipelines/by-env.yaml', pipeline(`'updated_at:[\${last_success} TO now]'`));
    const r = ferry({ last_success: '2020-01-01' }, 'validate');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^pipelines\/by-env\.yaml:4:23 source\.query: \$\{last_success\}: Ferry's placeholder is written \{last_success\}, without the \$$/m,
    );
  });

  it('searches for the text itself when the $ is escaped', () => {
    p = new TestProject();
    p.write('pipelines/by-env.yaml', pipeline(`'email:"\\\${DOMAIN}"'`));
    const r = ferry({}, 'validate');
    expect(r.stdout + r.stderr).toContain('ok pipelines/by-env.yaml');
    expect(r.code).toBe(0);
  });
});
