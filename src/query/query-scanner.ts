import type { PatternPart, PhraseValue } from './ast.js';
import { QueryError } from './query-error.js';
import { QueryBudget } from './query-limits.js';

/** An unquoted word as read from the query, escapes resolved. */
export interface Word {
  text: string;
  /** The characters as written, escapes included: `*` here (not `\*`) means "match anything". */
  raw: string;
  offset: number;
  /** Set only when the word has an unescaped `*` or `?`. */
  pattern?: PatternPart[];
}

/** Characters that end an unquoted term (besides whitespace), as in Lucene's classic syntax. */
const TERM_DELIMITERS = new Set(['(', ')', '[', ']', '{', '}', '"', ':', '^', '~']);
/** Range bounds may contain `:` (timestamps) and stop only at the closing bracket. */
const BOUND_DELIMITERS = new Set([']', '}']);

export function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/.test(ch);
}

/** A cursor over the query text; every error it raises carries the offset it stopped at. */
export class QueryScanner {
  pos = 0;
  /** The depth and terms the parse has used so far: it travels with the cursor to every parse step. */
  readonly budget = new QueryBudget();

  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  at(token: string): boolean {
    return this.text.startsWith(token, this.pos);
  }

  /**
   * A keyword (AND, OR, NOT, TO) only when it is a whole word: followed by space, a parenthesis or
   * the end. `nickname:(a OR)` is a dangling OR, as `nickname:a OR` is: read as the value "OR" it
   * silently exported the users whose nickname is a or "OR".
   */
  atKeyword(word: string): boolean {
    if (!this.at(word)) return false;
    const next = this.text[this.pos + word.length];
    return next === undefined || next === '(' || next === ')' || isSpace(next);
  }

  skip(count: number): void {
    this.pos += count;
  }

  skipSpace(): void {
    while (isSpace(this.peek())) this.pos++;
  }

  fail(message: string, offset: number = this.pos): never {
    throw new QueryError(message, offset);
  }

  /** Reads a term up to whitespace or a delimiter; empty when the cursor is on a delimiter. */
  readTerm(): Word {
    return this.readWord((ch) => TERM_DELIMITERS.has(ch));
  }

  /** A bound may start with a placeholder (`{last_success}-1h`), whose braces are not brackets. */
  readBound(): Word {
    return this.readAfterPlaceholder((ch) => BOUND_DELIMITERS.has(ch));
  }

  /** The value of `>`, `>=`, `<` or `<=`: a term, which may start with a placeholder as a bound may (`>{last_success}`). */
  readComparand(): Word {
    return this.readAfterPlaceholder((ch) => TERM_DELIMITERS.has(ch));
  }

  private readAfterPlaceholder(isDelimiter: (ch: string) => boolean): Word {
    const offset = this.pos;
    if (!this.at('{')) return this.readWord(isDelimiter);
    const close = this.text.indexOf('}', offset);
    if (close === -1) this.fail("unclosed '{' in a range bound (placeholders are written {last_success})", offset);
    this.pos = close + 1;
    const rest = this.readWord(isDelimiter);
    return { text: this.text.slice(offset, close + 1) + rest.text, raw: this.text.slice(offset, this.pos), offset };
  }

  /** Reads `"…"`; `\"` and `\\` are escapes, `*` and `?` are literal. */
  readPhrase(): PhraseValue {
    const offset = this.pos;
    let text = '';
    this.pos++;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) this.fail('unclosed quote', offset);
      this.pos++;
      if (ch === '"') return { kind: 'phrase', text, offset };
      text += ch === '\\' ? this.readEscaped() : ch;
    }
  }

  private readWord(isDelimiter: (ch: string) => boolean): Word {
    const offset = this.pos;
    const parts: PatternPart[] = [];
    let text = '';
    let literal = '';
    for (let ch = this.peek(); ch !== undefined && !isSpace(ch) && !isDelimiter(ch); ch = this.peek()) {
      this.pos++;
      if (ch === '*' || ch === '?') {
        if (literal) parts.push({ literal });
        parts.push({ wildcard: ch });
        literal = '';
        text += ch;
        continue;
      }
      const char = ch === '\\' ? this.readEscaped() : ch;
      literal += char;
      text += char;
    }
    if (literal) parts.push({ literal });
    const word: Word = { text, raw: this.text.slice(offset, this.pos), offset };
    if (parts.some((part) => 'wildcard' in part)) word.pattern = parts;
    return word;
  }

  /** The character after a backslash (the backslash itself was consumed). */
  private readEscaped(): string {
    const ch = this.peek();
    if (ch === undefined) this.fail('a backslash must be followed by the character it escapes', this.pos - 1);
    this.pos++;
    return ch;
  }
}
