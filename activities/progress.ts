/**
 * How a long activity reports progress to the engine that runs it. Temporal's worker backs it with
 * heartbeats, heartbeat details and cancellation; the embedded engine passes none.
 */
export interface ActivityProgress {
  /** Records a cursor (Temporal: heartbeat details). Called after every committed chunk. */
  heartbeat(details: unknown): void;
  /** The cursor the previous attempt last recorded, when this attempt is a retry. */
  lastDetails(): unknown;
  /** Throws when the activity was cancelled; called between chunks, never inside one. */
  throwIfCancelled(): void;
  /**
   * The batch committed its last chunk: nothing more of it is written, only its job files. A batch
   * thread tells the main thread, so the job's next batch may write from here (batch-threads.ts).
   */
  written?(): void;
}
