import type jsonata from 'jsonata';

/*
 * Every expression gets a bounded budget for each record, so no mapping can hang a job, exhaust the
 * heap, or keep the process from answering Ctrl-C and SIGTERM. Over budget, the column's evaluation
 * stops with a MAPPING_ERROR reject naming the limit, and the job goes on with the next record.
 * - steps: evaluation steps (the interpreter counts every node it evaluates; compiled code counts
 *   user function calls and the items of ranges, the only ways it can loop beyond the record's size);
 * - depth: nested evaluations (the interpreter recurses on the heap, so deep recursion would
 *   otherwise run until V8's heap limit; compiled code hands deep recursion to the interpreter);
 * - time: a backstop for work no step counts, measured without the pauses the mapper takes.
 * The steps and depth limits are deterministic, so a replayed batch rejects the same records; the
 * time limit is set well above what the step limit allows.
 */

export interface MappingLimits {
  steps: number;
  depth: number;
  timeMs: number;
}

export const DEFAULT_LIMITS: Readonly<MappingLimits> = Object.freeze({ steps: 100_000, depth: 2_000, timeMs: 2_000 });

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
  }[limit];
  return { code: BUDGET_CODE, message: `evaluation stopped after ${what}`, limit };
}

/** How often the main thread is handed back (signals, timers, other batches' I/O) during long mappings. */
const YIELD_EVERY_MS = 20;
let lastYield = Date.now();

/** Lets the event loop run when the mapping has held it for a while; resolves at once otherwise. */
export async function yieldIfDue(): Promise<number> {
  const now = Date.now();
  if (now - lastYield < YIELD_EVERY_MS) return 0;
  await new Promise<void>((resolve) => setImmediate(resolve));
  lastYield = Date.now();
  return lastYield - now;
}

// Compiled code runs synchronously, one evaluation at a time, so its budget is module state.
let active: MappingLimits | null = null;
let steps = 0;
let nextClockCheck = 0;
let started = 0;

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
  nextClockCheck = 1024;
  started = Date.now();
}

/** Counts `n` steps of compiled code; throws once the budget is spent. */
export function tick(n = 1): void {
  if (active === null) return;
  steps += n;
  if (steps > active.steps) throw overBudget('steps', active);
  if (steps >= nextClockCheck) {
    nextClockCheck = steps + 1024;
    if (Date.now() - started > active.timeMs) throw overBudget('timeMs', active);
  }
}

interface EvaluationState {
  steps: number;
  /** Start time, moved forward by the pauses taken, so only evaluation counts. */
  started: number;
}

interface InterpreterFrame {
  base: { depth: number };
}

/**
 * Puts an interpreter expression under `limits`: jsonata calls the entry hook before evaluating any
 * node, and awaits it, so the hook can count, refuse, and pause. One state per evaluation (keyed by
 * its root frame), since batches evaluate the same expression concurrently.
 */
export function guardInterpreter(expr: jsonata.Expression, limits: MappingLimits): void {
  const states = new WeakMap<object, EvaluationState>();
  const entry = async (_node: unknown, _input: unknown, frame: InterpreterFrame): Promise<void> => {
    const base = frame.base;
    let state = states.get(base);
    if (!state) states.set(base, (state = { steps: 0, started: Date.now() }));
    state.steps++;
    if (state.steps > limits.steps) throw overBudget('steps', limits);
    if (base.depth > limits.depth) throw overBudget('depth', limits);
    if (Date.now() - state.started > limits.timeMs) throw overBudget('timeMs', limits);
    if ((state.steps & 255) === 0) state.started += await yieldIfDue();
  };
  // A range's items count as steps, as in compiled code: `[1..1e7]` is one node but ten million items.
  const exit = (node: { type?: unknown; value?: unknown }, _input: unknown, frame: InterpreterFrame, result: unknown): void => {
    if (node.type !== 'binary' || node.value !== '..' || !Array.isArray(result)) return;
    const state = states.get(frame.base);
    if (state && (state.steps += result.length) > limits.steps) throw overBudget('steps', limits);
  };
  const assign = expr.assign as (name: unknown, value: unknown) => void;
  assign(Symbol.for('jsonata.__evaluate_entry'), entry);
  assign(Symbol.for('jsonata.__evaluate_exit'), exit);
}
