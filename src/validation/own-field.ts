/**
 * `record[name] = value`, as an own data field even when `name` is `__proto__`: plain assignment
 * of that name sets the object's prototype instead, and the field is silently lost. For objects
 * whose field names come from data (a CSV header, a mapping, a store's columns, a JSON key).
 */
export function setOwnField(record: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
  else record[name] = value;
}

/**
 * `record[name]` when it is the record's own field, else undefined: a name that comes from a user
 * (a connection in a pipeline, a URL) is not looked up on Object.prototype, where `constructor`
 * or `toString` would find a function instead of nothing.
 */
export function ownField<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
