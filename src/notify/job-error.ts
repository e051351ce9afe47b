/**
 * A failed job's error as `run --json` and the webhook body give it: the message (secrets already
 * masked by the caller), a code a script can branch on, and the batch that failed, if one did.
 * - MAX_REJECTS: more records were rejected than validate.max_rejects allows;
 * - ALL_REJECTED: every record was rejected (and validate.allow_all_rejected is not set);
 * - BATCH_FAILED: a batch failed after its retries (`batch` says which);
 * - JOB_FAILED: planning or finishing the job failed.
 */
export interface JobError {
  message: string;
  code: 'MAX_REJECTS' | 'ALL_REJECTED' | 'BATCH_FAILED' | 'JOB_FAILED';
  batch: number | null;
}

export function jobError(message: string | null): JobError | null {
  if (message === null) return null;
  if (message.startsWith('reject budget exceeded:')) return { message, code: 'MAX_REJECTS', batch: null };
  if (message.startsWith('every record was rejected')) return { message, code: 'ALL_REJECTED', batch: null };
  const batch = /^batch (\d+): /.exec(message);
  if (batch) return { message, code: 'BATCH_FAILED', batch: Number(batch[1]) };
  return { message, code: 'JOB_FAILED', batch: null };
}
