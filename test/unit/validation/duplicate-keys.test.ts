import { describe, expect, it } from 'vitest';
import { duplicateKeyMessage, findDuplicateKey, keptKeys, keyMarks } from '../../../src/validation/duplicate-keys.js';

const find = (text: string) => findDuplicateKey(text, JSON.parse(text));

describe('findDuplicateKey', () => {
  it.each([
    ['{"email":"a@x.com","email":"b@x.com"}', { key: 'email', at: '', path: 'email' }],
    ['{ "email" : "a@x.com" ,\n\t"email"\r\n: "b@x.com" }', { key: 'email', at: '', path: 'email' }],
    ['{"email":"a@x.com","app_metadata":{"plan":{"tier":1,"tier":2}}}', { key: 'tier', at: 'app_metadata.plan', path: 'app_metadata.plan.tier' }],
    ['{"identities":[{"id":1},{"id":2,"id":3}]}', { key: 'id', at: 'identities[1]', path: 'identities[1].id' }],
    ['{"a":[[1],[{"x":1}],[{"x":1,"x":2}]]}', { key: 'x', at: 'a[2][0]', path: 'a[2][0].x' }],
    // Escapes are decoded before keys compare: both of these are "email".
    ['{"email":"a@x.com","e\\u006dail":"b@x.com"}', { key: 'email', at: '', path: 'email' }],
    // JSON.parse makes "__proto__" an own key, so it can be repeated (and dropped) like any other.
    ['{"__proto__":{"a":1},"__proto__":{"b":2}}', { key: '__proto__', at: '', path: '__proto__' }],
    // A string holding `":` sends the record to the exact scan, which still finds the real repeat.
    ['{"note":"say \\":\\" twice","n":1,"n":2}', { key: 'n', at: '', path: 'n' }],
  ])('finds the repeat in %s', (text, expected) => {
    expect(find(text)).toEqual(expected);
  });

  it.each([
    '{"email":"a@x.com","name":"A"}',
    '{}',
    '{"a":{"email":1},"b":{"email":2},"c":[{"email":3},{"email":4}]}',
    // Strings that look like keys: the screen counts them, the exact scan clears them.
    '{"note":"a\\":b","other":"\\"email\\":\\"x\\"","email":"a@x.com"}',
    '{"k\\"":1,"k":2}',
    '{"email":"a@x.com","E\\u006dail":"b@x.com"}',
    '{"__proto__":{"a":1},"proto":2}',
  ])('finds none in %s', (text) => {
    expect(find(text)).toBeUndefined();
  });

  it('counts a key mark per key on a plain record, so a good record never takes the exact scan', () => {
    const text = '{"email":"a@x.com","tags":["x",{"k":"v"}],"meta":{"a":{"b":null}}}';
    expect(keyMarks(text)).toBe(6);
    expect(keptKeys(JSON.parse(text))).toBe(6);
  });

  it('counts the keys of a deeply nested record without overflowing the stack', () => {
    const depth = 100_000;
    const text = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    expect(keyMarks(text)).toBe(depth);
    expect(keptKeys(deepObject(depth))).toBe(depth);
  });

  it('names the field and where it is in the message', () => {
    expect(duplicateKeyMessage({ key: 'email', at: 'app_metadata.plan' })).toBe(
      'duplicate field "email" in one JSON object (at app_metadata.plan); JSON keeps only the last value',
    );
    expect(duplicateKeyMessage({ key: 'email', at: '' })).toBe('duplicate field "email" in one JSON object; JSON keeps only the last value');
  });

  it('finds a repeat under deep nesting, and clips the runaway path to its end in the message', () => {
    const depth = 20_000;
    // The `":` in a string forces the exact scan; its cost must stay linear in the depth.
    const text = '{"n":"\\":","a":' + '{"a":'.repeat(depth - 1) + '{"x":1,"x":2}' + '}'.repeat(depth);
    const found = find(text);
    expect(found?.key).toBe('x');
    expect(found?.at).toBe(Array(depth).fill('a').join('.'));
    const message = duplicateKeyMessage(found!);
    expect(message).toBe(`duplicate field "x" in one JSON object (at …${'.a'.repeat(100)}); JSON keeps only the last value`);
  });

  it('clips a runaway field name in the message', () => {
    expect(duplicateKeyMessage({ key: 'k'.repeat(5000), at: '' })).toBe(
      `duplicate field "${'k'.repeat(100)}…" in one JSON object; JSON keeps only the last value`,
    );
  });
});

/** {"a":{"a":…1}} built directly: JSON.parse itself may not take this depth. */
function deepObject(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}
