import type { JsonataExpression } from './jsonata-library.js';
import { jsonLowerBound } from './json-size.js';
import { clip } from '../validation/clip.js';

/*
 * Every expression gets a bounded budget for each record, so no mapping can hang a job, exhaust the
 * heap, or keep the process from answering Ctrl-C and SIGTERM. Over budget, the column's evaluation
 * stops with a MAPPING_ERROR reject naming the limit, and the job goes on with the next record.
 * - steps: evaluation steps (the interpreter counts every node it evaluates; compiled code counts
 *   user function calls and the items of ranges, the only ways it can loop beyond the record's size);
 * - depth: nested evaluations (the interpreter recurses on the heap, so deep recursion would
 *   otherwise run until V8's heap limit; compiled code hands deep recursion to the interpreter);
 * - time: a backstop for work no step counts, measured without the pauses the mapper takes;
 * - output: characters and array items that built-in functions and `&` make. One call can make far
 *   more than a step's worth (`$pad("", 2e8)` was a 3 GB crash, not a reject), so the calls that can
 *   grow their input refuse before allocating what would not fit (see compiler/output-guards.ts).
 * Sequences are also bounded by jsonata's own `sequence` option (D2015), as long as the longest
 * record is in bytes, which compiled code checks where the interpreter's sequences grow.
 * The steps and depth limits are deterministic, so a replayed batch rejects the same records; the
 * time limit is set well above what the step limit allows.
 */

export interface MappingLimits {
  steps: number;
  depth: number;
  timeMs: number;
  output: number;
}

export const DEFAULT_LIMITS: Readonly<MappingLimits> = Object.freeze({ steps: 100_000, depth: 2_000, timeMs: 2_000, output: 64 * 1024 * 1024 });

/** The longest sequence an expression may build: the longest record (16 MiB) has no more items. */
export const SEQUENCE_LIMIT = 16 * 1024 * 1024;

/** The code of an over-budget error (never the interpreter's or a deferral). */
export const BUDGET_CODE = 'FERRY_BUDGET';

export interface BudgetError {
  code: typeof BUDGET_CODE;
  message: string;
  limit: keyof MappingLimits;
}

export function isBudgetError(err: unknown): err is BudgetError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === BUDGET_CODE;
}

function overBudget(limit: keyof MappingLimits, limits: MappingLimits): BudgetError {
  const what = {
    steps: `more than ${limits.steps} evaluation steps (the steps limit per record): an endless loop or recursion?`,
    depth: `more than ${limits.depth} nested evaluations (the depth limit per record): a recursion without end?`,
    timeMs: `more than ${limits.timeMs} ms (the time limit per record)`,
    output: `making more than ${limits.output} characters and array items in functions and & (the output limit per record)`,
  }[limit];
  return { code: BUDGET_CODE, message: `evaluation stopped after ${what}`, limit };
}

/**
 * The longest picture `$formatNumber` and `$formatInteger` take. jsonata reads a picture in time
 * quadratic in its grouping separators (20,000 of them took 7 to 11 s in one call, which no budget
 * interrupts); a real picture is a few dozen characters.
 */
export const PICTURE_LIMIT = 1000;

export function pictureTooLong(name: string, length: number): BudgetError {
  return { code: BUDGET_CODE, message: `evaluation stopped: the picture of $${name} has ${length} characters, more than ${PICTURE_LIMIT}`, limit: 'output' };
}

/**
 * The most work one regex search may take: its program's size (RE2's instructions) times the
 * characters it may scan. RE2 searches in time linear in the text, but times the pattern, inside
 * one call no budget interrupts: 5,000 alternatives (48,891 instructions) on 1,000 characters
 * took 1.3 s, 50 on 200,000 took 2 s, about 25–40 ns a unit. This limit keeps one search near 1 s
 * at worst; real patterns (a few to a few dozen instructions) search millions of characters.
 */
export const REGEX_WORK_LIMIT = 32 * 1024 * 1024;

export function regexTooCostly(source: string, instructions: number, characters: number): BudgetError {
  const shown = clip(source, 40);
  return {
    code: BUDGET_CODE,
    // quoted, as values are: a pattern `$eval` built from a secret is masked with them (mapper.ts)
    message: `evaluation stopped: the regex ${JSON.stringify(`/${shown}/`)} (${instructions} instructions) searching ${characters} characters is more work than one search may take (${REGEX_WORK_LIMIT} instructions × characters): shorten the pattern or the text`,
    limit: 'timeMs',
  };
}

/** One call alone would exceed the output limit: say which, and how much it asked for. */
function tooLarge(what: string, n: number, limits: MappingLimits): BudgetError {
  const size = n >= 1e15 ? n.toPrecision(3) : String(n);
  return {
    code: BUDGET_CODE,
    message: `evaluation stopped: ${what} would make at least ${size} characters or items, more than the output limit per record (${limits.output})`,
    limit: 'output',
  };
}

/**
 * A column's value whose JSON would pass the output limit (one string held many times by
 * reference, `{"a": [1..30000].$s}`): writing it out would exhaust the heap, so the column rejects.
 */
export function checkValueSize(value: unknown, limits: MappingLimits): void {
  if (typeof value !== 'object' || value === null) return;
  const size = jsonLowerBound(value, limits.output);
  if (size > limits.output) throw tooLarge("the column's value as JSON", size, limits);
}

/**
 * The columns to reject so that a record's mapped values stay within the output limit together:
 * each column alone may make up to the limit, and 40 columns of `$pad("", 6e7)` made one record of
 * 2.4 billion characters, which ran the job out of heap. The columns are taken in order (the
 * mapping's), so compiled and interpreted runs reject the same ones; each past the limit is one.
 */
export function columnsOverRecordLimit(values: Record<string, unknown>, order: readonly string[], limits: MappingLimits): readonly string[] {
  // Made only for a record that has such a column: almost none has.
  let over: string[] | undefined;
  let total = 0;
  for (const column of order) {
    if (!Object.hasOwn(values, column)) continue;
    const value = values[column];
    const size = typeof value === 'string' ? value.length : jsonLowerBound(value, limits.output - total);
    if (total + size > limits.output) (over ??= []).push(column);
    else total += size;
  }
  return over ?? noColumns;
}

const noColumns: readonly string[] = Object.freeze([]);

/** The reject message of a column `columnsOverRecordLimit` names. */
export function recordTooLarge(limits: MappingLimits): BudgetError {
  return {
    code: BUDGET_CODE,
    message: `evaluation stopped: with this column the record's mapped values would pass ${limits.output} characters and array items (the output limit per record, for all its columns together)`,
    limit: 'output',
  };
}

/**
 * Counts what functions make against the output limit. `room` refuses before allocating `n`
 * (an exact size or a lower bound of it); `add` counts what was made.
 */
export interface OutputMeter {
  room(n: number, what: string): void;
  add(n: number): void;
  /** What is left under the limit. */
  left(): number;
}

function meterOf(limits: MappingLimits, used: () => number, use: (n: number) => number): OutputMeter {
  return {
    room(n, what) {
      if (n > limits.output) throw tooLarge(what, n, limits);
      if (used() + n > limits.output) throw overBudget('output', limits);
    },
    add(n) {
      if (use(n) > limits.output) throw overBudget('output', limits);
    },
    left: () => limits.output - used(),
  };
}

const noWork = (): void => undefined;

const unmetered: OutputMeter = { room: () => undefined, add: () => undefined, left: () => Number.MAX_SAFE_INTEGER };

/** How interpreter-side functions find their evaluation's meter: bound in the expression's environment. */
export const METER_SYMBOL: unique symbol = Symbol.for('ferry.outputMeter');
/** How interpreter-side functions find their evaluation's work counter (budget.ts `workCounter`). */
export const WORK_SYMBOL: unique symbol = Symbol.for('ferry.work');

/** How often the main thread is handed back (signals, timers, other batches' I/O) during long mappings. */
const YIELD_EVERY_MS = 20;
let lastYield = Date.now();

/**
 * Lets the event loop run when the mapping has held it for a while, resolving to the ms it paused;
 * 0 (no promise at all: a caller per record need not await) when it is not due.
 */
export function yieldIfDue(): Promise<number> | 0 {
  const now = Date.now();
  if (now - lastYield < YIELD_EVERY_MS) return 0;
  return pauseFrom(now);
}

async function pauseFrom(now: number): Promise<number> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  lastYield = Date.now();
  return lastYield - now;
}

// Compiled code runs synchronously, one evaluation at a time, so its budget is module state.
let active: MappingLimits | null = null;
let steps = 0;
let output = 0;
let nextClockCheck = 0;
/** Characters and items built-ins have read since the clock was last read (`chargeWork`). */
let work = 0;
/** When the column's evaluation started: in a typed array, so setting it per column allocates no number. */
const started = new Float64Array(1);

/** Runs compiled evaluation under `limits`; budget ticks outside it (tests of the compiler) count nothing. */
export function runBudgeted<T>(limits: MappingLimits, evaluate: () => T): T {
  const outer = active;
  active = limits;
  budgetColumn();
  try {
    return evaluate();
  } finally {
    active = outer;
  }
}

/** A new column's evaluation starts with a full budget (generated code calls it before each column). */
export function budgetColumn(): void {
  steps = 0;
  output = 0;
  nextClockCheck = 1024;
  work = 0;
  started[0] = Date.now();
}

/**
 * budgetColumn for a column whose compiled code reaches neither `tick` nor `checkClock` (the
 * compiler tells, assemble.ts `readsClock`): nothing reads its start, so the clock is not read
 * (a read per column was 1–3% of an import's CPU). Should such a column reach a clock check all
 * the same, its clock starts there (`startLate`) rather than let it run unbounded.
 */
export function budgetClockFreeColumn(): void {
  steps = 0;
  output = 0;
  nextClockCheck = 1024;
  work = 0;
  started[0] = NaN;
}

/** How many ticks and clock checks found their column's start unread (compiled code judged clock-free that was not): tests keep it 0. */
let unreadStarts = 0;

export function unreadColumnStarts(): number {
  return unreadStarts;
}

/** A column judged clock-free reached a tick or a clock check after all: its clock starts now. */
function startLate(): void {
  unreadStarts++;
  started[0] = Date.now();
}

/** Counts `n` steps of compiled code; throws once the budget is spent. */
export function tick(n = 1): void {
  if (active === null) return;
  if (Number.isNaN(started[0])) startLate();
  steps += n;
  if (steps > active.steps) throw overBudget('steps', active);
  if (steps >= nextClockCheck) {
    nextClockCheck = steps + 1024;
    if (Date.now() - (started[0] as number) > active.timeMs) throw overBudget('timeMs', active);
  }
}

/**
 * How much work (characters and items read) passes between two readings of the clock. Steps count
 * calls, not what one call reads: `[1..300].$substring(s, 1)` on a 60 MB string is 300 steps, too
 * few to read the clock, and ran 70 s where the limit is 2 s; `[$length(s), $length(s), …]` ticks no
 * step at all. About 1 to 10 ms of work a reading.
 */
const WORK_PER_CLOCK_CHECK = 1 << 20;

/** Counts `n` characters or items a built-in reads in compiled code; reads the clock once enough has passed. */
export function chargeWork(n: number): void {
  if (active === null) return;
  work += n;
  if (work < WORK_PER_CLOCK_CHECK) return;
  work = 0;
  checkClock();
}

/**
 * The same for the interpreter (`$sort`'s merge, which evaluates no node): counts `n`, and calls
 * `clock` (which throws past the time limit) once enough has passed.
 */
export function workCounter(clock: () => void): (n: number) => void {
  let counted = 0;
  return (n) => {
    counted += n;
    if (counted < WORK_PER_CLOCK_CHECK) return;
    counted = 0;
    clock();
  };
}

/** Throws once compiled evaluation has run past its time limit (regex searches call it: their loops tick no steps). */
export function checkClock(): void {
  if (active === null) return;
  if (Number.isNaN(started[0])) startLate();
  if (Date.now() - (started[0] as number) > active.timeMs) throw overBudget('timeMs', active);
}

/** Counts `n` characters or items compiled code made (`&`); throws once over the output limit. */
export function countOutput(n: number): void {
  if (active === null) return;
  output += n;
  if (output > active.output) throw overBudget('output', active);
}

const compiled: OutputMeter = {
  room(n, what) {
    if (active === null) return;
    if (n > active.output) throw tooLarge(what, n, active);
    if (output + n > active.output) throw overBudget('output', active);
  },
  add: countOutput,
  left: () => (active === null ? Number.MAX_SAFE_INTEGER : active.output - output),
};

/** The meter of the compiled evaluation running now (one that counts nothing outside `runBudgeted`). */
export function compiledMeter(): OutputMeter {
  return compiled;
}

interface EvaluationState {
  steps: number;
  output: number;
  /** Start time, moved forward by the pauses taken, so only evaluation counts. */
  started: number;
  /** Counts what built-ins that evaluate no node read (`$sort`), made on first use. */
  work?: (n: number) => void;
}

/** jsonata's root frame of one evaluation: what its built-ins read (`environment.base`). */
export interface InterpreterBase {
  depth: number;
  RegexEngine?: unknown;
  timestamp?: Date;
}

interface InterpreterFrame {
  base: InterpreterBase;
}

/**
 * Puts an interpreter expression under `limits`: jsonata calls the entry hook before evaluating any
 * node, and awaits it, so the hook can count, refuse, and pause. One state per evaluation (keyed by
 * its root frame), since batches evaluate the same expression concurrently.
 */
export function guardInterpreter(expr: JsonataExpression, limits: MappingLimits, prepare?: (base: InterpreterBase, clock: () => void) => void): void {
  const states = new WeakMap<object, EvaluationState>();
  const entry = async (_node: unknown, _input: unknown, frame: InterpreterFrame): Promise<void> => {
    const base = frame.base;
    let state = states.get(base);
    if (!state) {
      const fresh: EvaluationState = { steps: 0, output: 0, started: Date.now() };
      states.set(base, (state = fresh));
      // the evaluation's own settings (mapper.ts): a regex engine that checks this evaluation's
      // clock before each search, since a function's loop over matches evaluates no node
      prepare?.(base, () => {
        if (Date.now() - fresh.started > limits.timeMs) throw overBudget('timeMs', limits);
      });
    }
    state.steps++;
    if (state.steps > limits.steps) throw overBudget('steps', limits);
    if (walksInput(_node, _input)) checkWalk(_node as { type: string }, _input);
    if (base.depth > limits.depth) throw overBudget('depth', limits);
    if (Date.now() - state.started > limits.timeMs) throw overBudget('timeMs', limits);
    if ((state.steps & 255) === 0) state.started += await yieldIfDue();
  };
  // A range's items count as steps, as in compiled code: `[1..1e7]` is one node but ten million items.
  // What `&` makes counts as output, as compiled code's `concat` counts it; an operand that is not a
  // string must have room for its JSON before `&` writes it.
  const operands = concatOperands(expr.ast());
  const compared = comparedOperands(expr.ast());
  const exit = (node: { type?: unknown; value?: unknown }, _input: unknown, frame: InterpreterFrame, result: unknown): void => {
    const state = states.get(frame.base);
    if (state === undefined) return;
    // the clock again once the node is done: jsonata starts an array's items (and a call's
    // arguments) side by side, so every entry check ran before any item's work, and a list of
    // 600 `$length(s)` on an 8 MB string ran 5 s where the limit was 200 ms
    if (Date.now() - state.started > limits.timeMs) throw overBudget('timeMs', limits);
    if (operands.has(node) && result !== undefined && typeof result !== 'string') {
      meterOf(
        limits,
        () => state.output,
        (n) => (state.output += n),
      ).room(jsonLowerBound(result, limits.output - state.output), '&');
    }
    // `=` and `!=` walk arrays and objects value by value: each must have room for its JSON, as in
    // compiled code (operators.ts); a value holding one object by reference many times is a few
    // steps to build and was compared without end
    const op = compared.get(node);
    if (op !== undefined && typeof result === 'object' && result !== null) {
      meterOf(
        limits,
        () => state.output,
        (n) => (state.output += n),
      ).room(jsonLowerBound(result, limits.output - state.output), op);
    }
    if (node.type !== 'binary') return;
    if (node.value === '..' && Array.isArray(result) && (state.steps += result.length) > limits.steps) throw overBudget('steps', limits);
    if (node.value === '&' && typeof result === 'string' && (state.output += result.length) > limits.output) throw overBudget('output', limits);
  };
  const meter = (base: object): OutputMeter => {
    const state = states.get(base);
    if (state === undefined) return unmetered;
    return meterOf(
      limits,
      () => state.output,
      (n) => (state.output += n),
    );
  };
  const work = (base: object): ((n: number) => void) => {
    const state = states.get(base);
    if (state === undefined) return noWork;
    return (state.work ??= workCounter(() => {
      if (Date.now() - state.started > limits.timeMs) throw overBudget('timeMs', limits);
    }));
  };
  const assign = expr.assign as (name: unknown, value: unknown) => void;
  assign(WORK_SYMBOL, work);
  assign(Symbol.for('jsonata.__evaluate_entry'), entry);
  assign(Symbol.for('jsonata.__evaluate_exit'), exit);
  assign(METER_SYMBOL, meter);
}

/**
 * Whether jsonata's evaluation of `node` walks `input` in one call, with no node evaluated and no
 * clock read between: `*` flattens each array value, `**` every value below, and a field name on
 * an array of arrays looks through all of them.
 */
function walksInput(node: unknown, input: unknown): boolean {
  const type = (node as { type?: unknown }).type;
  if (typeof input !== 'object' || input === null) return false;
  return type === 'wildcard' || type === 'descendant' || (type === 'name' && Array.isArray(input));
}

/**
 * Refuses the walk when `input`, unfolded, holds more values than the longest sequence: arrays that
 * hold one array by reference many times (folded 60 times, 2^60 values) are a few steps to build,
 * and jsonata's `*` pushed their values until V8 aborted the process, its `**` and field lookups
 * ran seconds past the time limit. A source record (no value held twice) is counted once through.
 */
function checkWalk(node: { type: string }, input: unknown): void {
  if (unfoldedSize(input, SEQUENCE_LIMIT) <= SEQUENCE_LIMIT) return;
  const what =
    node.type === 'wildcard' ? '*' : node.type === 'descendant' ? '**' : `the field ${JSON.stringify(clip(String((node as { value?: unknown }).value), 40))}`;
  throw walkTooLong(what);
}

/** The same for a built-in the interpreter runs that walks nested arrays in one call (`$lookup`, `$spread`). */
export function checkUnfolded(what: string, input: unknown): void {
  if (typeof input === 'object' && input !== null && unfoldedSize(input, SEQUENCE_LIMIT) > SEQUENCE_LIMIT) throw walkTooLong(what);
}

function walkTooLong(what: string): BudgetError {
  const message = `evaluation stopped: ${what} would look through more than ${SEQUENCE_LIMIT} values (a value holding one array or object by reference many times?)`;
  return { code: BUDGET_CODE, message, limit: 'output' };
}

/** How many arrays, objects and values `root` holds as a tree (a value held twice counts twice), up to past `cap`; each held value is counted once. */
function unfoldedSize(root: unknown, cap: number): number {
  const counted = new Map<object, number>();
  const stack: { node: object; children: boolean }[] = [{ node: root as object, children: false }];
  while (stack.length > 0) {
    const { node, children } = stack.pop()!;
    const items = Array.isArray(node) ? (node as unknown[]) : Object.values(node);
    if (!children) {
      if (counted.has(node)) continue;
      stack.push({ node, children: true });
      for (const item of items) if (isWalked(item) && !counted.has(item)) stack.push({ node: item, children: false });
      continue;
    }
    let size = 1;
    for (const item of items) size += isWalked(item) ? (counted.get(item) ?? 1) : 1;
    counted.set(node, Math.min(size, cap + 1));
  }
  return counted.get(root as object) ?? 1;
}

function isWalked(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const marked = value as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
  return marked._jsonata_lambda !== true && marked._jsonata_function !== true;
}

/** The operand nodes of every `=` and `!=` in the tree, with their operator. */
function comparedOperands(ast: unknown): WeakMap<object, string> {
  const found = new WeakMap<object, string>();
  const seen = new WeakSet<object>();
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    const n = node as { type?: unknown; value?: unknown; lhs?: unknown; rhs?: unknown };
    if (n.type === 'binary' && (n.value === '=' || n.value === '!=')) {
      for (const side of [n.lhs, n.rhs]) if (typeof side === 'object' && side !== null) found.set(side, n.value);
    }
    for (const child of Object.values(node)) stack.push(child);
  }
  return found;
}

/** The operand nodes of every `&` in the tree. */
function concatOperands(ast: unknown): WeakSet<object> {
  const found = new WeakSet<object>();
  const seen = new WeakSet<object>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    const n = node as { type?: unknown; value?: unknown; lhs?: unknown; rhs?: unknown };
    if (n.type === 'binary' && n.value === '&') {
      if (typeof n.lhs === 'object' && n.lhs !== null) found.add(n.lhs);
      if (typeof n.rhs === 'object' && n.rhs !== null) found.add(n.rhs);
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(ast);
  return found;
}
