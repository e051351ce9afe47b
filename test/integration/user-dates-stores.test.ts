import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { TestProject } from '../helpers/project.js';

/*
 * `schema: user` date-times at the edges, imported into a SQLite store and a PostgreSQL one: the
 * same records are refused by both (at validation, as FORMAT, naming the field), and every record
 * accepted is stored by both as the very instant it wrote, to the microsecond.
 */
const passwordEnv = 'FERRY_TEST_PG_PASSWORD';

const DATES: Record<string, string> = {
  // Refused: what one store would change or refuse.
  'zero@x.io': '0001-01-01T00:00:00+01:00', // 0000-12-31T23:00:00Z: SQLite stored year 0, PostgreSQL refused at write
  'zero2@x.io': '0001-01-01T00:59:59.999+01:00',
  'late@x.io': '9999-12-31T23:59:59-01:00',
  'nanos@x.io': '2024-01-15T23:59:59.9999996Z', // PostgreSQL rounded it into the next day
  'far@x.io': '2024-05-01T09:30:00+15:00', // PostgreSQL took it, SQLite refused it at write
  'far2@x.io': '2024-05-01T09:30:00-23:59', // refused by both at write, as INVALID_TYPE
  'leap@x.io': '2016-12-31T23:59:60Z',
  'feb@x.io': '2023-02-29T12:00:00Z',
  'h24@x.io': '2024-05-01T24:00:00Z',
  'local@x.io': '2024-05-01T09:30:00',
  'min60@x.io': '2024-05-01T09:30:00+00:60',
  // Accepted: every store keeps the instant.
  'first@x.io': '0001-01-01T01:00:00+01:00',
  'last@x.io': '9999-12-31T22:59:59.999999-01:00',
  'micro@x.io': '2024-05-01T09:30:00.123456Z',
  'zeros@x.io': '2024-05-01T09:30:00.123456000+02:00',
  'lower@x.io': '2024-05-01t09:30:00z',
  'nocolon@x.io': '2024-05-01 09:30:00-0530',
  'east@x.io': '2024-05-01T09:30:00+14:59',
  'leapday@x.io': '2024-02-29T23:59:59.5-14:59',
};
const REFUSED = [
  'zero@x.io',
  'zero2@x.io',
  'late@x.io',
  'nanos@x.io',
  'far@x.io',
  'far2@x.io',
  'leap@x.io',
  'feb@x.io',
  'h24@x.io',
  'local@x.io',
  'min60@x.io',
];

/** An ISO instant as microseconds since the epoch, fraction kept to 6 digits; for years 1–9999. */
function micros(text: string): bigint {
  const m = /^(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:?\d\d)$/.exec(text.trim());
  if (!m) throw new Error(`not an instant: ${text}`);
  const [, date, clock, fraction = '', zone] = m as unknown as [string, string, string, string | undefined, string];
  const offset = /^[Zz]$/.test(zone) ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const seconds = Date.parse(`${date}T${clock}${offset}`);
  return BigInt(seconds) * 1000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

describePostgres('schema: user date-times are the same instants on SQLite and PostgreSQL', () => {
  const server = usePostgresServer({ passwordEnv });
  const results: Record<string, { rejects: [string, string, string][]; stored: Map<string, bigint> }> = {};
  let db: pg.Client | undefined;

  beforeAll(async () => {
    const records = Object.entries(DATES).flatMap(([email, at]) => [
      { email, created_at: at },
      { email: `l.${email}`, last_login: at, updated_at: at },
    ]);
    for (const kind of ['sqlite', 'postgres'] as const) {
      const p = new TestProject();
      try {
        if (kind === 'postgres') {
          const database = await server().createDatabase();
          p.write('ferry.yaml', usersConnectionYaml(server(), database, passwordEnv));
          db = await rawClient(server().url(database));
        }
        p.write('users.json', records);
        p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
        const { code, report } = p.run('import.yaml');
        expect(code).toBe(0);
        const rejects = p.rejects(report).flatMap((r) => {
          const email = String((r.record as { email: string }).email);
          return r.errors.map((e): [string, string, string] => [email, e.code, e.path]);
        });
        const stored = new Map<string, bigint>();
        const rows =
          kind === 'sqlite'
            ? p.rows('SELECT email, created_at, last_login, updated_at FROM users')
            : (
                await db!.query<Record<string, string>>(
                  `SELECT email, ${['created_at', 'last_login', 'updated_at'].map((c) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${c}`).join(', ')} FROM users`,
                )
              ).rows;
        for (const row of rows) {
          const email = String(row['email']);
          const original = email.startsWith('l.') ? email.slice(2) : email;
          if (!(original in DATES)) continue;
          for (const column of email.startsWith('l.') ? ['last_login', 'updated_at'] : ['created_at'])
            stored.set(`${email} ${column}`, micros(String(row[column])));
        }
        results[kind] = { rejects, stored };
      } finally {
        await db?.end();
        db = undefined;
        p.cleanup();
      }
    }
  });
  afterAll(async () => db?.end());

  it('refuses the same records on both stores, as FORMAT at validation, each at its field', () => {
    const expected = REFUSED.flatMap((email): [string, string, string][] => [
      [email, 'FORMAT', 'created_at'],
      [`l.${email}`, 'FORMAT', 'last_login'],
      [`l.${email}`, 'FORMAT', 'updated_at'],
    ]).sort();
    expect(results['sqlite']!.rejects.sort()).toEqual(expected);
    expect(results['postgres']!.rejects.sort()).toEqual(expected);
  });

  it('stores every accepted date-time as the instant it wrote, on both', () => {
    const accepted = Object.keys(DATES).filter((email) => !REFUSED.includes(email));
    const expected = new Map(
      accepted.flatMap((email) => {
        const at = micros(DATES[email]!);
        return [
          [`${email} created_at`, at],
          [`l.${email} last_login`, at],
          [`l.${email} updated_at`, at],
        ];
      }),
    );
    expect(results['sqlite']!.stored).toEqual(expected);
    expect(results['postgres']!.stored).toEqual(expected);
  });
});
