import type { Client } from '@temporalio/client';
import { afterEach, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { taskQueue, temporalConfig, until, withTestClient } from '../helpers/temporal-workers.js';

/**
 * Two projects on one Temporal namespace, each with its own task queue, keep separate schedules:
 * a pipeline of the same name in both is two schedules, and each project's `schedules list` and
 * `schedules apply` (with its deletions) see and change only its own. A project's schedules of
 * the earlier form (`ferry-<pipeline>`, every project's before ids named the queue) are replaced
 * by its apply, and another project's are left alone. No worker: nothing here runs a schedule.
 */
describeTemporal('Temporal: schedules belong to their project', { timeout: 120_000 }, () => {
  const server = useTemporalServer();
  const projects: TestProject[] = [];
  afterEach(() => projects.splice(0).forEach((p) => p.cleanup()));

  function project(queue: string): TestProject {
    const p = new TestProject();
    projects.push(p);
    p.write('ferry.yaml', temporalConfig(server().address, queue));
    p.write('users.json', [{ email: 'a@example.com' }]);
    return p;
  }
  const schedule = (p: TestProject, pipeline: string, cron: string | null): void => {
    p.write(
      `pipelines/${pipeline}.yaml`,
      `name: ${pipeline}\n${cron ? `schedule: "${cron}"\n` : ''}source: { file: ../users.json }\ntarget: { connection: users }\n`,
    );
  };
  type Applied = { created: string[]; updated: string[]; replaced: { id: string; by: string }[]; deleted: string[] };
  const apply = (p: TestProject): Applied => {
    const applied = p.ferry('schedules', 'apply', '--json');
    expect(applied.code, applied.stderr).toBe(0);
    return JSON.parse(applied.stdout) as Applied;
  };
  const list = (p: TestProject): { id: string; pipeline: string; cron: string }[] => {
    const listed = p.ferry('schedules', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    return listed.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as never);
  };
  /** The ids `schedules list` shows, once they are `ids` (the server's schedule listing can lag a create or delete). */
  const listsOnly = async (p: TestProject, ids: string[]): Promise<void> => {
    await until(() => JSON.stringify(list(p).map((s) => s.id)) === JSON.stringify(ids), 30_000, 250).catch(() => undefined);
    expect(list(p).map((s) => s.id)).toEqual(ids);
  };
  const cronOf = (id: string): Promise<string | undefined> =>
    withTestClient(server().address, (c) =>
      c.schedule
        .getHandle(id)
        .describe()
        .then(
          (d) => String(d.memo?.['cron']),
          () => undefined,
        ),
    );

  it("two projects' pipelines of one name are two schedules; each lists, updates and deletes its own", async () => {
    const [qa, qb] = [taskQueue('a'), taskQueue('b')];
    const [a, b] = [project(qa), project(qb)];
    schedule(a, 'nightly', '0 3 * * *');
    schedule(b, 'nightly', '0 4 * * *');
    expect(apply(a)).toEqual({ created: [`${qa}:nightly`], updated: [], replaced: [], deleted: [] });
    expect(apply(b)).toEqual({ created: [`${qb}:nightly`], updated: [], replaced: [], deleted: [] });
    await listsOnly(a, [`${qa}:nightly`]);
    await listsOnly(b, [`${qb}:nightly`]);
    expect(list(b)[0]).toMatchObject({ pipeline: 'nightly', cron: '0 4 * * *' });

    // A's new cron and A's pipeline losing its schedule: B's schedule stays as B applied it.
    schedule(a, 'nightly', '30 3 * * *');
    expect(apply(a)).toEqual({ created: [], updated: [`${qa}:nightly`], replaced: [], deleted: [] });
    expect(await cronOf(`${qb}:nightly`)).toBe('0 4 * * *');
    schedule(a, 'nightly', null);
    expect(apply(a)).toEqual({ created: [], updated: [], replaced: [], deleted: [`${qa}:nightly`] });
    await listsOnly(a, []);
    expect(a.ferry('schedules', 'list').stdout).toContain('no Ferry schedule of this project');
    await listsOnly(b, [`${qb}:nightly`]);
    expect(apply(b)).toEqual({ created: [], updated: [`${qb}:nightly`], replaced: [], deleted: [] });
  });

  it("refuses to apply over a schedule id held by another project's schedule, changing nothing", async () => {
    const [qa, qb] = [taskQueue('a'), taskQueue('b')];
    const a = project(qa);
    schedule(a, 'daily', '0 5 * * *');
    schedule(a, 'held', '0 6 * * *');
    // Only a task queue with `:` in it could name another project's schedule so: made by hand here.
    await withTestClient(server().address, (c) => createSchedule(c, { id: `${qa}:held`, pipeline: 'held', queue: qb }));
    const refused = a.ferry('schedules', 'apply');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`schedule ${qa}:held on the Temporal server is another project's: its runs start on task queue ${qb}`);
    expect(await cronOf(`${qa}:daily`)).toBeUndefined();
    expect(await cronOf(`${qa}:held`)).toBe('0 1 * * *');
  });

  it("replaces the project's schedules of the earlier form ferry-<pipeline>, and leaves another project's alone", async () => {
    const other = taskQueue('other');
    const p = project('ferry'); // the default queue, as ferry.yaml without task_queue has it
    const q = project(other);
    schedule(p, 'nightly', '0 3 * * *');
    schedule(q, 'report', '0 7 * * *');
    // As `schedules apply` made them before: ferry-<pipeline> whatever the project's queue.
    await withTestClient(server().address, async (c) => {
      await createSchedule(c, { id: 'ferry-nightly', pipeline: 'nightly', queue: 'ferry' });
      await createSchedule(c, { id: 'ferry-gone', pipeline: 'gone', queue: 'ferry' });
      await createSchedule(c, { id: 'ferry-report', pipeline: 'report', queue: other });
    });
    // Found before any apply: the project's own, by the queue their runs start on.
    await listsOnly(p, ['ferry-gone', 'ferry-nightly']);
    await listsOnly(q, ['ferry-report']);

    expect(apply(p)).toEqual({ created: ['ferry:nightly'], updated: [], replaced: [{ id: 'ferry-nightly', by: 'ferry:nightly' }], deleted: ['ferry-gone'] });
    expect(await cronOf('ferry-nightly')).toBeUndefined();
    expect(await cronOf('ferry:nightly')).toBe('0 3 * * *');
    expect(await cronOf('ferry-report')).toBe('0 1 * * *'); // the other project's, untouched
    await listsOnly(p, ['ferry:nightly']);
    expect(apply(p)).toEqual({ created: [], updated: ['ferry:nightly'], replaced: [], deleted: [] });

    expect(apply(q)).toEqual({ created: [`${other}:report`], updated: [], replaced: [{ id: 'ferry-report', by: `${other}:report` }], deleted: [] });
    await listsOnly(q, [`${other}:report`]);
    await listsOnly(p, ['ferry:nightly']);
  });
});

/** A Ferry schedule as `schedules apply` made them before ids named the queue: cron 0 1 * * *, runs on `queue`. */
async function createSchedule(client: Client, s: { id: string; pipeline: string; queue: string }): Promise<void> {
  const file = `pipelines/${s.pipeline}.yaml`;
  await client.schedule.create({
    scheduleId: s.id,
    spec: { cronExpressions: ['0 1 * * *'] },
    action: { type: 'startWorkflow', workflowType: 'scheduledPipelineWorkflow', args: [{ pipelineFile: file }], taskQueue: s.queue, workflowId: s.id },
    policies: { overlap: 'SKIP', catchupWindow: '1 day' },
    memo: { ferry: true, pipeline: s.pipeline, file, cron: '0 1 * * *', timezone: null },
  });
}
