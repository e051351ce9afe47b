import { describe, expect, it } from 'vitest';
import { readsClock } from '../../../src/mapping/compiler/assemble.js';
import { compileColumns, generatedSource } from '../../../src/mapping/compiler/index.js';
import { DEFAULT_LIMITS, runBudgeted, unreadColumnStarts } from '../../../src/mapping/budget.js';
import { caseEnv, loadSuite, suiteAvailability } from './suite-cases.js';

/**
 * A column whose compiled code reaches no clock check starts without reading the clock
 * (budget.ts `budgetClockFreeColumn`). Judged wrong, such a column's time limit would count from
 * its first check instead of its start: every expression the compiler takes, run as a column,
 * must leave no check that found its column's start unread.
 */

function parts(expr: string): { prologue: string; body: string } {
  const source = generatedSource(expr);
  if (typeof source !== 'string') throw new Error(`not compiled: ${source.reason}`);
  return { prologue: '', body: source };
}

describe('clock-free columns', () => {
  it('are the ones whose code names no member that can tick, search or call', () => {
    for (const expr of ['FirstName', 'FirstName & " " & LastName', "Verified = 'true'", 'Address.City', 'Age + 1']) {
      expect(readsClock(parts(expr)), expr).toBe(false);
    }
    for (const expr of [
      '[1..10]',
      '$map(A, function($x) { $x })',
      '$match(E, /a+/)',
      '$split(Tags, ";")',
      '$sort(T)',
      '{"source": "bench", "tier": Tier}',
      '$lowercase(Email)',
    ]) {
      expect(readsClock(parts(expr)), expr).toBe(true);
    }
  });

  const availability = suiteAvailability();
  it.skipIf(!availability.ok && !process.env['CI'])('reach no clock check, over the JSONata test suite run as columns', () => {
    if (!availability.ok) throw new Error(`CI must run the JSONata test suite: ${availability.reason}`);
    const before = unreadColumnStarts();
    let columns = 0;
    for (const c of loadSuite().filter((c) => !c.limited)) {
      const { evaluate } = compileColumns({ c: c.expr });
      if (evaluate === null) continue;
      columns++;
      const { env, input } = caseEnv(c);
      try {
        runBudgeted(DEFAULT_LIMITS, () => evaluate(input, env));
      } catch {
        // an error is the case's own: only the clock checks count here
      }
    }
    expect(columns).toBeGreaterThan(1000);
    expect(unreadColumnStarts()).toBe(before);
  });
});
