import type { ColumnInfo } from '../connections/types.js';
import type { FieldRef, QueryNode } from './ast.js';
import { parseQuery } from './parse-query.js';
import { QueryError } from './query-error.js';
import { resolveField } from './resolve-field.js';

/**
 * One value of a query, alone in a query of its own (`field:"value"`), with where it is written.
 * A PostgreSQL column of a type the server parses (uuid, an enum, inet…) is text to Ferry, so a
 * mistyped value (`id:8f14e45f-…-5b7b3c1b4e2`) passed every check and failed the job at planning
 * ("invalid input syntax for type uuid"). Run against the store at validate, each probe finds the
 * value the server refuses, at its own position.
 */
export interface ValueProbe {
  /** The query that compares the column with this value alone. */
  query: string;
  field: string;
  /** Where the value is written in the original query. */
  offset: number;
}

/**
 * The values of `query` compared with a column of `columns` (not a JSON path, a wildcard or date
 * math, which Ferry makes itself), one probe each, repeated values once. Empty when the query does
 * not compile against the columns: its own error is reported instead.
 */
export function valueProbes(query: string, columns: readonly ColumnInfo[]): ValueProbe[] {
  let tree: QueryNode;
  try {
    tree = parseQuery(query);
  } catch (err) {
    if (err instanceof QueryError) return [];
    throw err;
  }
  const probes = new Map<string, ValueProbe>();
  const add = (field: FieldRef, text: string, offset: number): void => {
    let target;
    try {
      target = resolveField(field, columns);
    } catch (err) {
      if (err instanceof QueryError) return;
      throw err;
    }
    // An array's value is compared with its elements, which the server parses as it does a column's (uuid[]).
    if (target.kind === 'json' || target.column.type === 'json' || (target.kind === 'array' && target.element === 'json')) return;
    const probe = `${escapeWord(field.name)}:"${text.replace(/["\\]/g, '\\$&')}"`;
    if (!probes.has(probe) && readsBack(probe, field.name, text)) probes.set(probe, { query: probe, field: field.name, offset });
  };
  const walk = (node: QueryNode): void => {
    if (node.kind === 'and' || node.kind === 'or') node.children.forEach(walk);
    else if (node.kind === 'not') walk(node.child);
    else if (node.kind === 'match' && !(node.value.kind === 'term' && node.value.pattern)) add(node.field, node.value.text, node.value.offset);
    else if (node.kind === 'range')
      for (const bound of [node.lower, node.upper]) if (bound.value !== undefined && !bound.math) add(node.field, bound.value, bound.offset);
  };
  walk(tree);
  return [...probes.values()];
}

/** Every character a bare word does not take as is, escaped (`\-`, `\:`, `\ `). */
function escapeWord(name: string): string {
  return name.replace(/[^\p{L}\p{N}_.]/gu, '\\$&');
}

/** The probe parses back to the one comparison it stands for (a field named AND, say, would not). */
function readsBack(probe: string, field: string, text: string): boolean {
  try {
    const node = parseQuery(probe);
    return node.kind === 'match' && node.field.name === field && node.value.kind === 'phrase' && node.value.text === text;
  } catch {
    return false;
  }
}
