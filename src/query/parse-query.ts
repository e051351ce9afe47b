import type { FieldRef, QueryNode, RangeBound } from './ast.js';
import { parseDateMath } from './date-math.js';
import { checkQueryLength } from './query-limits.js';
import { checkQueryText } from './query-text.js';
import { QueryScanner, isSpace } from './query-scanner.js';
import type { Word } from './query-scanner.js';

/**
 * Parses Lucene query syntax into a `QueryNode` tree, by recursive descent:
 *
 *   query   = or
 *   or      = and { ("OR" | "||") and }
 *   and     = unary { ["AND" | "&&"] unary }        -- a missing operator means AND
 *   unary   = ("NOT" | "!") unary | ("-" | "+") primary | primary
 *   primary = "(" or ")" | field ":" value | "*"
 *   value   = "(" or ")" | range | (">" | ">=" | "<" | "<=") (phrase | term) | phrase | term
 *                                                     -- inside field:( … ) terms take the field
 *
 * NOT binds tighter than AND, AND tighter than OR, as in SQL. Every error carries the offset of
 * the offending token. The limits of query-limits.ts are errors too: the length before anything
 * is read, the depth before each step down (so the recursion stays shallow), the terms as they come.
 */
export function parseQuery(text: string): QueryNode {
  checkQueryLength(text);
  checkQueryText(text);
  const scanner = new QueryScanner(text);
  scanner.skipSpace();
  if (scanner.done) return { kind: 'all' };
  const node = parseOr(scanner, undefined);
  scanner.skipSpace();
  if (!scanner.done) scanner.fail("unmatched ')'");
  return node;
}

/** The field of an enclosing `field:( … )` group, which bare terms inside it take. */
type GroupField = FieldRef | undefined;

interface Operator {
  name: string;
  offset: number;
}

function parseOr(scanner: QueryScanner, group: GroupField): QueryNode {
  const children = [parseAnd(scanner, group)];
  for (;;) {
    scanner.skipSpace();
    const offset = scanner.pos;
    if (scanner.atKeyword('OR')) scanner.skip(2);
    else if (scanner.at('||')) scanner.skip(2);
    else break;
    children.push(parseAnd(scanner, group, { name: 'OR', offset }));
  }
  return children.length === 1 && children[0] ? children[0] : { kind: 'or', children };
}

function parseAnd(scanner: QueryScanner, group: GroupField, after?: Operator): QueryNode {
  const children = [parseUnary(scanner, group, after)];
  for (;;) {
    scanner.skipSpace();
    if (scanner.done || scanner.at(')') || scanner.atKeyword('OR') || scanner.at('||')) break;
    const offset = scanner.pos;
    if (scanner.atKeyword('AND') || scanner.at('&&')) {
      scanner.skip(scanner.at('&&') ? 2 : 3);
      children.push(parseUnary(scanner, group, { name: 'AND', offset }));
    } else {
      children.push(parseUnary(scanner, group));
    }
  }
  return children.length === 1 && children[0] ? children[0] : { kind: 'and', children };
}

function parseUnary(scanner: QueryScanner, group: GroupField, after?: Operator): QueryNode {
  scanner.skipSpace();
  const offset = scanner.pos;
  const missing = scanner.done || scanner.at(')') || ['AND', 'OR'].some((op) => scanner.atKeyword(op));
  if (missing || scanner.at('&&') || scanner.at('||')) {
    scanner.fail(after ? `expected a term after ${after.name}` : 'expected a term', after?.offset ?? offset);
  }
  if (scanner.atKeyword('NOT') || scanner.at('!')) {
    scanner.budget.enter(offset);
    scanner.skip(scanner.at('!') ? 1 : 3);
    const child = parseUnary(scanner, group, { name: 'NOT', offset });
    scanner.budget.leave();
    return { kind: 'not', child };
  }
  const prefix = scanner.peek();
  if (prefix !== '-' && prefix !== '+') return parsePrimary(scanner, group);
  scanner.skip(1);
  if (scanner.done || isSpace(scanner.peek())) scanner.fail(`'${prefix}' must be followed directly by a term`, offset);
  if (prefix === '+') return parsePrimary(scanner, group);
  // `-` negates like NOT, and costs the SQL as much: it counts as a level too.
  scanner.budget.enter(offset);
  const child = parsePrimary(scanner, group);
  scanner.budget.leave();
  return { kind: 'not', child };
}

function parsePrimary(scanner: QueryScanner, group: GroupField): QueryNode {
  if (scanner.at('(')) return parseParenthesized(scanner, group);
  if (!group) return parseFieldClause(scanner);
  scanner.budget.addTerm(scanner.pos);
  return parseValue(scanner, group);
}

function parseParenthesized(scanner: QueryScanner, group: GroupField): QueryNode {
  const open = scanner.pos;
  scanner.budget.enter(open);
  scanner.skip(1);
  scanner.skipSpace();
  if (scanner.at(')')) scanner.fail('empty parentheses', open);
  const node = parseOr(scanner, group);
  scanner.skipSpace();
  if (!scanner.at(')')) scanner.fail("unclosed '('", open);
  scanner.skip(1);
  scanner.budget.leave();
  return node;
}

function parseFieldClause(scanner: QueryScanner): QueryNode {
  const offset = scanner.pos;
  if (scanner.at('"') || scanner.at('[') || scanner.at('{')) scanner.fail(NEEDS_FIELD);
  const word = scanner.readTerm();
  if (word.raw === '') scanner.fail(`unexpected '${scanner.peek() ?? ''}'`);
  if (!scanner.at(':')) {
    if (word.raw !== '*') scanner.fail(bareTermMessage(word), offset);
    scanner.budget.addTerm(offset);
    return { kind: 'all' };
  }
  scanner.skip(1);
  scanner.skipSpace();
  // `field:( … )` is a group: the terms inside it count, one by one.
  if (!scanner.at('(')) scanner.budget.addTerm(offset);
  const field = fieldRef(word);
  if (word.raw === '*') return parseMatchAll(scanner, field);
  if (word.raw === '_exists_') return parseExists(scanner, field);
  return parseValue(scanner, field);
}

const NEEDS_FIELD = 'a term needs a field (field:value)';

function bareTermMessage(word: Word): string {
  const operator = ['and', 'or', 'not'].find((op) => op === word.text.toLowerCase());
  return operator ? `${NEEDS_FIELD}; operators are written in capitals: ${operator.toUpperCase()}` : NEEDS_FIELD;
}

function parseMatchAll(scanner: QueryScanner, field: FieldRef): QueryNode {
  const value = scanner.readTerm();
  if (value.raw !== '*') scanner.fail("a '*' field only takes '*' (*:* matches everything)", field.offset);
  return { kind: 'all' };
}

function parseExists(scanner: QueryScanner, exists: FieldRef): QueryNode {
  const word = scanner.readTerm();
  if (word.raw === '' || word.pattern) scanner.fail('_exists_ needs a field name: _exists_:field', exists.offset);
  rejectModifiers(scanner);
  return { kind: 'exists', field: fieldRef(word) };
}

/** A field as written, with where its first escaped dot is (resolveField refuses one inside a JSON path). */
function fieldRef(word: Word): FieldRef {
  for (let i = 0; i < word.raw.length; i++) {
    if (word.raw[i] !== '\\') continue;
    i++;
    if (word.raw[i] === '.') return { name: word.text, offset: word.offset, escapedDot: word.offset + i - 1 };
  }
  return { name: word.text, offset: word.offset };
}

function parseValue(scanner: QueryScanner, field: FieldRef): QueryNode {
  if (scanner.at('(')) return parseParenthesized(scanner, field);
  if (scanner.at('[') || scanner.at('{')) return parseRange(scanner, field);
  if (scanner.at('"')) {
    const value = scanner.readPhrase();
    rejectModifiers(scanner);
    return { kind: 'match', field, value };
  }
  if (scanner.at('>') || scanner.at('<')) return parseComparison(scanner, field);
  if (scanner.at('/')) scanner.fail('regular expressions (/…/) are not supported');
  const word = scanner.readTerm();
  if (word.raw === '') scanner.fail(`${field.name}: expected a value`, scanner.done ? field.offset : scanner.pos);
  rejectModifiers(scanner);
  if (word.raw === '*') return { kind: 'exists', field };
  const value = { kind: 'term' as const, text: word.text, offset: word.offset };
  return { kind: 'match', field, value: word.pattern ? { ...value, pattern: word.pattern } : value };
}

/** Boosts, fuzzy and proximity modifiers rank results in Lucene; a filter has nothing to rank. */
function rejectModifiers(scanner: QueryScanner): void {
  if (scanner.at('^')) scanner.fail('boosts (^) are not supported');
  if (scanner.at('~')) scanner.fail('fuzzy and proximity searches (~) are not supported');
  if (scanner.at(':')) scanner.fail("unexpected ':' in a value: quote the value or escape it as \\:");
}

function parseRange(scanner: QueryScanner, field: FieldRef): QueryNode {
  const open = scanner.pos;
  const lowerInclusive = scanner.at('[');
  scanner.skip(1);
  scanner.skipSpace();
  const lower = parseBound(scanner, lowerInclusive);
  scanner.skipSpace();
  if (!scanner.atKeyword('TO')) scanner.fail("expected 'TO' in the range", scanner.done ? open : scanner.pos);
  scanner.skip(2);
  scanner.skipSpace();
  const upper = parseBound(scanner, true);
  scanner.skipSpace();
  const close = scanner.peek();
  if (close !== ']' && close !== '}') {
    scanner.fail("expected ']' or '}' to close the range", scanner.done ? open : scanner.pos);
  }
  scanner.skip(1);
  upper.inclusive = close === ']';
  return { kind: 'range', field, offset: open, end: scanner.pos, lower, upper };
}

/**
 * `field:>v`, `>=v`, `<v`, `<=v`: a range open on one side, as Elasticsearch's query_string reads
 * them (`logins_count:>10` is `{10 TO *]`). Read as a value, `given_name:>m` silently matched the
 * text ">m" and `user_metadata.n:>5` the string ">5".
 */
function parseComparison(scanner: QueryScanner, field: FieldRef): QueryNode {
  const offset = scanner.pos;
  const operator = scanner.at('>=') || scanner.at('<=') ? scanner.text.slice(offset, offset + 2) : scanner.text.slice(offset, offset + 1);
  scanner.skip(operator.length);
  const at = scanner.pos;
  let bound: RangeBound;
  if (scanner.at('"')) {
    bound = { value: scanner.readPhrase().text, quoted: true, inclusive: operator.length === 2, offset: at, end: scanner.pos };
  } else {
    const word = scanner.readComparand();
    if (word.raw === '' || word.raw === '*') scanner.fail(`${field.name}: expected a value after ${operator}`, offset);
    if (word.pattern) scanner.fail(`${field.name}: ${operator} takes one value, not a wildcard`, at);
    const math = parseDateMath(word.text, at);
    bound = { value: word.text, inclusive: operator.length === 2, offset: at, end: scanner.pos, ...(math ? { math } : {}) };
  }
  rejectModifiers(scanner);
  const open: RangeBound = { inclusive: true, offset: at, end: at };
  const [lower, upper] = operator.startsWith('>') ? [bound, open] : [open, bound];
  return { kind: 'range', field, offset, end: scanner.pos, lower, upper };
}

/** A quoted bound is always a plain value; an unquoted one may be date math (`now-1d/d`, `{last_success}`). */
function parseBound(scanner: QueryScanner, inclusive: boolean): RangeBound {
  const offset = scanner.pos;
  if (scanner.at('"')) {
    const value = scanner.readPhrase().text;
    return { value, quoted: true, inclusive, offset, end: scanner.pos };
  }
  const word = scanner.readBound();
  if (word.raw === '') scanner.fail('expected a range bound (a value or *)');
  if (word.raw === '*') return { inclusive, offset, end: scanner.pos };
  const math = parseDateMath(word.text, offset);
  return { value: word.text, inclusive, offset, end: scanner.pos, ...(math ? { math } : {}) };
}
