import { z } from 'zod';
import { DURATION, durationMs } from './duration.js';

/**
 * The pipeline file format (DESIGN.md "Pipeline file"). Objects are strict: an unknown key is an error,
 * because a typo (`upsret: true`) must not silently fall back to a default.
 * No transforms here, so the same schema also yields the JSON Schema printed by `ferry schema`.
 */

export const fileFormats = ['csv', 'json', 'ndjson'] as const;
export type FileFormat = (typeof fileFormats)[number];
export const jobStatuses = ['succeeded', 'failed', 'cancelled'] as const;

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a column name (letters, digits, _)' });
const duration = z.union([z.number().int().nonnegative(), z.string().regex(DURATION, { error: 'expected a duration such as 500ms, 2s, 1m' })]);

export const csvOptionsSchema = z
  .strictObject({
    delimiter: z
      .string()
      .length(1, { error: 'expected one character' })
      // A quote or a line end already means something in CSV: the rows could not be told apart.
      .refine((d) => d !== '"' && d !== '\n' && d !== '\r', { error: 'a quote or a line end cannot separate fields' })
      .default(',')
      .describe('the field separator, one character, e.g. ";" or "\\t"'),
    header: z
      .boolean()
      .default(true)
      .describe(
        'true: the first row names the fields (use backticks in JSONata for names with spaces: `First Name`); false: every row is data and the fields are col1, col2, …. With true, a file with no header row (0 bytes, or only blank lines) fails the job: a CSV of no users still has its header line',
      ),
    encoding: z
      .enum(['utf8', 'latin1'])
      .default('utf8')
      .describe(
        "the file's character encoding; latin1 is read as Windows-1252, as browsers read that label: bytes 0x80–0x9F are € ‚ „ … ‘ ’ “ ” – — ™ and the like",
      ),
  })
  .describe('how the CSV file is read (csv format only)');

export const fileSourceSchema = z
  .strictObject({
    file: z.string().min(1).describe('the file to read, relative to the pipeline file, e.g. data/users.csv'),
    format: z.enum(fileFormats).optional().describe('csv, json (one array of objects) or ndjson (an object per line); default: from the file extension'),
    csv: csvOptionsSchema.optional(),
  })
  .describe('a file: an import reads its records');

export const sortSchema = z
  .strictObject({
    by: z.string().min(1).describe('a column or a dotted JSON path, e.g. created_at or user_metadata.plan; ties go by the primary key, missing values last'),
    order: z.enum(['asc', 'desc']).default('asc').describe('ascending or descending'),
  })
  .describe('the order rows are read in; without it, the primary key order');

export const connectionSourceSchema = z
  .strictObject({
    connection: z.string().min(1).describe('a connection of ferry.yaml, e.g. users'),
    table: z.string().min(1).optional().describe('overrides the table of the connection'),
    query: z.string().default('*').describe("Lucene query selecting the rows, e.g. '_exists_:email AND user_metadata.plan:pro'; * matches every row"),
    sort: sortSchema.optional(),
  })
  .describe('a connection: an export (to a file) or a migration (to another connection) reads its rows');

export const connectionTargetSchema = z
  .strictObject({
    connection: z.string().min(1).describe('a connection of ferry.yaml, e.g. users'),
    table: z.string().min(1).optional().describe('overrides the table of the connection'),
    key: z
      .union([identifier, z.array(identifier).min(1)])
      .default(['email'])
      .describe(
        'the column(s) that identify a user: a record whose key matches a stored user updates it (with upsert) or is rejected as CONFLICT, e.g. [email]',
      ),
    upsert: z.boolean().default(false).describe('true: update the users that exist (matched on key) and insert the others; false: insert only'),
    metadata: z
      .enum(['merge', 'replace'])
      .default('merge')
      .describe('on update, user_metadata and app_metadata: merge (deep-merge the new keys into the stored object) or replace (the new object replaces it)'),
  })
  .describe('a connection: an import or a migration writes the users there');

export const fileTargetSchema = z
  .strictObject({
    file: z
      .string()
      .min(1)
      // `out/` wrote a file named out; a line break in the name printed as a line of its own in every message naming it.
      .refine((file) => !/[/\\]$/.test(file), 'target.file names a folder (it ends with /): name the file in it, e.g. out/users.csv')
      .refine((file) => !/[\u0001-\u001f\u007f]/.test(file), 'target.file cannot hold a control character (a tab or a line break)')
      .describe('the file to write, relative to the pipeline file; {date} (the job start, UTC) and {job} are replaced, e.g. ../exports/users-{date}.csv'),
    format: z.enum(fileFormats).optional().describe('csv, json or ndjson; default: from the file extension'),
    escape_formulas: z
      .boolean()
      .default(true)
      .describe(
        'CSV (on by default): text cells and headers starting with = + - @ (or tab, CR) get a leading \' so spreadsheets do not run them as formulas; plain numbers and E.164 phone numbers stay as they are. The \' stays in the value if the file is imported again: set false for a CSV meant for re-import (or export NDJSON, which round-trips exactly; CSV also writes null and "" alike, as an empty cell)',
      ),
  })
  .describe('a file: an export writes it, whole or not at all (a temporary name, renamed when complete)');

/**
 * A column's name: it heads a CSV column or keys a JSON member as written, so a control character
 * (a NUL went raw into the CSV header; a line break splits the header row) or half a surrogate
 * pair (no UTF-8 spells it: every row was then rejected) is refused here, before any row is read.
 */
function columnNameSchema() {
  return z
    .string()
    .min(1, 'a column needs a name')
    .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'a column name cannot hold a control character (a NUL, a tab or a line break)')
    .refine((name) => name.isWellFormed(), 'a column name cannot hold half a surrogate pair (no UTF-8 text can)');
}

/** Column map values are JSONata expressions; `defaults: true` in an export map inserts the default columns. */
export const columnsSchema = z
  .union([z.literal('defaults'), z.record(columnNameSchema(), z.union([z.string().min(1), z.literal(true)]))])
  .describe(
    'target column → JSONata expression over the source record, in output order, e.g. email: $lowercase(Email); absent: each field to the column of the same name (imports) or the default columns (exports). Exports: `defaults` alone, or `defaults: true` among the columns, stands for user_id, given_name, family_name, nickname, name, email, email_verified, picture, connection, created_at, updated_at',
  );

export const ruleSchema = z
  .strictObject({
    check: z.string().min(1).describe('JSONata over the mapped record; false rejects it as RULE'),
    message: z.string().min(1).describe('the reject message of a record that fails the check'),
  })
  .describe('a check of your own');

export const validateSchema = z
  .strictObject({
    schema: z
      .enum(['user', 'none'])
      .default('user')
      .describe(
        'user: the bulk-import user rules (email format, lengths, password hashes, metadata…; docs/users-table.md); none: no built-in rules. Exports default to none',
      ),
    rules: z.array(ruleSchema).default([]).describe('extra checks on each mapped record, in order'),
    max_rejects: z
      .union([z.number().int().nonnegative(), z.string().regex(/^\d+(\.\d+)?%$/, { error: 'expected a count or a percentage such as 1%' })])
      .optional()
      .describe('the job fails once more records than this are rejected: a count (100) or a percentage of the source (1%); absent: no limit'),
    allow_all_rejected: z
      .boolean()
      .optional()
      .describe(
        'false or absent: a job that rejects every record it read (none written) fails, since that is almost always a wrong mapping or file; true: it succeeds with its reject report',
      ),
  })
  .describe('the checks every mapped record passes before it is written; one that fails becomes a reject with its row, code, field and message');

export const batchSchema = z
  .strictObject({
    size: z.number().int().min(1).max(100_000).default(1000).describe('records per batch: the unit that is retried, resumed and run in parallel'),
    commit: z
      .number()
      .int()
      .min(1000)
      .max(10_000)
      .optional()
      .describe(
        'records per transaction within a batch (default 1000; a batch smaller than this commits whole): larger commits import into SQLite faster, and hold more records in memory while a retry redoes more',
      ),
    parallelism: z.number().int().min(1).max(64).default(4).describe('batches in flight at once; match the PostgreSQL connection pool'),
    exclusive: z.boolean().default(true).describe('true: a second job writing the same table waits for this one; false lets two such jobs write at once'),
  })
  .describe('how the job is cut and how much runs at once');

export const retrySchema = z
  .strictObject({
    max_attempts: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe('attempts of a failing step (a batch, the plan, the finalization) before the job fails; a notification is tried at most twice'),
    initial_interval: duration.default('1s').describe('wait before the second attempt, doubled at each next one: milliseconds or 500ms, 2s, 1m, 1h'),
    max_interval: duration.default('30s').describe('the longest wait between two attempts'),
  })
  .describe('retries of steps that fail for a passing reason (a lost connection, a deadlock); a rejected record is never retried');

const notifyOn = z.array(z.enum(jobStatuses)).min(1).optional().describe('the job outcomes that send it: succeeded, failed, cancelled; default: all');

export const emailNotifySchema = z
  .strictObject({
    email: z.union([z.email(), z.array(z.email()).min(1)]).describe('one address or a list; sent through notify.smtp of ferry.yaml'),
    on: notifyOn,
  })
  .describe('an email with the job summary');

export const webhookNotifySchema = z
  .strictObject({
    webhook: z
      .string()
      .min(1)
      .describe(
        'http(s) URL that receives a POST of the job summary as JSON, retried on 5xx and network errors; credentials in it only as ${ENV} references, resolved when the notification is sent',
      ),
    secret_env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional()
      .describe('the environment variable holding the secret that signs the body (X-Ferry-Signature: sha256=<HMAC-SHA256 hex>), e.g. FERRY_WEBHOOK_SECRET'),
    // Bounded: 0 aborted every attempt at once, and past 2^31 ms (24.8 days) Node fires a timer at once too.
    timeout: duration
      .refine((value) => durationMs(value) >= 1 && durationMs(value) <= 3_600_000, { error: 'expected a duration from 1ms to 1h, such as 10s' })
      .optional()
      .describe('how long one attempt may take (1ms to 1h): milliseconds or 500ms, 10s'),
    on: notifyOn,
  })
  .describe('an HTTP POST with the job summary');

export const pipelineSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: 'expected lower-case letters, digits, - and _' })
    // A job's folder is named by it and a timestamp: past ~230 characters the file system refuses it mid-run.
    .max(100)
    .optional()
    .describe(
      "the pipeline's name in job ids and listings (lower-case letters, digits, - and _; at most 100); default: the file name (in job ids, control characters as _ and cut at 100 bytes)",
    ),
  description: z.string().optional().describe('free text for people reading the pipeline'),
  source: z.union([fileSourceSchema, connectionSourceSchema]).describe('where the records come from: a file (file:) or a connection (connection:)'),
  target: z.union([connectionTargetSchema, fileTargetSchema]).describe('where the records go: a connection (connection:) or a file (file:)'),
  columns: columnsSchema.optional(),
  validate: validateSchema.optional(),
  batch: batchSchema.optional(),
  retry: retrySchema.optional(),
  notify: z
    .array(z.union([emailNotifySchema, webhookNotifySchema]))
    .optional()
    .describe('who hears about the job when it ends: emails and webhooks'),
  schedule: z
    .string()
    .nullable()
    .optional()
    .describe(
      'cron expression (an optional seconds field first), e.g. "0 2 * * *"; ferry serve or ferry schedules apply (Temporal) runs it; null or absent: not scheduled',
    ),
  timezone: z.string().optional().describe("IANA time zone of the schedule, e.g. Europe/Paris; default: the server's"),
  catch_up: z.enum(['once', 'skip']).default('once').describe('ferry serve: a run missed while it was down runs once on start (once), or is skipped (skip)'),
});

export type PipelineInput = z.input<typeof pipelineSchema>;
export type Pipeline = z.output<typeof pipelineSchema>;
export type FileSource = z.output<typeof fileSourceSchema>;
export type ConnectionSource = z.output<typeof connectionSourceSchema>;
export type ConnectionTarget = z.output<typeof connectionTargetSchema>;
export type FileTarget = z.output<typeof fileTargetSchema>;
export type NotifyEntry = NonNullable<Pipeline['notify']>[number];
