import { describe, expect, it } from 'vitest';
import { createMapper } from '../../../src/mapping/mapper.js';

/*
 * A transform clones its input and assigns the update's keys into the copy. A key `__proto__` —
 * written in the update, or in a source object used as the update (JSON.parse keeps it as a key)
 * — set the copy's prototype instead, and the value written lacked it, without a word. The copy
 * now has no prototype, as compiled code's objects have none, so it is a key like any other.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };

describe('a transform keeps an update key named __proto__', () => {
  it.each([{ interpretOnly: false }, { interpretOnly: true }])('interpretOnly: $interpretOnly', async (paths) => {
    const mapper = createMapper({ written: '{"a": 1} ~> | $ | {"__proto__": {"p": 1}} |', fromSource: '{"id": 1} ~> | $ | $$.meta |' }, ctx, undefined, paths);
    const { values, errors } = await mapper.map({ meta: JSON.parse('{"__proto__": {"x": 1}, "b": 2}') as unknown });
    expect(errors).toEqual([]);
    expect(JSON.stringify(values)).toBe('{"written":{"a":1,"__proto__":{"p":1}},"fromSource":{"id":1,"__proto__":{"x":1},"b":2}}');
  });

  it('$clone still copies', async () => {
    const mapper = createMapper({ c: '$clone(o)' }, ctx);
    const { values } = await mapper.map({ o: { a: [{ b: 1 }] } });
    expect(JSON.stringify(values)).toBe('{"c":{"a":[{"b":1}]}}');
  });
});
