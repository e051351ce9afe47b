import type { JobPlan } from '../plan/job-plan.js';
import type { JobRecord, Journal, Liveness } from './journal.js';

/** What a job writes, as the target gate compares it: one table of one connection. */
export interface WriteTarget {
  /** `connection/table`: the journal's `target` column. */
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
  const table = plan.target.table ?? connections[connection]?.table ?? '';
  return { key: `${connection}/${table}`, connection, table, shared: plan.batch.exclusive === false };
}

export interface GateOptions {
  journal: Journal;
  /** Who counts as still running (a fresh heartbeat and a live pid), asked again at every poll. */
  liveness: () => Liveness;
  /** Ctrl-C or `ferry jobs cancel`: stop waiting. */
  cancelled: () => boolean;
  log?: (line: string) => void;
  /** Called once, when the job first has to wait: work worth doing now rather than after. */
  onBlocked?: () => Promise<void>;
  pollMs?: number;
}

const DEFAULT_POLL_MS = 250;

/**
 * Waits until the job may write its target, then marks it running: no live job is writing the
 * same table, or both are non-exclusive. Each poll is a read, and only a free target is taken in a
 * short write transaction, so the journal is never locked while waiting. Says once whom it waits
 * for (again if that changes). Returns false when cancelled while waiting: the job stays pending.
 */
export async function passTargetGate(job: JobRecord, target: WriteTarget, options: GateOptions): Promise<boolean> {
  const { journal } = options;
  let waitingFor: string | undefined;
  for (;;) {
    const live = options.liveness();
    const blocker = journal.targetBlocker(job.id, target.key, target.shared, live) ?? journal.acquireTarget(job.id, target.key, target.shared, live);
    if (!blocker) return true;
    if (blocker.id !== waitingFor) {
      const first = waitingFor === undefined;
      waitingFor = blocker.id;
      options.log?.(waitingMessage(blocker, target));
      if (first) await options.onBlocked?.();
    }
    if (options.cancelled()) return false;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? DEFAULT_POLL_MS));
    if (options.cancelled()) return false;
  }
}

function waitingMessage(blocker: JobRecord, target: WriteTarget): string {
  const table = target.table || '(its default table)';
  return `waiting for job ${blocker.id}, which is writing to ${target.connection} table ${table} (set batch.exclusive: false in both pipelines to let them run together)`;
}
