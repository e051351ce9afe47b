/**
 * What `ferry init` writes: a project that validates and runs as is. The pipelines point their
 * `$schema` at the copy of the JSON Schema inside the installed package, so editors complete and
 * check them in the user's own repository.
 */

export interface InitOptions {
  engine: 'embedded' | 'temporal';
  driver: 'sqlite' | 'postgres';
  /**
   * The project's own task queue (`ferry-<folder>`): two projects on one Temporal server that
   * shared `ferry` ran each other's jobs (a worker refuses them now, but the job fails).
   */
  taskQueue: string;
  /**
   * The installed package from the project folder, `/`-separated (`node_modules/ferry`, or
   * `../../node_modules/ferry` in a monorepo's packages/etl): where `$schema` and the reference point.
   */
  packagePath: string;
}

/** Path (relative to the project folder) → content; written in this order. */
export function initFiles(options: InitOptions): Array<[string, string]> {
  return [
    ['ferry.yaml', ferryYaml(options)],
    ['pipelines/import-users.yaml', pipelineSchemaLine(options) + IMPORT_PIPELINE],
    ['pipelines/import-users.test.yaml', IMPORT_PIPELINE_TESTS],
    ['pipelines/export-users.yaml', pipelineSchemaLine(options) + EXPORT_PIPELINE],
    ['pipelines/data/users.csv', SAMPLE_CSV],
  ];
}

/**
 * Lines `ferry init` makes sure .gitignore has: the state dir, exports, secrets. The project's own
 * folders are anchored (`exports/` alone also hid a src/exports/ of the repository's code);
 * node_modules has no slash, so a node_modules that is a symlink is ignored too.
 */
export const EXPORTS_LINE = '/exports/';
export const GITIGNORE_LINES = ['/.ferry/', EXPORTS_LINE, '.env', '.env.*', 'node_modules'];

/** Relative to pipelines/, where the pipelines are. */
function pipelineSchemaLine({ packagePath }: InitOptions): string {
  return `# yaml-language-server: $schema=../${packagePath}/schema/pipeline.schema.json\n`;
}

function ferryYaml({ engine, driver, taskQueue, packagePath }: InitOptions): string {
  const users =
    driver === 'sqlite'
      ? '  users: { driver: sqlite, path: .ferry/users.db, table: users }'
      : '  # ${DATABASE_URL} is read from the environment, e.g. postgres://user:password@127.0.0.1:5432/app\n' +
        '  users: { driver: postgres, url: "${DATABASE_URL}", table: users, pool: 4 }';
  const temporal =
    engine === 'temporal'
      ? 'temporal:                            # `npx ferry worker` runs the jobs; start one on each worker machine\n' +
        `  address: localhost:7233\n  namespace: default\n${`  task_queue: ${taskQueue}`.padEnd(36)} # this project's own: two projects on one server must not share one\n`
      : '';
  return `# yaml-language-server: $schema=${packagePath}/schema/config.schema.json
# Ferry project settings. Reference: ${packagePath}/docs/pipeline-reference.md
engine: ${engine}                     # embedded (jobs run in the ferry process) or temporal
${temporal}state_dir: .ferry                    # job journal, reports, the default SQLite store
connections:
${users}
`;
}

const IMPORT_PIPELINE = `# Imports data/users.csv into the \`users\` connection; a user already there (same email) is
# updated. Run it:  npx ferry run pipelines/import-users.yaml
# The row with a broken email is rejected on purpose:  npx ferry jobs errors <job id>
name: import-users
source:
  file: data/users.csv                 # relative to this file; csv | json | ndjson
target:
  connection: users                    # a connection of ferry.yaml
  key: [email]
  upsert: true                         # update users that exist, insert the others
columns:                               # target column: JSONata expression over the CSV row
  email: $lowercase($trim(email))
  given_name: first_name
  family_name: last_name
  name: first_name & ' ' & last_name
  email_verified: verified = 'yes'
  user_metadata: '{"plan": plan}'
validate:
  schema: user                         # the bulk-import user rules
  max_rejects: 25%                     # more rejects than this fails the job
`;

/** Cases for IMPORT_PIPELINE, so `ferry test` has something to run and shows the format. */
const IMPORT_PIPELINE_TESTS = `# Test cases for import-users.yaml:  npx ferry test   (every pipelines/**/*.test.yaml)
# Each case is one CSV row in (header → cell text) and the row as it would be written, or the
# reject, out. No store and no source file are used.
tests:
  - name: a row becomes a user, email trimmed and lower-cased
    input: { email: " Ada.Lovelace@Example.com", first_name: Ada, last_name: Lovelace, plan: pro, verified: "yes" }
    expect:
      row:
        email: ada.lovelace@example.com
        given_name: Ada
        family_name: Lovelace
        name: Ada Lovelace
        email_verified: true
        user_metadata: { plan: pro }
  - name: an email without a top-level domain is rejected at email
    input: { email: alan.turing@example, first_name: Alan, last_name: Turing, plan: free, verified: "no" }
    expect:
      rejects:
        - { code: FORMAT, path: email }
`;

const EXPORT_PIPELINE = `# The users of the \`users\` connection as CSV, newest first. Run it:  npx ferry run pipelines/export-users.yaml
name: export-users
source:
  connection: users
  query: '_exists_:email'              # Lucene syntax; * for every user
  sort: { by: created_at, order: desc }
target:
  file: ../exports/users-{date}.csv    # relative to this file; {date} and {job} are replaced
  escape_formulas: true                # cells starting with = + - @ are made safe for spreadsheets
columns:
  defaults: true                       # user_id, names, email, …, created_at, updated_at
  plan: user_metadata.plan
`;

const SAMPLE_CSV = `email,first_name,last_name,plan,verified
ada.lovelace@example.com,Ada,Lovelace,pro,yes
Claude.Shannon@Example.com,Claude,Shannon,free,no
hedy.lamarr@example.com,Hedy,Lamarr,pro,yes
grace.hopper@example.com,Grace,Hopper,enterprise,yes
alan.turing@example,Alan,Turing,free,no
`;
