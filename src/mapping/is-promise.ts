/** Whether a value that may or may not be a promise is one: the synchronous fast paths of mapping take a value as it is, and a promise only when one was needed. */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
