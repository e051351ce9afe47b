import { fieldsRead, type FieldsRead } from './fields-read.js';
import { MASK, isSecretColumn, maskRecord } from '../validation/mask.js';

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
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'string' && value.length > 0) out.push(value);
    else if (typeof value === 'number' || typeof value === 'bigint') out.push(String(value));
    else if (typeof value === 'object' && value !== null && depth < 64) for (const v of Object.values(value)) visit(v, depth + 1);
  };
  for (const [key, value] of Object.entries(record)) if (sources === 'all' || sources.has(key)) visit(value, 0);
  return out;
}

/** `text` with every occurrence of a secret value replaced by the mask (longest first, so a value inside another goes too). */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length >= 3) out = out.split(s).join(MASK);
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
