import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Column expressions of the example pipelines (columns and validate.rules). */
export function exampleExpressions(dir = 'pipelines/examples'): string[] {
  const found: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const doc = parse(readFileSync(join(dir, file), 'utf8')) as { columns?: unknown; validate?: { rules?: { check: string }[] } };
    // `columns` may also be `defaults`, or hold `defaults: true` next to the expressions
    const columns = typeof doc.columns === 'object' && doc.columns !== null ? Object.entries(doc.columns) : [];
    found.push(...columns.filter(([name, expr]) => name !== 'defaults' && typeof expr === 'string').map(([, expr]) => expr as string));
    found.push(...(doc.validate?.rules ?? []).map((rule) => rule.check));
  }
  return found;
}

/** Typical column expressions, including ones that fail on some records. */
export const typicalExpressions: string[] = [
  // strings
  '$lowercase(Email)',
  '$uppercase(Locale)',
  '$trim(FirstName)',
  '$substringBefore(Email, "@")',
  '$substringAfter(Email, "@")',
  '$substring(Phone, 0, 3)',
  '$substring(FirstName, -2)',
  '$length(FirstName)',
  '$contains(Email, "@")',
  '$split(Tags, ",")',
  '$split(Tags, ",", 2)',
  '$join(Roles, ", ")',
  '$replace(Phone, "-", "")',
  '$pad($string(Id), -6, "0")',
  '$string(Age)',
  '$string(Address)',
  'Id & ""',
  '$string(Age) & Locale',
  'FirstName & " " & LastName',
  '$trim(FirstName & " " & Nickname)',
  '$uppercase($substring(FirstName, 0, 1)) & $lowercase($substring(FirstName, 1))',
  // regex
  '$contains(Email, /@example\\.com$/i)',
  '$split(Tags, /,\\s*/)',
  '$replace(Phone, /[^0-9+]/, "")',
  '$match(Email, /([a-z]+)@([a-z.]+)/i).groups',
  '$replace(FirstName, /(\\w+)/, "<$1>")',
  // numbers and booleans
  '$number(Age)',
  '$boolean(Verified)',
  '$not(Verified = "yes")',
  'Age + 1',
  'Age * 2 - 1',
  '-Age',
  'Age % 7',
  'Age / 0',
  '$round(Score, 1)',
  '$floor(Score)',
  '$abs(Age)',
  '$sum(Scores)',
  '$max(Scores)',
  '$average(Scores)',
  '$count(Roles)',
  '$formatNumber(Score, "#,##0.00")',
  '$fromMillis(CreatedMs)',
  '$toMillis(CreatedAt)',
  '$formatBase(Id, 16)',
  // comparisons and logic
  'Verified = "yes"',
  'Plan != "free"',
  'Age > 18',
  'Age >= 18 and Verified = "yes"',
  'Plan = "pro" or Plan = "enterprise"',
  'Age < Score',
  'Plan > 1',
  'Age in [18, 21, 65]',
  'Plan in ["pro", "enterprise"]',
  '$exists(Address.City) and $length(Address.City) > 0',
  // conditionals and defaults
  'Verified = "yes" ? "verified" : "unverified"',
  'Phone ? Phone : "none"',
  'Locale ?? "en"',
  'Nickname ?: FirstName',
  '($n := $trim(FirstName); $n = "" ? null : $n)',
  '$exists(Phone) ? $replace(Phone, " ", "") : undefined',
  // paths and filters
  'Address.City',
  'Address.Street & ", " & Address.City',
  'Roles[0]',
  'Roles[-1]',
  'Roles[1]',
  'Emails.address',
  'Emails[0].address',
  'Emails[type = "work"].address',
  'Emails[primary].address',
  'Emails[$contains(address, "@")]',
  'Roles[$ != "admin"]',
  'Address.*',
  'Roles^($)',
  'Emails^(>address).type',
  'Emails{type: address}',
  'Tags[]',
  'Roles[]',
  'constructor',
  '__proto__',
  'Address.constructor',
  'Address.toString',
  '$lookup(Address, "constructor")',
  '$$.Email',
  '$.Plan',
  // constructors
  '{"plan": Plan, "locale": Locale}',
  '{"name": FirstName & " " & LastName, "email": $lowercase(Email)}',
  '[FirstName, LastName]',
  '{"tags": Tags[], "first": Roles[0]}',
  '[Roles, Tags]',
  '{FirstName: LastName}',
  '{"a": Age + 1, "b": $lowercase(Plan)}',
  '[$uppercase(FirstName), Age * 2]',
  '$merge([{"a": Plan}, {"b": Locale}])',
  '$merge(Emails)',
  '$keys(Address)',
  '$spread(Address)',
  // functions on arrays
  '$map(Roles, function($r){ $uppercase($r) })',
  '$filter(Roles, function($r){ $r != "admin" })',
  '$map(Roles, $uppercase)',
  '$reduce(Scores, function($a, $b){ $a + $b })',
  '$each(Address, function($v, $k){ $k & "=" & $string($v) })',
  '$single(Emails, function($e){ $e.primary })',
  '$sort(Roles)',
  '$distinct(Roles)',
  '$reverse(Roles)',
  '$append(Roles, "user")',
  '$sort(Emails, function($a, $b){ $a.address > $b.address })',
  '$zip(Roles, Scores)',
  '$type(Age)',
  '$type(Roles)',
  'Email ~> $lowercase()',
  'Email ~> $lowercase',
  'FirstName ~> function($s){ $s & "!" }',
  // variables and the clock
  '$job.id & "-" & $string(Id)',
  '$job.pipeline',
  '$now()',
  '$millis() - CreatedMs',
  '($x := Age; $x * $x)',
  '($f := function($s){ $trim($s) }; $f(FirstName) & $f(LastName))',
  // errors on some records
  'FirstName + 1',
  '$lowercase(Age)',
  '$number(Tags)',
  '$substring(FirstName, "1")',
  '$join(Scores, ",")',
  '$sum(Roles)',
  '$error("bad " & Plan)',
  '$assert(Age > 0, "age")',
];
