import type { JobPlan } from './job-plan.js';
import { ownField } from '../validation/own-field.js';

/** What a job writes, as the target gates compare it (embedded and Temporal): one table of one connection. */
export interface WriteTarget {
  /** `connection/table`: the journal's `target` column, and the Temporal lock's id. */
  key: string;
  connection: string;
  table: string;
  /** `batch.exclusive: false`: may run alongside other non-exclusive jobs on the same table. */
  shared: boolean;
}

/** Each connection's `table:` in ferry.yaml, for targets that leave the table to it. */
export type ConnectionTables = Readonly<Record<string, { table?: string }>>;

/**
 * The table a job writes, or undefined for a file target (exports never wait). A pipeline without
 * `target.table` writes its connection's table from ferry.yaml, so both spellings are one target.
 */
export function writeTargetOf(plan: JobPlan, connections: ConnectionTables = {}): WriteTarget | undefined {
  if (plan.target.type !== 'connection') return undefined;
  const { connection } = plan.target;
  const table = plan.target.table ?? ownField(connections, connection)?.table ?? '';
  return { key: `${connection}/${table}`, connection, table, shared: plan.batch.exclusive === false };
}

/** What a job waiting for its table says, on either engine. */
export function waitingMessage(blocker: string, target: Pick<WriteTarget, 'connection' | 'table'>): string {
  const table = target.table || '(its default table)';
  return `waiting for job ${blocker}, which is writing to ${target.connection} table ${table} (set batch.exclusive: false in both pipelines to let them run together)`;
}
