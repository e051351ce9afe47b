import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInsideFolder } from '../../../src/project/inside-folder.js';

describe('isInsideFolder', () => {
  const jobs = resolve('state', 'jobs');

  it('a name starting with two dots is a name: inside', () => {
    expect(isInsideFolder(jobs, join(jobs, '..x'))).toBe(true);
    expect(isInsideFolder(jobs, join(jobs, '..x', 'file'))).toBe(true);
    expect(isInsideFolder(jobs, join(jobs, '...'))).toBe(true);
  });

  it('climbing out, a sibling, or the folder itself (unless orSame) is not inside', () => {
    expect(isInsideFolder(jobs, join(jobs, '..'))).toBe(false);
    expect(isInsideFolder(jobs, join(jobs, '..', 'other'))).toBe(false);
    expect(isInsideFolder(jobs, `${jobs}x`)).toBe(false);
    expect(isInsideFolder(jobs, resolve('/'))).toBe(false);
    expect(isInsideFolder(jobs, jobs)).toBe(false);
    expect(isInsideFolder(jobs, jobs, { orSame: true })).toBe(true);
    expect(isInsideFolder(jobs, join(jobs, 'a', '..', '..', 'b'))).toBe(false);
  });
});
