import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPORT_COLUMNS, exportColumns } from '../../../src/plan/export-columns.js';
import { buildJobPlan, type PlanContext } from '../../../src/plan/job-plan.js';
import { pipelineSchema, type PipelineInput } from '../../../src/spec/pipeline-schema.js';

const ctx: PlanContext = {
  jobId: 'export-users-20260102T030405-abcd',
  pipeline: 'export-users',
  pipelineFile: '/p/export-users.yaml',
  pipelineHash: 'h',
  startedAt: '2026-01-02T03:04:05.000Z',
  jobDir: '/state/jobs/x',
  targetPath: '/out/users-{date}-{job}.csv',
  targetFormat: 'csv',
};

const exportSpec = (extra: Partial<PipelineInput> = {}): PipelineInput => ({
  source: { connection: 'users', query: '_exists_:nickname', sort: { by: 'created_at', order: 'desc' } },
  target: { file: 'out/users-{date}-{job}.csv' },
  ...extra,
});

const plan = (input: PipelineInput, context: PlanContext = ctx) => buildJobPlan(pipelineSchema.parse(input), context);
const defaults = DEFAULT_EXPORT_COLUMNS.map(([header]) => header);

describe('buildJobPlan for exports', () => {
  it('plans a connection → file pipeline as an export, placeholders replaced, no user validation', () => {
    const p = plan(exportSpec());
    expect(p.kind).toBe('export');
    expect(p.source).toEqual({ type: 'connection', connection: 'users', query: '_exists_:nickname', sort: { by: 'created_at', order: 'desc' } });
    expect(p.target).toEqual({ type: 'file', path: '/out/users-2026-01-02-export-users-20260102T030405-abcd.csv', format: 'csv', escapeFormulas: true });
    expect(p.validate.schema).toBe('none');
    expect(p).not.toHaveProperty('sample');
  });

  it('expands `columns: defaults`, and no columns at all, to the default columns in their order', () => {
    expect(defaults).toEqual([
      'user_id',
      'given_name',
      'family_name',
      'nickname',
      'name',
      'email',
      'email_verified',
      'picture',
      'connection',
      'created_at',
      'updated_at',
    ]);
    expect(Object.entries(plan(exportSpec({ columns: 'defaults' })).columns!)).toEqual(DEFAULT_EXPORT_COLUMNS);
    expect(Object.keys(plan(exportSpec()).columns!)).toEqual(defaults);
  });

  it('inserts the defaults where `defaults: true` stands; a default the map names keeps the map’s expression and place', () => {
    const columns = exportColumns({ id: 'user_id', defaults: true, email: '$lowercase(email)', plan: 'user_metadata.plan' });
    expect(Object.keys(columns)).toEqual(['id', ...defaults.filter((h) => h !== 'email'), 'email', 'plan']);
    expect(columns['email']).toBe('$lowercase(email)');
    expect(columns['nickname']).toBe('nickname');
    expect(exportColumns({ a: 'x', b: 'y' })).toEqual({ a: 'x', b: 'y' });
  });

  it('keeps a column named __proto__ (or constructor) as a column of its own, in its place', () => {
    const columns = exportColumns(JSON.parse('{"__proto__": "email", "constructor": "given_name", "id": "user_id"}') as Record<string, string>);
    expect(Object.keys(columns)).toEqual(['__proto__', 'constructor', 'id']);
    expect(Object.getOwnPropertyDescriptor(columns, '__proto__')?.value).toBe('email');
    expect(Object.getPrototypeOf(columns)).toBe(Object.prototype);
  });

  it('carries --sample only for exports', () => {
    expect(plan(exportSpec(), { ...ctx, sample: 10 }).sample).toBe(10);
    const imp = plan({ source: { file: 'u.json' }, target: { connection: 'users' } }, { ...ctx, sourcePath: '/u.json', sourceFormat: 'json', sample: 10 });
    expect(imp.kind).toBe('import');
    expect(imp).not.toHaveProperty('sample');
    expect(imp.columns).toBeNull();
  });
});
