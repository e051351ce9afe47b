import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleFixture } from '../helpers/console-server.js';

/**
 * A run from the console starts only from its dry run: the dry run of the pipeline and source as
 * they are when the run starts, once. A dry run seen once let the pipeline run after its file (its
 * mapping, its target) or its source changed, with nothing shown of what that run would do, and
 * again and again after the first run had changed the store.
 */
describe('ferry ui: the dry run before a run', () => {
  let c: ConsoleFixture;
  let csrf: string;
  const post = async (path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${c.server.url}${path}`, {
      method: 'POST',
      headers: { 'x-ferry-csrf': csrf, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const pipeline = (name: string) =>
    `name: gate\nsource: { file: data/users.csv }\ntarget: { connection: users, key: [email], upsert: true }\ncolumns: { email: email, name: ${name} }\n`;
  const dryRun = async (): Promise<string> => {
    const r = await post('api/runs/dry-run', { pipeline: 'pipelines/gate.yaml' });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    return r.json['id'] as string;
  };
  const run = (dry: string) => post('api/runs', { pipeline: 'pipelines/gate.yaml', dryRun: dry });

  beforeAll(async () => {
    c = await startConsole();
    c.p.write('pipelines/data/users.csv', 'email,name\na@example.com,Ann\n');
    c.p.write('pipelines/gate.yaml', pipeline('name'));
    csrf = /name="ferry-csrf" content="([^"]+)"/.exec(await (await fetch(c.server.url)).text())![1]!;
  });
  afterAll(() => c?.close());

  it('refuses the run once the pipeline file changed after its dry run', async () => {
    const dry = await dryRun();
    c.p.write('pipelines/gate.yaml', pipeline('$uppercase(name)'));
    const refused = await run(dry);
    expect(refused.status).toBe(409);
    expect(String(refused.json['error'])).toMatch(/changed since its dry run/);
  });

  it('refuses the run once its source file changed after its dry run', async () => {
    const dry = await dryRun();
    c.p.write('pipelines/data/users.csv', 'email,name\na@example.com,Ann\nb@example.com,Bob\n');
    expect((await run(dry)).status).toBe(409);
  });

  it('starts a run from a dry run of what it runs, once', async () => {
    const dry = await dryRun();
    const started = await run(dry);
    expect(started.status, JSON.stringify(started.json)).toBe(200);
    expect(typeof started.json['job']).toBe('string');
    expect((await run(dry)).status).toBe(409);
  });
});
