import type { ConnectionOptions } from '../spec/config-schema.js';
import { ConnectionError } from './errors.js';
import { postgresConnection } from './postgres.js';
import { sqliteConnection } from './sqlite.js';
import type { BatchThreadUse, Connection, ConnectionContext, ConnectionDefinition } from './types.js';

/**
 * Every connection driver, by its `driver:` name in ferry.yaml. Hand-written on purpose (no
 * side-effect registration): adding a driver is one import and one line here, and
 * test/contract/connections/registry.test.ts fails if a driver file is left out.
 */
export const connections = {
  sqlite: sqliteConnection,
  postgres: postgresConnection,
} satisfies Record<string, ConnectionDefinition>;

export type DriverName = keyof typeof connections;

/** Opens the connection `options.driver` names; an unknown driver is a configuration error listing the known ones. */
export async function openConnection(options: ConnectionOptions, ctx: ConnectionContext): Promise<Connection> {
  return definitionOf(options).open(options, ctx);
}

/** Whether batches on this store run on worker threads (ConnectionDefinition `batchThreads`). */
export function batchThreadUse(options: ConnectionOptions): BatchThreadUse {
  return definitionOf(options).batchThreads(options);
}

function definitionOf(options: ConnectionOptions): ConnectionDefinition {
  const definition = (connections as Record<string, ConnectionDefinition>)[options.driver];
  if (definition === undefined) {
    const known = Object.keys(connections).join(', ');
    throw new ConnectionError(`[connection:${options.driver}] unknown driver "${options.driver}"; known drivers: ${known}`, { retryable: false });
  }
  return definition;
}

/**
 * Opens a job's page snapshot (PlanPagesInput `snapshot`). Only the SQLite driver takes them
 * today; the file is SQLite whichever driver writes one, so one reader serves all.
 */
export { openPageSnapshot } from './sqlite/read.js';
export type { PageSnapshot } from './sqlite/snapshot.js';
