/**
 * A notification that could not be delivered. `retryable` is read by `isRetryable`
 * (src/connections/errors.ts), so the engine's retry policy tries again only when another attempt
 * may succeed: a target that is down or answers 5xx, not one that refuses the request (4xx) or a
 * notification that is misconfigured.
 *
 * No `cause` on purpose: the orchestration records the innermost message of a cause chain, which
 * would drop this message's context (which notification, which target) and its masking.
 */
export class NotifyError extends Error {
  override readonly name = 'NotifyError';
  readonly retryable: boolean;

  constructor(message: string, options: { retryable: boolean }) {
    super(message);
    this.retryable = options.retryable;
  }
}
