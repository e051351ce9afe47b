import type { BenchUser } from './users.js';

/**
 * How a bench user is written. CSV has a legacy CRM's flat headers (what the 8-column JSONata
 * mapping turns into users); JSON/NDJSON have the bulk-import user shape with nested metadata
 * (what an identity mapping imports as is). Both give the same stored users.
 */
export const CSV_HEADER = ['Email', 'FirstName', 'LastName', 'Verified', 'Plan', 'Locale', 'Tags', 'Theme', 'Tier'] as const;

/** The workloads' mapping from the CSV headers to the users table (8 columns). */
export const CSV_COLUMNS: Readonly<Record<string, string>> = {
  email: '$lowercase(Email)',
  given_name: 'FirstName',
  family_name: 'LastName',
  name: "FirstName & ' ' & LastName",
  nickname: "$substringBefore(Email, '@')",
  email_verified: "Verified = 'true'",
  user_metadata: '{"plan": Plan, "locale": Locale, "tags": $split(Tags, ";"), "prefs": {"theme": Theme}}',
  app_metadata: '{"source": "bench", "tier": Tier}',
};

/**
 * One CSV line (with its newline). A `malformed` row has text after a closing quote (`"Ada"x`):
 * RFC 4180 forbids it and Ferry rejects the row (PARSE_ERROR), while the baselines' lenient
 * readers (sqlite3 .import, PostgreSQL COPY) still load it, so every tool reads the same file.
 */
export function csvLine(user: BenchUser): string {
  const cells = [
    user.email ?? '',
    user.given_name,
    user.family_name,
    String(user.email_verified),
    user.plan,
    user.locale,
    user.tags.join(';'),
    user.theme,
    user.tier,
  ].map(csvCell);
  if (user.invalid === 'malformed') cells[1] = `"${user.given_name}"x`;
  return `${cells.join(',')}\n`;
}

/** The bulk-import JSON object of a user. */
export function userObject(user: BenchUser): Record<string, unknown> {
  const metadata: Record<string, unknown> = { plan: user.plan, locale: user.locale };
  if (user.tags.length > 0) metadata['tags'] = user.tags;
  metadata['prefs'] = { theme: user.theme };
  const object: Record<string, unknown> = {};
  if (user.email !== undefined) object['email'] = user.email;
  Object.assign(object, {
    email_verified: user.email_verified,
    given_name: user.given_name,
    family_name: user.family_name,
    name: `${user.given_name} ${user.family_name}`,
    nickname: user.email?.split('@')[0],
    user_metadata: metadata,
    app_metadata: { source: 'bench', tier: user.tier },
    created_at: user.created_at,
  });
  return object;
}

/** One NDJSON line. A `malformed` row is cut off mid-object: a PARSE_ERROR. */
export function ndjsonLine(user: BenchUser): string {
  const text = JSON.stringify(userObject(user));
  return `${user.invalid === 'malformed' ? text.slice(0, Math.floor(text.length / 2)) : text}\n`;
}

/**
 * One element of a JSON array (without separator). A `malformed` element is a string where a
 * user object belongs: a broken element cannot be expressed without breaking the whole array.
 */
export function jsonElement(user: BenchUser): string {
  return user.invalid === 'malformed' ? JSON.stringify(`not a user: ${user.email ?? ''}`) : JSON.stringify(userObject(user));
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
