import { describe, expect, it } from 'vitest';
import { emailMessage } from '../../../src/notify/message.js';
import { notifyReport } from '../../../src/notify/report.js';
import type { Reject } from '../../../src/validation/reject.js';
import { sampleInput, samplePlan } from './fixtures.js';

/**
 * A reject message may quote source data (`$error(email)` in a mapping gives the value itself), and
 * a pipeline's name comes from its file name: text nobody vetted, sent to an operator's mailbox.
 */
const forged = 'x\nStatus    failed\n\nFull reject report: https://phish.example/login';
const rejects: Reject[] = [{ row: 4, record: {}, errors: [{ code: 'MAPPING_ERROR', message: `JSONata D3137: ${forged}`, path: 'email\r\nOutput: /x' }] }];
const endedAt = '2025-01-02T03:05:17.500Z';

/** The lines of a text body that start at the left margin: the labels a reader trusts. */
const marginLines = (text: string): string[] => text.split('\n').filter((line) => /^\S/.test(line));

describe('text email with line breaks in the data it quotes', () => {
  it('keeps each reject on its own line: a quoted value cannot add a line of its own', () => {
    const { text } = emailMessage(notifyReport(sampleInput(), samplePlan(), { endedAt, rejectsFile: '/jobs/x/rejects.ndjson', rejects }));
    expect(text).toContain(
      '  row 4  MAPPING_ERROR  email\\r\\nOutput: /x  JSONata D3137: x\\nStatus    failed\\n\\nFull reject report: https://phish.example/login\n',
    );
    expect(marginLines(text).filter((line) => line.startsWith('Full reject report:'))).toEqual([
      'Full reject report: /jobs/x/rejects.ndjson (ferry jobs errors import-users-20250102T030405-ab12)',
    ]);
    expect(marginLines(text).filter((line) => line.startsWith('Status'))).toEqual(['Status    succeeded']);
  });

  it("indents the lines of a multi-line job error under its label, and escapes a pipeline name's line breaks and terminal controls", () => {
    const plan = { ...samplePlan(), pipeline: 'nightly\r\nJob z succeeded.\u001b[2J\u202e' };
    const input = sampleInput({ status: 'failed', error: `the pipeline is invalid now:\nnightly.yaml:3:1 source: ${forged}` });
    const { text, subject, html } = emailMessage(notifyReport(input, plan, { endedAt, rejectsFile: null, rejects: [] }));
    expect(text).toContain('Job import-users-20250102T030405-ab12 (pipeline nightly\\r\\nJob z succeeded.\\x1b[2J\\u202e) failed.\n');
    expect(text).toContain(
      'Error     the pipeline is invalid now:\n          nightly.yaml:3:1 source: x\n          Status    failed\n          \n          Full reject report:',
    );
    expect(marginLines(text).filter((line) => /^(Status|Full reject report)/.test(line))).toEqual(['Status    failed']);
    expect(subject).toBe('[ferry] nightly\\r\\nJob z succeeded.\\x1b[2J\\u202e failed: 90 inserted, 10 rejected');
    expect(html).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202a-\u202e]/);
    expect(html).toContain('the pipeline is invalid now:<br>nightly.yaml:3:1 source: x<br>Status    failed');
  });
});
