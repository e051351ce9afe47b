import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { taskQueue, temporalConfig } from '../helpers/temporal-workers.js';

/**
 * An id that names no job on Temporal gets the one "no job" answer, exit 2, on every command:
 * `jobs cancel` and `jobs resume` said the client's "workflow not found for ID: <the id, whole,
 * its line breaks forging lines>", exit 1, and an empty id made every command say "Failed to
 * describe workflow".
 */
describeTemporal('ids that name no job on Temporal', { timeout: 120_000 }, () => {
  const server = useTemporalServer();
  let p: TestProject;

  beforeAll(() => {
    p = new TestProject();
    p.write('ferry.yaml', temporalConfig(server().address, taskQueue('no-job')));
  });
  afterAll(() => p?.cleanup());

  const long = `forged\nline${'x'.repeat(1000)}`;
  const cases: [string, string][] = [
    ['', '""'],
    ['a\nb', 'a\\nb'],
    [long, `forged\\nline${'x'.repeat(69)}… (${long.length} characters)`],
  ];

  it.each([['show'], ['errors'], ['cancel'], ['resume'], ['rollback'], ['retry-rejects']])('jobs %s', (command) => {
    for (const [id, shown] of cases) {
      const result = p.ferry('jobs', command, id);
      expect(result.stderr, JSON.stringify(id)).toBe(`no job ${shown} on Temporal (ferry jobs list shows the jobs)\n`);
      expect(result.code, JSON.stringify(id)).toBe(2);
    }
  });
});
