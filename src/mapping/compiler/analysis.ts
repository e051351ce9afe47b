import { type Filter, type Node, pairs } from './ast.js';

/**
 * Whether evaluating a node can raise an error. Conservative: only literals, variables and plain
 * navigation are known safe. Used to decide when the concurrently evaluated parts of a
 * constructor need their errors collected (see `parallelError`).
 */
export function mayThrow(node: Node): boolean {
  if (filtersMayThrow(node.predicate) || filtersMayThrow(node.stages) || node.group !== undefined) return true;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
    case 'variable':
    case 'name':
      return false;
    case 'path':
      return (node.steps ?? []).some((step) => !['name', 'variable'].includes(step.type) || mayThrow(step));
    case 'unary':
      if (node.value === '[') return (node.expressions ?? []).some(mayThrow);
      if (node.value === '{') return !hasLiteralKeys(node) || pairs(node).some(([, value]) => mayThrow(value));
      return true;
    default:
      return true;
  }
}

function filtersMayThrow(filters: Filter[] | undefined): boolean {
  return filters !== undefined && filters.some((filter) => filter.type !== 'filter' || filter.expr.type !== 'number');
}

/** Distinct string-literal keys that are not reserved: no grouping needed, no key errors possible. */
export function hasLiteralKeys(node: Node): boolean {
  const seen = new Set<unknown>();
  for (const [key] of pairs(node)) {
    if (key.type !== 'string' || key.predicate !== undefined || seen.has(key.value)) return false;
    if (key.value === '_jsonata_lambda' || key.value === '_jsonata_function') return false;
    seen.add(key.value);
  }
  return true;
}
