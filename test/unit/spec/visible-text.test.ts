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

  it('escapes characters that show nothing: BOM, zero-width space, word joiner, direction marks', () => {
    expect(visibleText('\ufeff\ufeffsource')).toBe('\\ufeff\\ufeffsource');
    expect(visibleText('a\u200bb\u2060c\u200ed\u200fe')).toBe('a\\u200bb\\u2060c\\u200ed\\u200fe');
  });

  it('escapes a joiner that joins nothing visible, at an end or beside ASCII', () => {
    expect(visibleText('sou\u200drce')).toBe('sou\\u200drce');
    expect(visibleText('\u200cname\u200d')).toBe('\\u200cname\\u200d');
    expect(visibleText('\u00ff\u200d')).toBe('\u00ff\\u200d');
    expect(visibleText('\u200d\u{1f468}')).toBe('\\u200d\u{1f468}');
  });

  it('leaves printable text alone, unicode included', () => {
    for (const text of [
      'plain ascii ~!@#$%^&*()',
      'Zoë Ünïcödé 東京 😀',
      'a\\nb (a backslash and n)',
      '\u00a0\u00ff',
      'family \u{1f468}\u200d\u{1f469}\u200d\u{1f467}',
      'heart \u2764\ufe0f\u200d\u{1f525}',
      'می\u200cخواهم',
      'क्\u200dष',
    ])
      expect(visibleText(text)).toBe(text);
  });

  it("terminalLines keeps a message's lines and escapes the rest in each", () => {
    expect(terminalLines('no job a\x1b[31mb\nhint: c\rd')).toBe('no job a\\x1b[31mb\nhint: c\\rd');
  });
});
