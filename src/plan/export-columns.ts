import type { Pipeline } from '../spec/pipeline-schema.js';
import { setOwnField } from '../validation/own-field.js';

/**
 * `columns: defaults` of an export (DESIGN.md "Pipeline file"): header → JSONata path over the
 * stored row, in this order. Credentials and metadata are left out on purpose: an export with
 * defaults can be handed to people who must not see password hashes.
 */
export const DEFAULT_EXPORT_COLUMNS: readonly (readonly [header: string, expression: string])[] = [
  ['user_id', 'user_id'],
  ['given_name', 'given_name'],
  ['family_name', 'family_name'],
  ['nickname', 'nickname'],
  ['name', 'name'],
  ['email', 'email'],
  ['email_verified', 'email_verified'],
  ['picture', 'picture'],
  ['connection', 'connection'],
  ['created_at', 'created_at'],
  ['updated_at', 'updated_at'],
];

/**
 * Expands an export's `columns` into header → expression, in file order: `defaults` (or no
 * `columns` at all, so an export never dumps every stored field by accident) gives the default
 * columns; in a map, `defaults: true` inserts them at its position, except a default the map also
 * names itself — the map's own expression wins, at the map's position.
 */
export function exportColumns(columns: Pipeline['columns']): Record<string, string> {
  if (columns === undefined || columns === 'defaults') return Object.fromEntries(DEFAULT_EXPORT_COLUMNS);
  const out: Record<string, string> = {};
  for (const [header, expression] of Object.entries(columns)) {
    // Own fields: a column named `__proto__` set by assignment would replace the prototype and vanish.
    if (expression !== true) {
      setOwnField(out, header, expression);
      continue;
    }
    for (const [name, path] of DEFAULT_EXPORT_COLUMNS) if (typeof columns[name] !== 'string') setOwnField(out, name, path);
  }
  return out;
}
