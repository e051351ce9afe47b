import { afterEach, beforeEach } from 'vitest';
import { Journal } from '../../src/engine/embedded/journal.js';
import { tempDir } from './cli.js';

/**
 * A journal in a new temp folder for each test of the suite, closed and removed after it; `use`
 * receives it (and its folder, the state dir) before each test.
 */
export function useTempJournal(use: (fresh: { dir: string; journal: Journal }) => void): void {
  let current: { journal: Journal; cleanup: () => void } | undefined;
  beforeEach(() => {
    const { dir, cleanup } = tempDir();
    current = { journal: new Journal(dir), cleanup };
    use({ dir, journal: current.journal });
  });
  afterEach(() => {
    current?.journal.close();
    current?.cleanup();
    current = undefined;
  });
}
