import { describe } from 'vitest';
import type { ConnectionFactory } from './contract-harness.js';
import { describeCustomTable } from './contract-custom.js';
import { describeInsert } from './contract-insert.js';
import { describeRead } from './contract-read.js';
import { describeRestore } from './contract-restore.js';
import { describeUpsert } from './contract-upsert.js';
import { describeValues } from './contract-values.js';

export type { ConnectionFactory, ConnectionHarness } from './contract-harness.js';

/**
 * The behaviour every connection driver must show (STYLE.md rule 8), run against a real store.
 * `factory` opens a connection on an empty store (on the built-in `users` table unless told
 * otherwise) and gives raw `exec`/`query` access to the same store for fixtures and assertions.
 */
export function testConnection(name: string, factory: ConnectionFactory): void {
  describe(`connection contract: ${name}`, () => {
    describeInsert(factory);
    describeUpsert(factory);
    describeValues(factory);
    describeCustomTable(factory);
    describeRead(factory);
    describeRestore(factory);
  });
}
