import type { DateMath } from './date-math.js';

/** The parsed form of a Lucene query: what `parseQuery` produces and `compileQuery` translates. */

export type QueryNode = AllNode | BooleanNode | NotNode | MatchNode | RangeNode | ExistsNode;

/** `*`, `*:*` or an empty query: every row. */
export interface AllNode {
  kind: 'all';
}

/** Operands joined by AND (explicit, `&&`, or implicit between terms) or OR (`OR`, `||`). */
export interface BooleanNode {
  kind: 'and' | 'or';
  children: QueryNode[];
}

/** `NOT x`, `!x` or `-x`. */
export interface NotNode {
  kind: 'not';
  child: QueryNode;
}

/** `field:value` or `field:"a phrase"`. */
export interface MatchNode {
  kind: 'match';
  field: FieldRef;
  value: TermValue | PhraseValue;
}

/** `field:[a TO b]`, `{a TO b}` or mixed brackets; a `*` bound is open. */
export interface RangeNode {
  kind: 'range';
  field: FieldRef;
  /** Where the opening bracket is, and just past the closing one. */
  offset: number;
  end: number;
  lower: RangeBound;
  upper: RangeBound;
}

/** `_exists_:field` or `field:*`. */
export interface ExistsNode {
  kind: 'exists';
  field: FieldRef;
}

/** A field name as written (possibly a dotted JSON path) and where it starts in the query. */
export interface FieldRef {
  name: string;
  offset: number;
  /** Where the name has its first escaped dot (`a\.b`): a dot meant as part of a key, not a step into an object. */
  escapedDot?: number;
}

/** An unquoted value. `pattern` is set only when it contains an unescaped `*` or `?`. */
export interface TermValue {
  kind: 'term';
  /** The value with escapes resolved (wildcard characters kept as written). */
  text: string;
  pattern?: PatternPart[];
  offset: number;
}

/** A quoted value: matched exactly, wildcard characters are literal. */
export interface PhraseValue {
  kind: 'phrase';
  text: string;
  offset: number;
}

/** A piece of a wildcard value: literal text, `*` (any run of characters) or `?` (one character). */
export type PatternPart = { literal: string } | { wildcard: '*' | '?' };

export interface RangeBound {
  /** Undefined for an open bound (`*`). */
  value?: string;
  /** Written in quotes (`"10"`): on a JSON path it is a string, never a number. */
  quoted?: true;
  inclusive: boolean;
  offset: number;
  /** Just past the bound as written. */
  end: number;
  /** An unquoted bound written as date math (`now-1d/d`, `{last_success}`): `value` is its text until resolved. */
  math?: DateMath;
  /** After resolution, the date math as written: what a message about the bound quotes. */
  written?: string;
}
