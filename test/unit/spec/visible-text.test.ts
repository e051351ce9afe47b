import { describe, expect, it } from 'vitest';
import { terminalLines, visibleText } from '../../../src/spec/visible-text.js';

describe('visibleText', () => {
  it('escapes what a terminal would act on', () => {
    expect(visibleText('\x1b[2J\x1b]0;pwned\x07')).toBe('\\x1b[2J\\x1b]0;pwned\\x07');
    expect(visibleText('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(visibleText('\x00\x7f\x80\x9b')).toBe('\\x00\\x7f\\x80\\x9b');
    expect(visibleText('line\u2028para\u2029')).toBe('line\\u2028para\\u2029');
  });

  it('escapes bidi embeddings, overrides and isolates', () => {
    expect(visibleText('\u202a\u202b\u202c\u202d\u202e')).toBe('\\u202a\\u202b\\u202c\\u202d\\u202e');
    expect(visibleText('user\u2066\u2067\u2068\u2069.csv')).toBe('user\\u2066\\u2067\\u2068\\u2069.csv');
  });

  it('leaves printable text alone, unicode included', () => {
    for (const text of ['plain ascii ~!@#$%^&*()', 'Zoë Ünïcödé 東京 😀', 'a\\nb (a backslash and n)', '\u00a0\u00ff\u200d'])
      expect(visibleText(text)).toBe(text);
  });

  it("terminalLines keeps a message's lines and escapes the rest in each", () => {
    expect(terminalLines('no job a\x1b[31mb\nhint: c\rd')).toBe('no job a\\x1b[31mb\nhint: c\\rd');
  });
});
