import { describe, expect, it } from 'vitest';
import { noJobMessage, shownJobId } from '../../../src/engine/no-job.js';

describe('noJobMessage', () => {
  it('quotes an id as it is, with the hint and the engine where asked', () => {
    expect(noJobMessage('import-20261206T114945-0ba2')).toBe('no job import-20261206T114945-0ba2');
    expect(noJobMessage('x', { hint: true })).toBe('no job x (ferry jobs list shows the jobs)');
    expect(noJobMessage('x', { hint: true, onTemporal: true })).toBe('no job x on Temporal (ferry jobs list shows the jobs)');
    expect(noJobMessage('')).toBe('no job ""');
  });

  it('escapes what a terminal acts on, line breaks included', () => {
    expect(shownJobId('a\x1b[2J\nb\u202ec')).toBe('a\\x1b[2J\\nb\\u202ec');
  });

  it('quotes 80 characters of a longer id, and says how long it is', () => {
    const id = 'y'.repeat(1_000_000);
    expect(noJobMessage(id)).toBe(`no job ${'y'.repeat(80)}… (1000000 characters)`);
  });

  it('does not cut between the two halves of a surrogate pair', () => {
    const id = `${'y'.repeat(79)}😀${'z'.repeat(10)}`;
    expect(shownJobId(id)).toBe(`${'y'.repeat(79)}… (91 characters)`);
  });
});
