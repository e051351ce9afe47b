import type { FinalStatus } from './activity-types.js';

/**
 * The delivery id of one completion notification, sent as `Ferry-Delivery-Id` (webhook, and
 * `delivery_id` in its body) and in the email's Message-ID, so a receiver can drop a repeat: a
 * notification is resent when its process died after sending it but before the journal recorded
 * it. Derived, never random, so a resent notification carries the id of the first send and a
 * Temporal workflow replays to the same value:
 * - `completion` says which ending of the job this is: the run that began it on the embedded
 *   engine (a run resumed after a crash continues its predecessor's), the workflow run on Temporal
 *   (a worker that dies is replaced within the run); a job resumed after it failed or was
 *   cancelled ends anew, with a new id;
 * - `index` tells the pipeline's notifications apart;
 * - `status` tells apart the ends of one completion that a crash made two: a job resumed after a
 *   crash while it notified "failed" may then succeed, which is news, not a repeat.
 * Letters, digits, `.`, `-` and `_` only: the id is the left part of a Message-ID as it is.
 */
export function deliveryId(jobId: string, completion: string, index: number, status: FinalStatus): string {
  return [jobId, completion, String(index), status].map((part) => part.replace(/[^A-Za-z0-9_-]/g, '-')).join('.');
}
