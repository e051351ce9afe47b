import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startConsole } from '../helpers/browser.js';
import { TestProject } from '../helpers/project.js';

/**
 * The export builder's live count reads the store it counts: typing a query for a store not made
 * yet created the SQLite file (with Ferry's bookkeeping tables), and for a store without the table
 * created an empty users table. It says what is missing now, where the query's errors show, and
 * creates nothing.
 */
describe("the console's live count of a store or table that is not there", () => {
  it('answers with the reason and makes neither', async () => {
    const p = new TestProject();
    const token = 'console-token-0123456789';
    try {
      p.write(
        'ferry.yaml',
        'connections:\n  later: { driver: sqlite, path: data/later.db, table: users }\n  here: { driver: sqlite, path: here.db, table: people }\n',
      );
      const here = new Database(join(p.dir, 'here.db'));
      here.exec('CREATE TABLE other (id INTEGER PRIMARY KEY)');
      here.close();
      const ui = await startConsole(p.dir, [], { FERRY_UI_TOKEN: token });
      try {
        const auth = { authorization: `Bearer ${token}` };
        const html = await (await fetch(ui.url, { headers: auth })).text();
        const csrf = /name="ferry-csrf" content="([^"]+)"/.exec(html)![1]!;
        const count = async (connection: string) => {
          const res = await fetch(`${ui.url}api/export/count`, {
            method: 'POST',
            headers: { ...auth, 'x-ferry-csrf': csrf, 'content-type': 'application/json' },
            body: JSON.stringify({ connection, query: 'email:*' }),
          });
          expect(res.status).toBe(200);
          return (await res.json()) as { error?: string; offset?: number | null; count?: number };
        };
        expect(await count('later')).toEqual({ error: expect.stringMatching(/later\.db: the store file does not exist/) as unknown, offset: null });
        expect(existsSync(join(p.dir, 'data'))).toBe(false);
        expect(await count('here')).toEqual({ error: expect.stringMatching(/table people does not exist in .*here\.db/) as unknown, offset: null });
        expect(p.rows("SELECT name FROM sqlite_schema WHERE name = 'people'", 'here.db')).toEqual([]);
      } finally {
        expect(await ui.stop()).toBe(0);
      }
    } finally {
      p.cleanup();
    }
  });
});
