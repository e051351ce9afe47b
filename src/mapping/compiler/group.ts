import { SEQUENCE_LIMIT, chargeWork, tick } from '../budget.js';
import { fail } from './errors.js';
import { appendOwned, asSeq, newSeq, type Appended } from './sequence.js';
import { type Dict, isFunction, objectKeys, own } from './values.js';

/**
 * Object constructors and group-by (`{k: v}`, `path{k: v}`), ported from jsonata's
 * `evaluateGroupExpression`: each item of the input is grouped under the key it yields, and each
 * value expression is evaluated once per key with the group's items as context.
 */

export interface GroupEntry extends Appended {
  exprIndex: number;
}

export function newDict(): Dict {
  return Object.create(null) as Dict;
}

/** The items to group; an empty input still yields one (undefined) item, as in jsonata. */
export function groupItems(input: unknown): unknown[] {
  const items = asSeq(input);
  if (items.length === 0) items.push(undefined);
  return items;
}

/** With only literal keys every key gets every item: the context of each value expression. */
export function groupData(input: unknown): unknown {
  if (!Array.isArray(input)) return input;
  const items = groupItems(input);
  const data: Appended = { data: items[0], owned: false };
  // a step per item, as the interpreter counts its evaluation of each literal key per item
  tick(items.length);
  for (let i = 1; i < items.length; i++) appendOwned(data, items[i]);
  return data.data;
}

export function groupAdd(groups: Record<string, GroupEntry>, key: unknown, item: unknown, exprIndex: number): void {
  if (typeof key !== 'string' && key !== undefined) throw fail('T1003', { value: key });
  if (key === undefined) return;
  if (key === '_jsonata_lambda' || key === '_jsonata_function') throw fail('D1013', { value: key });
  if (!own(groups, key)) {
    groups[key] = { data: item, owned: false, exprIndex };
    return;
  }
  const entry = groups[key] as GroupEntry;
  if (entry.exprIndex !== exprIndex) throw fail('D1009', { value: key });
  appendOwned(entry, item);
}

export function dictKeys(dict: Dict): string[] {
  return Object.keys(dict);
}

/** `*`: the values of the context object, arrays flattened. */
export function wildcard(input: unknown): unknown[] {
  // Appending an array makes the result a plain array, as jsonata's `append` (a copy) does.
  const results: Appended = { data: newSeq(), owned: false };
  let value = input;
  if (Array.isArray(value) && (value as { outerWrapper?: boolean }).outerWrapper && value.length > 0) value = value[0];
  if (value === null || typeof value !== 'object' || isFunction(value)) return results.data as unknown[];
  for (const key of objectKeys(value)) {
    const item = (value as Dict)[key];
    if (Array.isArray(item)) appendOwned(results, flatten(item, []));
    else (results.data as unknown[]).push(item);
  }
  return results.data as unknown[];
}

function flatten(arg: unknown, flattened: unknown[]): unknown[] {
  chargeWork(1);
  if (Array.isArray(arg)) arg.forEach((item) => flatten(item, flattened));
  else flattened.push(arg);
  return flattened;
}

/**
 * `**`: every value below the context, depth first. A value holding one object by reference many
 * times has far more descendants than its size: the walk reads the clock as it goes, and stops at
 * the interpreter's sequence limit (D2015), where it pushed until V8 aborted the process.
 */
export function descendants(input: unknown): unknown {
  if (input === undefined) return undefined;
  const results: unknown[] = newSeq();
  recurseDescendants(input, results);
  return results.length === 1 ? results[0] : results;
}

function recurseDescendants(input: unknown, results: unknown[]): void {
  chargeWork(1);
  if (Array.isArray(input)) {
    input.forEach((member) => recurseDescendants(member, results));
    return;
  }
  if (results.length >= SEQUENCE_LIMIT) throw fail('D2015', { value: SEQUENCE_LIMIT });
  results.push(input);
  if (input !== null && typeof input === 'object' && !isFunction(input)) {
    for (const key of objectKeys(input)) recurseDescendants((input as Dict)[key], results);
  }
}
