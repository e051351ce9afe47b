/**
 * About how many instructions RE2 compiles a translated pattern (regex-translate.ts) to, read from
 * its text without compiling it: RE2 expands counted repetition (`x{1,999}` is 999 copies of x), so
 * a few thousand characters of `.{1,999}` made a program of a million instructions that took 4.8 s
 * to compile, and would take as long to search each character. Each atom (a character, a class,
 * an escape, an anchor) counts 1, a group its contents, `*`, `+` and `?` one more, `{n,m}` max(n, m)
 * copies, `|` one more. It reads only the syntax the translator writes.
 */
export function estimatedInstructions(pattern: string): number {
  interface Frame {
    /** The alternatives closed so far by `|`. */
    closed: number;
    /** The sequence since the last `|`. */
    sequence: number;
    /** The last atom's size, which a quantifier repeats. */
    last: number;
  }
  const stack: Frame[] = [];
  let top: Frame = { closed: 0, sequence: 0, last: 0 };
  const atom = (size: number): void => {
    top.sequence += size;
    top.last = size;
  };
  let quantified = false;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    const wasQuantified = quantified;
    quantified = false;
    if (c === '\\') {
      const hex = /^\\x\{[0-9a-f]+\}/.exec(pattern.slice(i, i + 12));
      i += hex ? hex[0].length : 2;
      atom(1);
    } else if (c === '[') {
      i = classEnd(pattern, i);
      atom(1);
    } else if (c === '(') {
      const named = /^\(\?P<[^>]*>/.exec(pattern.slice(i, i + 300));
      i += pattern.startsWith('(?:', i) ? 3 : named ? named[0].length : 1;
      stack.push(top);
      top = { closed: 0, sequence: 0, last: 0 };
    } else if (c === ')') {
      i++;
      const inner = top.closed + top.sequence + 2;
      top = stack.pop() ?? { closed: 0, sequence: 0, last: 0 };
      atom(inner);
    } else if (c === '|') {
      i++;
      top.closed += top.sequence + 1;
      top.sequence = 0;
      top.last = 0;
    } else if (c === '*' || c === '+' || c === '?') {
      i++;
      // `?` after a quantifier makes it lazy: no more instructions
      if (!(c === '?' && wasQuantified)) top.sequence += 1;
      quantified = true;
    } else if (c === '{') {
      const counted = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 30));
      if (counted === null) {
        i++;
        atom(1);
        continue;
      }
      i += counted[0].length;
      const least = Number(counted[1]);
      const most = counted[3] === undefined || counted[3] === '' ? least : Number(counted[3]);
      const copies = Math.max(least, most, 1);
      top.sequence += top.last * (copies - 1) + copies;
      top.last *= copies;
      quantified = true;
    } else {
      i++;
      atom(1);
    }
  }
  while (stack.length > 0) {
    const inner = top.closed + top.sequence;
    top = stack.pop()!;
    top.sequence += inner;
  }
  return top.closed + top.sequence;
}

/** The index after the class opening at `start`: it holds `\x{…}` escapes, ranges and `^`, never a bare `]`. */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}
