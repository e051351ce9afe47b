/**
 * `record[name] = value`, as an own data field even when `name` is `__proto__`: plain assignment
 * of that name sets the object's prototype instead, and the field is silently lost. For objects
 * whose field names come from data (a CSV header, a mapping, a store's columns, a JSON key).
 */
export function setOwnField(record: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
  else record[name] = value;
}
