import type { QueryNode, RangeBound, RangeNode } from './ast.js';
import { resolveDateMath, type DateAnchors } from './date-math.js';
import { parseQuery } from './parse-query.js';

export type { DateAnchors } from './date-math.js';

/**
 * The query with every date-math bound replaced by an instant, as text: what a job's plan keeps,
 * so that every batch and every resume read the same rows whatever the time. Elasticsearch's
 * rules for a rounded bound (`now/d`: the UTC day) hold by choosing the bracket: an included lower
 * bound starts at the unit's start, an excluded one after the unit; an included upper bound ends
 * with the unit, an excluded one before it. `{last_success}` without a successful job is `*`.
 * A query without date math comes back unchanged; a query that does not parse too (validate reports it).
 */
export function resolveQueryDates(query: string, anchors: DateAnchors): string {
  const ranges = rangesWithMath(query);
  let out = query;
  for (const range of ranges.reverse()) {
    const resolved = resolveRange(range, anchors);
    // An open bound is `*` as written, or not written at all (`>now-1d`): either way `*`.
    const text = (bound: RangeBound, original: RangeBound): string =>
      original.math ? (bound.value ?? '*') : original.value === undefined ? '*' : query.slice(original.offset, original.end);
    const written = `${resolved.lower.inclusive ? '[' : '{'}${text(resolved.lower, range.lower)} TO ${text(resolved.upper, range.upper)}${resolved.upper.inclusive ? ']' : '}'}`;
    out = out.slice(0, range.offset) + written + out.slice(range.end);
  }
  return out;
}

/** Whether the query has date math in a range bound (the plan then records the query as written). */
export function hasDateMath(query: string): boolean {
  return rangesWithMath(query).length > 0;
}

/** Whether a bound uses `{last_success}`: only then does the planner ask the engine for it. */
export function usesLastSuccess(query: string): boolean {
  return rangesWithMath(query).some((r) => [r.lower, r.upper].some((b) => b.math?.anchor === 'last_success'));
}

/** The tree with its date-math bounds resolved (`compileQuery` with anchors). */
export function resolveTreeDates(node: QueryNode, anchors: DateAnchors): QueryNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { ...node, children: node.children.map((child) => resolveTreeDates(child, anchors)) };
    case 'not':
      return { ...node, child: resolveTreeDates(node.child, anchors) };
    case 'range':
      return resolveRange(node, anchors);
    default:
      return node;
  }
}

function resolveRange(node: RangeNode, anchors: DateAnchors): RangeNode {
  return { ...node, lower: resolveBound(node.lower, anchors, 'lower'), upper: resolveBound(node.upper, anchors, 'upper') };
}

function resolveBound(bound: RangeBound, anchors: DateAnchors, side: 'lower' | 'upper'): RangeBound {
  if (!bound.math) return bound;
  const { math: _math, value: written, ...plain } = bound;
  const date = resolveDateMath(bound.math, anchors, bound.offset);
  if ('open' in date) return { ...plain, inclusive: true };
  const asWritten = written === undefined ? {} : { written };
  if (date.end === undefined) return { ...plain, ...asWritten, value: date.start };
  // [start, end) of a rounded unit: `[now/d` from the day's start, `{now/d` after the day; `now/d]` to its end, `now/d}` before it.
  const after = side === 'lower' ? !bound.inclusive : bound.inclusive;
  return { ...plain, ...asWritten, value: after ? date.end : date.start, inclusive: side === 'lower' };
}

function rangesWithMath(query: string): RangeNode[] {
  let tree: QueryNode;
  try {
    tree = parseQuery(query);
  } catch {
    return [];
  }
  const out: RangeNode[] = [];
  const walk = (node: QueryNode): void => {
    if (node.kind === 'and' || node.kind === 'or') node.children.forEach(walk);
    else if (node.kind === 'not') walk(node.child);
    else if (node.kind === 'range' && (node.lower.math || node.upper.math)) out.push(node);
  };
  walk(tree);
  return out.sort((a, b) => a.offset - b.offset);
}
