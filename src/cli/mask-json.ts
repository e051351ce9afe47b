/**
 * JSON text with every string in it (keys too) masked, for `--json` output and the console's
 * answers. Masking the JSON text instead broke it: a secret that is all digits (a port from
 * `${PG_PORT}`) also matched a number, and `"total":15432` became `"total":1***`, which no parser
 * reads. Numbers, booleans and null are Ferry's figures and stay as they are.
 */
export function maskedJson(value: unknown, mask: (text: string) => string): string {
  const text = JSON.stringify(value);
  return text === undefined ? text : JSON.stringify(maskStrings(JSON.parse(text), mask));
}

/** The same, as a value (the console's answers are serialized by sendJson). */
export function maskJson<T>(value: T, mask: (text: string) => string): T {
  return JSON.parse(maskedJson(value, mask)) as T;
}

function maskStrings(value: unknown, mask: (text: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((item) => maskStrings(item, mask));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  // defineProperty: a key "__proto__" (JSON.parse makes it an own key) must stay a key, not become the prototype.
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, mask(key), { value: maskStrings(item, mask), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
