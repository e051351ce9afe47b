/**
 * Random source records for the differential test: the awkward shapes real imports bring —
 * missing fields, nulls, arrays where scalars are expected, unicode, numbers as strings,
 * booleans, empty strings and arrays, nested objects.
 */

/** mulberry32: small, seedable, good enough to spread cases. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;

const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

const words = [
  'Ada',
  'ada',
  'LOVELACE',
  'von Neumann, Jr.',
  'Zoë',
  'Ñandú',
  '李雷',
  '😀 emoji',
  ' padded  ',
  '',
  'a\tb\nc',
  'x@y',
  "O'Brien",
  '"quoted"',
  'pro',
  'free',
  'enterprise',
  'yes',
  'no',
  'en-GB',
  'admin',
  'user',
  'Ünïcödé',
  '\u0000',
  'constructor',
  '__proto__',
];
const emails = ['Ada.Lovelace@Example.com', 'claude@example.com', 'no-at-sign', '@', 'a@b@c', 'UPPER@EXAMPLE.COM', '  spaced@example.com ', 'ü@ñ.de', 'x@y.z'];
const numbersAsStrings = ['42', '-7', '3.14', '1e3', '0', '007', '0x1F', ' 12', '12abc', 'NaN', ''];
const numbers = [0, 1, -1, 42, 3.14, -0.5, 1e21, 17, 18, 65, 0.1, 123456789];

function scalar(rand: Rand): unknown {
  const r = rand();
  if (r < 0.35) return pick(rand, words);
  if (r < 0.5) return pick(rand, emails);
  if (r < 0.62) return pick(rand, numbersAsStrings);
  if (r < 0.82) return pick(rand, numbers);
  if (r < 0.9) return rand() < 0.5;
  return null;
}

function array(rand: Rand, depth: number): unknown[] {
  const n = pick(rand, [0, 1, 1, 2, 3, 5]);
  return Array.from({ length: n }, () => value(rand, depth + 1));
}

function object(rand: Rand, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of ['City', 'Street', 'type', 'address', 'primary', 'zip']) {
    if (rand() < 0.6) result[key] = value(rand, depth + 1);
  }
  return result;
}

/** Any value; mostly scalars, sometimes arrays and objects (less so deeper down). */
export function value(rand: Rand, depth = 0): unknown {
  const r = rand();
  if (depth < 2 && r < 0.12) return array(rand, depth);
  if (depth < 2 && r < 0.2) return object(rand, depth);
  return scalar(rand);
}

/** A value that is usually of the expected kind, but not always. */
function likely(rand: Rand, usual: () => unknown, depth = 0): unknown {
  return rand() < 0.7 ? usual() : value(rand, depth);
}

const fields: Record<string, (rand: Rand) => unknown> = {
  Email: (rand) => likely(rand, () => pick(rand, emails)),
  email: (rand) => likely(rand, () => pick(rand, emails)),
  FirstName: (rand) => likely(rand, () => pick(rand, words)),
  LastName: (rand) => likely(rand, () => pick(rand, words)),
  Nickname: (rand) => likely(rand, () => pick(rand, words)),
  Verified: (rand) => likely(rand, () => pick(rand, ['yes', 'no', 'YES', ''])),
  Phone: (rand) => likely(rand, () => pick(rand, ['+16175550123', '555-0100', '(555) 010-0199', ''])),
  Plan: (rand) => likely(rand, () => pick(rand, ['pro', 'free', 'enterprise'])),
  Locale: (rand) => likely(rand, () => pick(rand, ['en-GB', 'de-AT', 'hu-HU', 'EN'])),
  Id: (rand) => likely(rand, () => Math.floor(rand() * 10000)),
  Age: (rand) => likely(rand, () => pick(rand, numbers)),
  Score: (rand) => likely(rand, () => Math.round(rand() * 10000) / 100),
  Scores: (rand) => likely(rand, () => Array.from({ length: Math.floor(rand() * 4) }, () => pick(rand, numbers))),
  Tags: (rand) => likely(rand, () => pick(rand, ['a,b,c', 'single', '', 'x, y ,z'])),
  Roles: (rand) => likely(rand, () => Array.from({ length: Math.floor(rand() * 4) }, () => pick(rand, ['admin', 'user', 'ops', 'Admin']))),
  Address: (rand) => likely(rand, () => object(rand, 1)),
  Emails: (rand) => likely(rand, () => Array.from({ length: Math.floor(rand() * 3) }, () => object(rand, 1))),
  CreatedMs: (rand) => likely(rand, () => Math.floor(rand() * 2e12)),
  CreatedAt: (rand) => likely(rand, () => pick(rand, ['2024-01-31T10:00:00Z', '2024-02-30', 'yesterday', '2023-06-01'])),
};

/** A record; each field is missing about a fifth of the time. */
export function record(rand: Rand): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, make] of Object.entries(fields)) {
    if (rand() < 0.8) result[name] = make(rand);
  }
  return result;
}
