const OBJECT = 1;
const ARRAY = 2;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
/** The characters that may follow a backslash in a JSON string (`u` takes four hex digits). */
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74, 0x75]);

/**
 * Where `text` stops being JSON (RFC 8259): the index (UTF-16 units) of the first character no
 * JSON text could have there, `text.length` when it ends too soon, -1 when it is valid JSON. For
 * JSON.parse's errors that give no position ("Unexpected token ']', "[1,]" is not valid JSON",
 * "Unexpected end of JSON input"). Containers are a stack, not recursion: any depth.
 */
export function jsonErrorIndex(text: string): number {
  const n = text.length;
  const stack: number[] = [];
  let i = 0;
  const skip = (): void => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };
  /** A string from its opening quote at `i`; false with `i` at the bad character. */
  const string = (): boolean => {
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c !== 0x5c) continue;
      i++;
      if (i >= n || !ESCAPES.has(text.charCodeAt(i))) return false;
      if (text.charCodeAt(i) === 0x75) {
        for (let k = 0; k < 4; k++) if (++i >= n || !isHex(text.charCodeAt(i))) return false;
      }
    }
    return false;
  };
  const digits = (): boolean => {
    if (i >= n || !isDigit(text.charCodeAt(i))) return false;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    return true;
  };
  const number = (): boolean => {
    if (text.charCodeAt(i) === 0x2d) i++;
    if (text.charCodeAt(i) === 0x30) i++;
    else if (!digits()) return false;
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (!digits()) return false;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (!digits()) return false;
    }
    return true;
  };
  const literal = (word: string): boolean => {
    for (let k = 0; k < word.length; k++, i++) if (i >= n || text.charCodeAt(i) !== word.charCodeAt(k)) return false;
    return true;
  };
  /** An object's `"name" :` from `i`; false with `i` at the bad character. */
  const name = (): boolean => {
    skip();
    if (i >= n || text.charCodeAt(i) !== 0x22 || !string()) return false;
    skip();
    if (i >= n || text.charCodeAt(i) !== 0x3a) return false;
    i++;
    return true;
  };
  for (;;) {
    // A value starts here.
    skip();
    if (i >= n) return n;
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      i++;
      skip();
      if (text.charCodeAt(i) === (c === 0x7b ? 0x7d : 0x5d)) i++;
      else {
        stack.push(c === 0x7b ? OBJECT : ARRAY);
        if (c === 0x7b && !name()) return Math.min(i, n);
        continue;
      }
    } else if (c === 0x22) {
      if (!string()) return Math.min(i, n);
    } else if (c === 0x2d || isDigit(c)) {
      if (!number()) return Math.min(i, n);
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      if (!literal(c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null')) return Math.min(i, n);
    } else return i;
    // After a value: a comma, or the ends of the containers it closes.
    for (;;) {
      skip();
      const top = stack.at(-1);
      if (top === undefined) return i < n ? i : -1;
      if (i >= n) return n;
      const d = text.charCodeAt(i);
      if (d === 0x2c) {
        i++;
        if (top === OBJECT && !name()) return Math.min(i, n);
        break;
      }
      if (d !== (top === OBJECT ? 0x7d : 0x5d)) return i;
      i++;
      stack.pop();
    }
  }
}
