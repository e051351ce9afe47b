/**
 * Deep equality for JSONata results: arrays compare by items only (sequence flags such as
 * `sequence`/`keepSingleton` are ignored), objects by own enumerable keys whatever their
 * prototype, numbers with `===` (so -0 equals 0, as in JSON).
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a === 'function' || typeof b === 'function') return false;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.length !== kb.length || ka.some((key, i) => key !== kb[i])) return false;
  return ka.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** Order-insensitive comparison of two arrays (the suite's `unordered` cases). */
export function sameUnordered(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return sameValue(a, b);
  const rest = [...b];
  return a.every((item) => {
    const index = rest.findIndex((candidate) => sameValue(item, candidate));
    if (index < 0) return false;
    rest.splice(index, 1);
    return true;
  });
}

/** Deterministic text form of a value for failure messages (null-prototype objects included). */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'function' ? '<function>' : v === undefined ? '<undefined>' : v));
  } catch {
    return String(value);
  }
}
