import { statSync } from 'node:fs';
import { ConnectionError } from '../errors.js';

/**
 * Throws when the database file is no longer the one that was opened: deleted, or replaced by
 * another file (renamed over, restored from a backup). SQLite keeps writing to the open file either
 * way (in WAL mode it never notices), so without this a job whose store was deleted under it
 * reported every row written while the rows went to a file no path reaches. Checked after each write
 * commits, so a batch that raced the deletion is failed too.
 */
export type StoreFileCheck = () => void;

export function storeFileCheck(file: string): StoreFileCheck {
  if (file === ':memory:') return () => undefined;
  const opened = statSync(file, { bigint: true });
  return () => {
    const now = statSync(file, { bigint: true, throwIfNoEntry: false });
    if (now !== undefined && now.dev === opened.dev && now.ino === opened.ino) return;
    const what = now === undefined ? 'was deleted' : 'was replaced by another file';
    throw new ConnectionError(
      `the database file ${file} ${what} while the job ran: what it wrote went to the file it had opened, ` +
        'which that path no longer reaches. Hint: restore the file, or run the pipeline again as a new job ' +
        '(ferry jobs resume would skip the batches already written to the old file)',
      { retryable: false },
    );
  };
}
