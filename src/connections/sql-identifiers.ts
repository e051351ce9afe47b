/**
 * Quotes an identifier for SQLite and PostgreSQL alike (both follow the SQL standard's double
 * quotes). Callers still check names against the table's real columns first: quoting keeps odd
 * names working, the check keeps unknown ones out.
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
