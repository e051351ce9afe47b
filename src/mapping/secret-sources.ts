import { messageTemplates } from './compiler/messages.js';
import { fieldsRead, type FieldsRead } from './fields-read.js';
import { MASK, isSecretColumn, maskRecord } from '../validation/mask.js';
import { isObject } from '../validation/checks.js';

/*
 * Secrets are masked by what a value becomes, not by what its source field is called: a CSV column
 * `Hash` mapped to `password_hash` is as secret as password_hash itself. The source fields a secret
 * column reads are every field name its expression mentions; an expression that can read the whole
 * record (`$`, `*`, `**`, a parent step, `$string()`: see fields-read.ts) makes every field of the
 * record secret.
 */

/** The source fields that flow into a secret column: a set of names, or 'all'. */
export type SecretSources = FieldsRead;

export function secretSources(columns: Record<string, string> | null): SecretSources {
  if (columns === null) return new Set(); // identity: source keys are target columns, masked by name
  return fieldsRead(Object.entries(columns).flatMap(([column, text]) => (isSecretColumn(column) ? [text] : [])));
}

/**
 * Whether an evaluation error of expression `text` (mapping `column`, or a rule) may quote a secret
 * changed past what `scrub` recognizes: JSONata quotes the value it could not use, and
 * `$number($uppercase(Hash))` into password_hash quoted "PLAINTEXTPW123", `$number($substring(password, 1))`
 * all but its first letter. 'yes' for a secret column, or an expression reading a source of one or a
 * field named like a secret; 'if the record holds secrets' for one that can read the whole record.
 */
export function mayQuoteSecret(column: string | undefined, text: string, sources: SecretSources): 'yes' | 'if the record holds secrets' | 'no' {
  if (column !== undefined && isSecretColumn(column)) return 'yes';
  const read = fieldsRead([text]);
  if (read === 'all' || sources === 'all') return 'if the record holds secrets';
  for (const name of read) if (sources.has(name) || isSecretColumn(name) || SECRET_NAME.test(name)) return 'yes';
  return 'no';
}

/**
 * Whether a field `read` names holds, at some depth, a value the stored record masks: a secret
 * reached through its parent (`$string(meta)`, `$lookup(meta, "pass" & "word")`, `$each(meta, …)`)
 * is not a name the expression mentions, so `mayQuoteSecret` could not see it, and `$uppercase`
 * changed it past what `scrub` recognizes. Decided per record, for an error being written.
 */
export function readsSecretIn(record: unknown, read: FieldsRead): boolean {
  if (!isObject(record)) return false;
  const fields = read === 'all' ? Object.keys(record) : [...read].filter((name) => Object.hasOwn(record, name));
  return fields.some((name) => maskedValues({ [name]: record[name] }).length > 0);
}

/** The field names maskRecord hides at any depth (validation/mask.ts `SECRET_KEY`). */
const SECRET_NAME = /^(?:password|secret)$/i;

/**
 * `message` with every value it may quote masked: what an error of a `mayQuoteSecret` expression
 * says. JSONata quotes a string value in double quotes, but a number, a boolean or null bare
 * (`The values 14133 and "x" either side of operator…`, `$fromMillis(4711000): …`): a number
 * computed from a secret (`$number(pin) * 3`) is no longer the secret `scrub` looks for, so bare
 * values go too. In a JSONata message only what its template inserts is masked (`ISO 8601` and
 * `Argument 2` stay); in Ferry's own (`column x: $fromMillis(…): …`) every bare number is, the
 * message's own with them. The text of `$error(…)` (D3137) and `$assert(…, …)` (D3141) is the
 * expression's own, unquoted: `$error($uppercase(password))` wrote the password in capitals into
 * the reject. It is masked whole. `prefix` (`column x: `, which names the column) is kept.
 */
export function maskQuoted(message: string, prefix = ''): string {
  const raw = RAW_TEXT.exec(message);
  if (raw) return `${raw[1]}${MASK}`;
  const jsonata = JSONATA_MESSAGE.exec(message);
  const inserted = jsonata ? maskInserted(jsonata[2]!, jsonata[3]!) : undefined;
  if (inserted !== undefined) return `${jsonata![1]}${inserted}`;
  const kept = prefix !== '' && message.startsWith(prefix) ? prefix : '';
  return `${kept}${maskValues(message.slice(kept.length))}`;
}

/** The messages jsonata makes of an expression's own text: `$error`'s and `$assert`'s. */
const RAW_TEXT = /^(JSONata D31(?:37|41): )/;

/** `JSONata T2009: <text made from the code's template>`. */
const JSONATA_MESSAGE = /^(JSONata ([A-Z]\d{4}): )([\s\S]*)$/;

/** Template fields that name a place in the expression, never a value: kept. */
const NOT_VALUES = new Set(['index', 'type', 'functionName']);

/** `text` made from `code`'s template with what it inserted masked, the template's own text kept; undefined if it does not match. */
function maskInserted(code: string, text: string): string | undefined {
  const template = Object.hasOwn(messageTemplates, code) ? messageTemplates[code]! : undefined;
  if (template === undefined) return undefined;
  const parts = template.split(/\{\{\{?(\w+)\}?\}\}/); // literal, field, literal, field, …, literal
  const pattern = parts.map((part, i) => (i % 2 === 0 ? part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '([\\s\\S]*?)')).join('');
  const match = new RegExp(`^${pattern}$`).exec(text);
  if (!match) return undefined;
  return parts.map((part, i) => (i % 2 === 0 ? part : NOT_VALUES.has(part) ? match[(i + 1) / 2]! : maskValues(match[(i + 1) / 2]!))).join('');
}

/** `text` with every JSON string and bare value masked. */
function maskValues(text: string): string {
  return text.replace(QUOTED_OR_BARE_VALUE, (value: string) => (value.startsWith('"') ? `"${MASK}"` : MASK));
}

/**
 * A JSON string, or a bare number (`-1.5e+21`, `Infinity`, `NaN`), `true`, `false` or `null` that is
 * not part of a name (`T2009`, `x1`, `$base64decode`).
 */
const QUOTED_OR_BARE_VALUE = /"(?:[^"\\]|\\.)*"|(?<![\w$.])-?(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|Infinity|NaN|true|false|null)(?![\w$])/g;

/** The record with secrets masked: by key name (maskRecord), and every source field of a secret column. */
export function maskSourceRecord(record: unknown, sources: SecretSources): unknown {
  const masked = maskRecord(record);
  if (typeof masked !== 'object' || masked === null || Array.isArray(masked)) return masked;
  const out = masked as Record<string, unknown>;
  for (const key of Object.keys(out)) {
    if ((sources === 'all' || sources.has(key)) && out[key] !== null && out[key] !== undefined && out[key] !== '') out[key] = MASK;
  }
  return out;
}

/** The secret values of a source record (strings and numbers as text), so messages that quote them can be scrubbed. */
export function secretValues(record: unknown, sources: SecretSources): string[] {
  if (typeof record !== 'object' || record === null) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(record)) if (sources === 'all' || sources.has(key)) collect(value, out);
  return out;
}

/**
 * The values `maskRecord` hides in a record (a key named password or secret at any depth, the parts
 * of custom_password_hash, a top-level secret column's text), as text: a message quoting one of
 * them (`$number(password)`) must hide it as the stored record does.
 */
export function maskedValues(record: unknown): string[] {
  const out: string[] = [];
  const walk = (original: unknown, masked: unknown, depth: number): void => {
    if (masked === MASK && original !== MASK) {
      collect(original, out);
      return;
    }
    if (!isWalkable(original) || !isWalkable(masked) || depth > MAX_WALK_DEPTH) return;
    for (const key of Object.keys(original)) if (Object.hasOwn(masked, key)) walk(original[key], masked[key], depth + 1);
  };
  walk(record, maskRecord(record), 0);
  return out;
}

/** The secret values of a mapped record, for messages about it (`validate.rules`): its secret columns whole, and what masking hides. */
export function mappedSecretValues(values: Record<string, unknown>): string[] {
  const columns = new Set(Object.keys(values).filter(isSecretColumn));
  return [...secretValues(values, columns), ...maskedValues(values)];
}

/** maskRecord masks everything deeper than 256 levels: walking to there is enough. */
const MAX_WALK_DEPTH = 300;

function isWalkable(value: unknown): value is Record<string, unknown> {
  return isObject(value) || Array.isArray(value);
}

function collect(value: unknown, out: string[]): void {
  const visit = (v: unknown, depth: number): void => {
    if (typeof v === 'string' && v.length > 0) out.push(v);
    else if (typeof v === 'number' || typeof v === 'bigint') out.push(String(v));
    else if (typeof v === 'object' && v !== null && depth < 64) for (const item of Object.values(v)) visit(item, depth + 1);
  };
  visit(value, 0);
}

/**
 * `text` with every occurrence of a secret value replaced by the mask (longest first, so a value
 * inside another goes too), as it is and as JSON quotes it: JSONata's messages quote values as JSON
 * (`Unable to cast value to a number: "pa\"ss"`).
 */
export function scrub(text: string, secrets: string[]): string {
  const forms = new Set<string>();
  for (const s of secrets) {
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1));
  }
  let out = text;
  for (const s of [...forms].sort((a, b) => b.length - a.length)) if (s.length >= 3) out = out.split(s).join(MASK);
  return out;
}

/**
 * The stored form of a row that could not be parsed. Its fields cannot be told apart, so when the
 * pipeline maps a secret column — or has no `columns` and so may carry password_hash itself — its
 * text is withheld and only its length kept (the reject's row number finds it in the source), and
 * whatever the parser's message quotes of it (JSON.parse quotes the text) is cut.
 */
export function maskParseError(raw: string, message: string, columns: Record<string, string> | null): { record: string; message: string } {
  const secret = columns === null ? ['password_hash or another secret'] : Object.keys(columns).filter(isSecretColumn);
  if (secret.length === 0) return { record: raw, message };
  return {
    record: `[text withheld: it may hold ${secret.join(', ')}; ${raw.length} characters]`,
    message: QUOTES_A_FIELD_NAME.test(message) ? message : message.replace(/"[\s\S]*"/, `"${MASK}"`),
  };
}

/** Messages that quote a field's name, never a value (src/validation/duplicate-keys.ts): cutting it would leave nothing to fix by. */
const QUOTES_A_FIELD_NAME = /^duplicate field "/;
