import { QueryError } from './query-error.js';

/**
 * How big a query may be. Queries are written by hand (or pasted as an allow-list), and each limit
 * keeps what the query costs bounded before the stores ever see it:
 *
 * - Length: 100,000 characters is 100 characters for each of the most terms a query may have,
 *   room for a pasted list of e-mail addresses, while the parse, its tree and the SQL stay a few
 *   MB however much text a pipeline file holds.
 * - Depth: 100 levels of `(` and NOT/`!`/`-` is far more than a readable query nests. It bounds
 *   the parser's recursion (checked before each level, so no input can overflow the stack) and
 *   the SQL's expression depth, which SQLite limits to 1,000: a level adds a few (NOT is 2, a
 *   group an OR of ANDs whose long lists are cut in halves, see compile-query.ts). The deepest
 *   SQL within all three limits measured about 400 (test/integration/query-limits-sqlite.test.ts).
 * - Terms: 1,000 `field:value`, range, `_exists_` and `*` terms. A term binds at most 9 values (a
 *   range on a JSON path: the value, then the array's elements), and a SQLite page repeats the
 *   query in up to 3 parts (keyset-branches.ts): at most 27,000 of SQLite's 32,766 parameters,
 *   9,000 of PostgreSQL's 65,535.
 */
export const MAX_QUERY_LENGTH = 100_000;
/**
 * A wildcard value's LIKE pattern, in UTF-8 bytes with its escapes: SQLite refuses a longer one at
 * run time ("LIKE or GLOB pattern too complex", SQLITE_MAX_LIKE_PATTERN_LENGTH), where PostgreSQL
 * runs it, so the query is refused where it is written instead.
 */
export const MAX_PATTERN_BYTES = 50_000;
export const MAX_QUERY_DEPTH = 100;
export const MAX_QUERY_TERMS = 1_000;

/** Fails when the query text is longer than MAX_QUERY_LENGTH, at the first character beyond it. */
export function checkQueryLength(text: string): void {
  if (text.length > MAX_QUERY_LENGTH) {
    const message = `the query is too long: ${text.length} characters, at most ${MAX_QUERY_LENGTH} (split it over several pipelines)`;
    throw new QueryError(message, MAX_QUERY_LENGTH);
  }
}

/** What a parse has used of the depth and term limits; each check fails at the offset that goes beyond. */
export class QueryBudget {
  private depth = 0;
  private terms = 0;

  /** Before the parser goes one level deeper (into a group or a negation) at `offset`. */
  enter(offset: number): void {
    if (this.depth >= MAX_QUERY_DEPTH) {
      throw new QueryError(`the query nests too deeply: at most ${MAX_QUERY_DEPTH} levels of parentheses and NOT, ! or -`, offset);
    }
    this.depth++;
  }

  leave(): void {
    this.depth--;
  }

  /** Before the parser reads a term (field:value, a range, _exists_ or *) at `offset`. */
  addTerm(offset: number): void {
    if (this.terms >= MAX_QUERY_TERMS) {
      throw new QueryError(`the query has too many terms: at most ${MAX_QUERY_TERMS} (split it over several pipelines)`, offset);
    }
    this.terms++;
  }
}
