import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
import { parsePipeline } from '../../../src/spec/parse-pipeline.js';
import { nextRun } from '../../../src/engine/embedded/scheduler.js';

const lines = (cron: string): string[] =>
  parsePipeline('p.yaml', `source:\n  connection: users\ntarget:\n  file: out/users.json\nschedule: "${cron}"\ntimezone: Europe/Paris\n`).diagnostics.map(
    formatDiagnostic,
  );

describe('a schedule no date matches', () => {
  it('is said to never run, however many months it lists', () => {
    for (const cron of ['0 0 31 2 *', '0 0 31 2,4 *', '0 0 31 2,4,6 *', '0 0 31 2,4,6,9,11 *', '0 0 0 30,31 2 *'])
      expect(lines(cron)).toEqual([`p.yaml:5:11 schedule: cron expression "${cron}" never runs: no date matches it`]);
  });

  it('a rare date that exists is valid: 29 February, the 31st of the months that have one', () => {
    for (const cron of ['0 0 29 2 *', '0 0 31 2,4,6,9,11,12 *', '0 0 31 2,4,6,9,11 1']) expect(lines(cron)).toEqual([]);
  });

  it('has no next run in ferry serve or ferry schedules list (it threw a RangeError there)', () => {
    expect(nextRun({ cron: '0 0 31 2,4,6,9,11 *', timezone: 'Europe/Paris' }, new Date('2026-01-01T00:00:00.000Z'))).toBeNull();
    expect(nextRun({ cron: '0 0 31 2,4,6,9,11,12 *' }, new Date('2026-01-01T00:00:00.000Z'))?.toISOString()).toBe('2026-12-31T00:00:00.000Z');
  });
});

describe("Quartz's last-weekday form in the day-of-week field", () => {
  it('is refused with croner\'s form to write, as croner reads "5L" as every Friday', () => {
    expect(lines('0 2 * * 5L')).toEqual([
      'p.yaml:5:11 schedule: "5L" in the day-of-week field would run on every such weekday (croner reads it without the L), not on the month\'s last: write 5#L for the last one',
    ]);
    expect(lines('0 0 2 * * MON,FRIL')[0]).toContain('"FRIL" in the day-of-week field');
    expect(lines('0 2 * * 1-5L')[0]).toContain('write 1-5#L');
  });

  it("croner's own forms stay valid: 5#L, the last day of the month (L), a plain weekday", () => {
    for (const cron of ['0 2 * * 5#L', '0 2 L * *', '0 2 * * 5', '0 2 * * FRI'] as const) expect(lines(cron)).toEqual([]);
  });
});
