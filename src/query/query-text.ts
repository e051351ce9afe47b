import { PLACEHOLDERS } from './date-math.js';
import { notReadInPipeline } from '../spec/env-references.js';
import { QueryError } from './query-error.js';

/** Half a surrogate pair with no other half: not a character. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `${NAME}` as ferry.yaml reads it (env-references.ts), unless its `$` is escaped (`\${NAME}`, the text itself). */
const ENV_REFERENCE = /(?<!\\)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/;

/**
 * Fails at a NUL, and at the first lone surrogate (`"\ud800"` in a YAML double-quoted query). No stored text
 * holds one (records with one are rejected), and PostgreSQL receives it as U+FFFD, so the query
 * would silently match the rows holding U+FFFD instead.
 */
export function checkQueryText(text: string): void {
  // PostgreSQL text cannot hold NUL: the job failed at planning with "invalid byte sequence".
  const nul = text.indexOf('\u0000');
  if (nul !== -1) throw new QueryError('the query holds a NUL character (U+0000), which no stored text can hold: remove it', nul);
  const found = LONE_SURROGATE.exec(text);
  if (found) {
    const code = found[0].charCodeAt(0).toString(16).toUpperCase();
    throw new QueryError(`the query has half a surrogate pair (U+${code}) that is not a character: write the whole character`, found.index);
  }
  // A pipeline reads no environment variable: `query: ${USERS_QUERY}` was refused as "a term needs
  // a field" whatever the variable held, and `email:"${DOMAIN}"` searched for that very text,
  // exporting nobody under "succeeded". The variable is named; its value is never read.
  const reference = ENV_REFERENCE.exec(text);
  if (reference && (PLACEHOLDERS as readonly string[]).includes(reference[1]!))
    throw new QueryError(`\${${reference[1]}}: Ferry's placeholder is written {${reference[1]}}, without the $`, reference.index);
  if (reference)
    throw new QueryError(
      notReadInPipeline(`\${${reference[1]}}`, `write the query itself here, or \\\${${reference[1]}} to search for that text`),
      reference.index,
    );
}
