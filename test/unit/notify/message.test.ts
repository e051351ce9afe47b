import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../src/notify/message-html.js';
import { emailMessage, emailSubject, webhookBody } from '../../../src/notify/message.js';
import { formatDuration, notifyReport, type ReportFacts } from '../../../src/notify/report.js';
import { SecretMasker } from '../../../src/spec/secrets.js';
import { sampleInput, samplePlan, sampleRejects } from './fixtures.js';

const endedAt = '2025-01-02T03:05:17.500Z';
const rejectsFile = '/srv/ferry/.ferry/jobs/import-users-20250102T030405-ab12/rejects.ndjson';
const facts = (extra: Partial<ReportFacts> = {}): ReportFacts => ({ endedAt, rejectsFile, rejects: sampleRejects, ...extra });

describe('notification subject', () => {
  it('names the pipeline, the status and the non-zero counts', () => {
    expect(emailSubject(notifyReport(sampleInput(), samplePlan(), facts()))).toBe('[ferry] import-users succeeded: 90 inserted, 10 rejected');
    const upsert = sampleInput({ summary: { total: 5, inserted: 0, updated: 3, unchanged: 2, rejected: 0, exported: 0, batches: { done: 1, total: 1 } } });
    expect(emailSubject(notifyReport(upsert, samplePlan(), facts()))).toBe('[ferry] import-users succeeded: 3 updated, 2 unchanged');
  });

  it('says how many records there were when nothing was written', () => {
    const failed = sampleInput({
      status: 'failed',
      summary: { total: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, exported: 0, batches: { done: 0, total: 0 } },
    });
    expect(emailSubject(notifyReport(failed, samplePlan(), facts()))).toBe('[ferry] import-users failed: 0 records');
  });
});

describe('notification text body', () => {
  it('has the summary, the duration, the first rejects and where the report is', () => {
    const { text } = emailMessage(notifyReport(sampleInput(), samplePlan(), facts()));
    expect(text).toContain('Job import-users-20250102T030405-ab12 (pipeline import-users) succeeded.');
    expect(text).toContain('Duration  1m 13s');
    expect(text).toContain('Records   total 100 · inserted 90 · updated 0 · unchanged 0 · rejected 10');
    expect(text).toContain('First 2 of 10 rejected records:');
    expect(text).toContain('  row 3  FORMAT  email  must be a valid email');
    expect(text).toContain('  row 7  PATTERN  password_hash  must be a bcrypt hash ($2a$ or $2b$)');
    expect(text).toContain('  row 7  RULE  -  <script>');
    expect(text).toContain(`Full reject report: ${rejectsFile} (ferry jobs errors import-users-20250102T030405-ab12)`);
    expect(text).toContain('Artifacts: /srv/ferry/.ferry/jobs/import-users-20250102T030405-ab12');
    expect(text).not.toContain('Error');
  });

  it('shows the job error and, for an export, the output file', () => {
    const plan = {
      ...samplePlan(),
      kind: 'export' as const,
      target: { type: 'file' as const, path: '/srv/out/users.csv', format: 'csv' as const, escapeFormulas: true },
    };
    const input = sampleInput({
      status: 'failed',
      error: 'batch 2: disk full',
      summary: { total: 4, inserted: 0, updated: 0, unchanged: 0, rejected: 0, exported: 4, batches: { done: 1, total: 2 } },
    });
    const { subject, text } = emailMessage(notifyReport(input, plan, facts({ rejects: [] })));
    expect(subject).toBe('[ferry] import-users failed: 4 exported');
    expect(text).toContain('Error     batch 2: disk full');
    expect(text).toContain('exported 4');
    expect(text).toContain('Output: /srv/out/users.csv');
    expect(text).not.toContain('rejected records');
    expect(text).not.toContain('Full reject report');
  });
});

describe('notification HTML body', () => {
  it('escapes every interpolated value', () => {
    const input = sampleInput({ error: 'mapping failed near <b>"Plan"</b> & more' });
    const { html } = emailMessage(notifyReport(input, samplePlan(), facts()));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>"Plan"');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;q&#39;');
    expect(html).toContain('mapping failed near &#60;b&#62;&#34;Plan&#34;&#60;/b&#62; &#38; more');
    expect(html).toContain('<td style="padding: 2px 12px 2px 0; vertical-align: top">FORMAT</td>');
    expect(html).toContain('import-users-20250102T030405-ab12');
    expect(html).toContain(escapeHtml(rejectsFile));
  });

  it('escapes the characters that open tags, entities and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;amp;&#60;/a&#62;');
  });
});

describe('masking', () => {
  it('masks URL passwords and project secrets in the error and in reject messages, in every format', () => {
    const masker = new SecretMasker(['hunter2-token']);
    const input = sampleInput({ status: 'failed', error: 'batch 0: [connection:postgres] postgres://app:s3cret@db/users refused; key hunter2-token' });
    const rejects = [{ row: 1, record: {}, errors: [{ code: 'RULE' as const, message: 'value hunter2-token is not allowed', path: 'x' }] }];
    const report = notifyReport(input, samplePlan(), facts({ rejects, mask: (t) => masker.mask(t) }));
    const { subject, text, html } = emailMessage(report);
    const body = JSON.stringify(webhookBody(report));
    for (const out of [subject, text, html, body]) {
      expect(out).not.toContain('s3cret');
      expect(out).not.toContain('hunter2-token');
    }
    expect(text).toContain('postgres://app:***@db/users refused; key ***');
    expect(text).toContain('value *** is not allowed');
    expect(webhookBody(report).error).toEqual({
      message: 'batch 0: [connection:postgres] postgres://app:***@db/users refused; key ***',
      code: 'BATCH_FAILED',
      batch: 0,
    });
  });

  it('masks URL passwords even without a project mask', () => {
    const report = notifyReport(sampleInput({ error: 'smtp://ops:pa55word@mail:587 down' }), samplePlan(), facts());
    expect(report.error).toBe('smtp://ops:***@mail:587 down');
  });
});

describe('webhook body', () => {
  it('is the `ferry run --json` object with the event and the times', () => {
    const body = webhookBody(
      notifyReport(sampleInput({ delivery: 'import-users-20250102T030405-ab12.3.0.succeeded' }), samplePlan(), facts({ engine: 'temporal' })),
    );
    expect(body).toEqual({
      event: 'job.finished',
      delivery_id: 'import-users-20250102T030405-ab12.3.0.succeeded',
      job: 'import-users-20250102T030405-ab12',
      pipeline: 'import-users',
      engine: 'temporal',
      status: 'succeeded',
      summary: { total: 100, inserted: 90, updated: 0, unchanged: 0, rejected: 10, exported: 0 },
      artifacts: { dir: '/srv/ferry/.ferry/jobs/import-users-20250102T030405-ab12', rejects: rejectsFile, output: null },
      error: null,
      started_at: '2025-01-02T03:04:05.000Z',
      ended_at: endedAt,
    });
    expect(webhookBody(notifyReport(sampleInput(), samplePlan(), facts())).engine).toBe('embedded');
    // A notification scheduled by a workflow of an earlier Ferry has no delivery id in its input.
    expect(webhookBody(notifyReport(sampleInput({ index: 2, status: 'failed' }), samplePlan(), facts())).delivery_id).toBe(
      'import-users-20250102T030405-ab12.1.2.failed',
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0.0s'],
    [1234, '1.2s'],
    [59_949, '59.9s'],
    [60_000, '1m 00s'],
    [3_599_000, '59m 59s'],
    [3_600_000, '1h 00m'],
    [7_620_000, '2h 07m'],
    [-5, '-'],
    [Number.NaN, '-'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
