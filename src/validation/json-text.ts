import { formatPath } from '../spec/diagnostics.js';

/*
 * One pass over JSON text that JSON.parse has accepted, for what the parsed value no longer shows:
 * a key written twice (duplicate-keys.ts) and the digits of a number (inexact-numbers.ts). It
 * tokenizes only as far as keys, numbers and nesting need, and keeps where it is as a stack of
 * frames, from which a path is built only when something is reported.
 */

/** One open object or array. */
export interface JsonFrame {
  /** An object (its members have keys), not an array. */
  readonly object: boolean;
  /** The member or element the next value belongs to. */
  next: string | number;
  /** In an object: the next string is a key (not a value). */
  expectKey: boolean;
  /** The keys seen so far, for a visitor that needs them (made by it, on first use). */
  keys?: Set<string>;
}

/** What a scan reports; a callback returning true stops the scan. */
export interface JsonTextVisitor {
  /** A member's key (decoded: "e\u006dail" is "email"), in the innermost frame, before its value. */
  key?(key: string, frames: readonly JsonFrame[]): boolean;
  /** The number written at text[start, end), the value of the innermost frame's `next`. */
  number?(start: number, end: number, frames: readonly JsonFrame[]): boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function scanJsonText(text: string, visitor: JsonTextVisitor): void {
  const frames: JsonFrame[] = [];
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    const top = frames[frames.length - 1];
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (top?.object && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        top.next = key;
        top.expectKey = false;
        if (visitor.key?.(key, frames)) return;
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      frames.push({ object: c === 0x7b, next: 0, expectKey: true });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
    } else if (c === 0x2c /* , */ && top) {
      if (top.object) top.expectKey = true;
      else top.next = (top.next as number) + 1;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < length && isNumberChar(text.charCodeAt(end))) end++;
      if (visitor.number?.(i, end, frames)) return;
      i = end - 1;
    }
  }
}

/** The path of the value the innermost frame is at (`a.b[2]`), under `base`. */
export function valuePath(frames: readonly JsonFrame[], base: readonly (string | number)[] = []): string {
  return formatPath([...base, ...frames.map((frame) => frame.next)]);
}

/**
 * The path of the innermost frame itself (each outer frame's member or element leads into the next),
 * or of its member `key` when given.
 */
export function framePath(frames: readonly JsonFrame[], key?: string): string {
  const path = frames.slice(0, -1).map((frame) => frame.next);
  return formatPath(key === undefined ? path : [...path, key]);
}

/** Index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    i += c === BACKSLASH ? 2 : 1;
  }
  return text.length;
}

/** Digits, sign, point and exponent: what may follow the first character of a JSON number. */
function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}
