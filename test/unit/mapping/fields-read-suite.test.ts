import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { fieldsRead } from '../../../src/mapping/fields-read.js';
import { sameValue, show } from '../mapping-compiler/equality.js';
import { loadSuite, suiteAvailability } from '../mapping-compiler/suite-cases.js';

/**
 * fieldsRead against the official JSONata test suite: for every case over an object whose
 * expression gets a field list, the expression must give the same value (or error code) over the
 * object cut to those fields as over the whole object — an export reads no more than that.
 */
const availability = suiteAvailability();

type Outcome = { value: unknown } | { code: string };

async function evaluate(expr: string, data: unknown, bindings: Record<string, unknown>): Promise<Outcome> {
  try {
    return { value: await jsonata(expr).evaluate(data, bindings) };
  } catch (err) {
    return { code: (err as { code?: string }).code ?? String(err) };
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

describe('fieldsRead over the JSONata test suite', () => {
  it.skipIf(!availability.ok && !process.env['CI'])(
    `never cuts a field a case reads${availability.ok ? '' : ` (skipped: ${availability.reason})`}`,
    async () => {
      if (!availability.ok) throw new Error(`CI must run the JSONata test suite: ${availability.reason}`);
      const failures: string[] = [];
      let narrowed = 0;
      for (const c of loadSuite().filter((c) => !c.limited && isObject(c.data))) {
        const fields = fieldsRead([c.expr]);
        if (fields === 'all') continue;
        const data = c.data as Record<string, unknown>;
        const cut = Object.fromEntries(Object.entries(data).filter(([key]) => fields.has(key)));
        const [full, part] = [await evaluate(c.expr, data, c.bindings), await evaluate(c.expr, cut, c.bindings)];
        const same = 'value' in full && 'value' in part ? sameValue(full.value, part.value) : 'code' in full && 'code' in part && full.code === part.code;
        if (!same) failures.push(`${c.id}: ${c.expr}\n  whole: ${show(full)}\n  cut to ${[...fields].join(', ')}: ${show(part)}`);
        if (Object.keys(cut).length < Object.keys(data).length) narrowed++;
      }
      expect(failures).toEqual([]);
      // The check means something only if many cases really read fewer fields than they were given.
      expect(narrowed).toBeGreaterThan(300);
      process.stderr.write(`fieldsRead: ${narrowed} suite cases read fewer fields than given\n`);
    },
  );
});
