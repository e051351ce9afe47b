import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
import { parseConfig } from '../../../src/spec/parse-config.js';

describe('connection names JavaScript reserves', () => {
  it('refuses a connection named __proto__ at its key, rather than drop it', () => {
    for (const key of ['__proto__', '"__proto__"', "'__proto__'"]) {
      const text = `connections:\n  users: { driver: sqlite, path: u.db }\n  ${key}: { driver: sqlite, path: p.db }\n`;
      const parsed = parseConfig('ferry.yaml', text, {});
      expect(parsed.config).toBeUndefined();
      expect(parsed.diagnostics.map(formatDiagnostic)).toEqual([
        'ferry.yaml:3:3 connections.__proto__: the connection name "__proto__" is reserved by JavaScript and cannot name a connection: choose another name',
      ]);
    }
  });

  it('keeps connections named constructor, prototype and toString', () => {
    const names = ['constructor', 'prototype', 'toString', 'hasOwnProperty'];
    const text = `connections:\n${names.map((n) => `  ${n}: { driver: sqlite, path: ${n}.db }\n`).join('')}`;
    const parsed = parseConfig('ferry.yaml', text, {});
    expect(parsed.diagnostics).toEqual([]);
    expect(Object.keys(parsed.config!.connections)).toEqual(names);
    for (const n of names) expect(parsed.config!.connections[n]).toMatchObject({ driver: 'sqlite', path: `${n}.db` });
  });
});
