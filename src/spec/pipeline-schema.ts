import { z } from 'zod';

/**
 * The pipeline file format (DESIGN.md "Pipeline file"). Objects are strict: an unknown key is an error,
 * because a typo (`upsret: true`) must not silently fall back to a default.
 * No transforms here, so the same schema also yields the JSON Schema printed by `ferry schema`.
 */

export const fileFormats = ['csv', 'json', 'ndjson'] as const;
export type FileFormat = (typeof fileFormats)[number];
export const jobStatuses = ['succeeded', 'failed', 'cancelled'] as const;

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a column name (letters, digits, _)' });
const duration = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, { error: 'expected a duration such as 500ms, 2s, 1m' }),
]);

export const csvOptionsSchema = z.strictObject({
  delimiter: z.string().length(1, { error: 'expected one character' }).default(','),
  header: z.boolean().default(true),
  encoding: z.enum(['utf8', 'latin1']).default('utf8'),
});

export const fileSourceSchema = z.strictObject({
  file: z.string().min(1),
  format: z.enum(fileFormats).optional(),
  csv: csvOptionsSchema.optional(),
});

export const sortSchema = z.strictObject({
  by: z.string().min(1),
  order: z.enum(['asc', 'desc']).default('asc'),
});

export const connectionSourceSchema = z.strictObject({
  connection: z.string().min(1),
  table: z.string().min(1).optional().describe('overrides the table of the connection'),
  query: z.string().default('*').describe('Lucene query; * (default) matches every row'),
  sort: sortSchema.optional(),
});

export const connectionTargetSchema = z.strictObject({
  connection: z.string().min(1),
  table: z.string().min(1).optional().describe('overrides the table of the connection'),
  key: z.union([identifier, z.array(identifier).min(1)]).default(['email']),
  upsert: z.boolean().default(false),
  metadata: z.enum(['merge', 'replace']).default('merge'),
});

export const fileTargetSchema = z.strictObject({
  file: z.string().min(1).describe('output path; {date} and {job} are replaced'),
  format: z.enum(fileFormats).optional(),
  escape_formulas: z
    .boolean()
    .default(true)
    .describe('CSV (on by default): prefix text cells and headers starting with = + - @ tab or CR with a quote; plain numbers and E.164 phone numbers stay as they are'),
});

/** Column map values are JSONata expressions; `defaults: true` in an export map inserts the default columns. */
export const columnsSchema = z.union([
  z.literal('defaults'),
  z.record(z.string().min(1), z.union([z.string().min(1), z.literal(true)])),
]);

export const ruleSchema = z.strictObject({
  check: z.string().min(1).describe('JSONata over the mapped record; false rejects it as RULE'),
  message: z.string().min(1),
});

export const validateSchema = z.strictObject({
  schema: z.enum(['user', 'none']).default('user'),
  rules: z.array(ruleSchema).default([]),
  max_rejects: z
    .union([z.number().int().nonnegative(), z.string().regex(/^\d+(\.\d+)?%$/, { error: 'expected a count or a percentage such as 1%' })])
    .optional(),
});

export const batchSchema = z.strictObject({
  size: z.number().int().min(1).max(100_000).default(1000),
  parallelism: z.number().int().min(1).max(64).default(4),
  exclusive: z.boolean().default(true).describe('false lets two jobs write the same table at once'),
});

export const retrySchema = z.strictObject({
  max_attempts: z.number().int().min(1).max(100).default(5),
  initial_interval: duration.default('1s'),
  max_interval: duration.default('30s'),
});

const notifyOn = z.array(z.enum(jobStatuses)).min(1).optional();

export const emailNotifySchema = z.strictObject({
  email: z.union([z.email(), z.array(z.email()).min(1)]),
  on: notifyOn,
});

export const webhookNotifySchema = z.strictObject({
  webhook: z.string().min(1).describe('http(s) URL; credentials in it only as ${ENV} references, resolved when the notification is sent'),
  secret_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional().describe('environment variable holding the HMAC secret'),
  timeout: duration.optional(),
  on: notifyOn,
});

export const pipelineSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { error: 'expected lower-case letters, digits, - and _' }).optional(),
  description: z.string().optional(),
  source: z.union([fileSourceSchema, connectionSourceSchema]),
  target: z.union([connectionTargetSchema, fileTargetSchema]),
  columns: columnsSchema.optional(),
  validate: validateSchema.optional(),
  batch: batchSchema.optional(),
  retry: retrySchema.optional(),
  notify: z.array(z.union([emailNotifySchema, webhookNotifySchema])).optional(),
  schedule: z.string().nullable().optional().describe('cron expression, e.g. "0 2 * * *"'),
  timezone: z.string().optional().describe('IANA time zone of the schedule'),
  catch_up: z
    .enum(['once', 'skip'])
    .default('once')
    .describe('ferry serve: a run missed while it was down runs once on start (once), or is skipped (skip)'),
});

export type PipelineInput = z.input<typeof pipelineSchema>;
export type Pipeline = z.output<typeof pipelineSchema>;
export type FileSource = z.output<typeof fileSourceSchema>;
export type ConnectionSource = z.output<typeof connectionSourceSchema>;
export type ConnectionTarget = z.output<typeof connectionTargetSchema>;
export type FileTarget = z.output<typeof fileTargetSchema>;
export type NotifyEntry = NonNullable<Pipeline['notify']>[number];
