/** A column's type affinity (SQLite's "Determination Of Column Affinity"), as far as it changes a stored value. */
export type Affinity = 'text' | 'numeric' | 'blob';

/** SQLite's rules, INTEGER, REAL and NUMERIC folded into one: they all turn numeric text into a number. */
export function affinityOf(declared: string): Affinity {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'numeric';
  if (/CHAR|CLOB|TEXT/.test(t)) return 'text';
  if (t === '' || t.includes('BLOB')) return 'blob';
  return 'numeric';
}
