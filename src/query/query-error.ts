/**
 * A query that cannot be translated: a syntax error, an unknown field, or a value the field's type
 * cannot hold. `offset` is the 0-based position in the query text of the offending term, so callers
 * can turn it into the `file:line:col` of a diagnostic.
 */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  readonly offset: number;
  readonly field?: string;

  constructor(message: string, offset: number, field?: string) {
    super(message);
    this.offset = offset;
    if (field !== undefined) this.field = field;
  }
}
