/**
 * Deterministic bulk-import users for the benchmarks: user `i` depends only on (seed, i), so any
 * record can be rebuilt on its own (the duplicate of row i-1, the "changed" copy of a file) and
 * nothing has to be kept in memory to write millions of them.
 */

/** The kinds of invalid rows, one of them at every 100th row (exactly 1%), in rotation. */
export const INVALID_KINDS = ['bad-email', 'missing-email', 'long-name', 'duplicate', 'malformed'] as const;
export type InvalidKind = (typeof INVALID_KINDS)[number];

/** The row of each block of 100 that is invalid: never a multiple of 10 + 7 (the rows a changed copy changes). */
const INVALID_SLOT = 50;
/** Rows i % 10 === CHANGED_SLOT differ in the "changed" copy: 10% of the rows, none of them invalid. */
const CHANGED_SLOT = 7;

export interface BenchUser {
  index: number;
  /** Absent for a `missing-email` row. */
  email?: string;
  given_name: string;
  family_name: string;
  email_verified: boolean;
  plan: 'free' | 'pro' | 'enterprise';
  locale: string;
  tags: string[];
  theme: 'dark' | 'light';
  tier: string;
  created_at: string;
  invalid?: InvalidKind;
}

const FIRST = [
  ['Ada', 'ada'],
  ['Claude', 'claude'],
  ['Hedy', 'hedy'],
  ['Grace', 'grace'],
  ['Zoë', 'zoe'],
  ['Émile', 'emile'],
  ['Łukasz', 'lukasz'],
  ['Søren', 'soren'],
  ['美咲', 'misaki'],
  ['Amara', 'amara'],
] as const;
const LAST = [
  ['Lovelace', 'lovelace'],
  ['Shannon', 'shannon'],
  ['Lamarr', 'lamarr'],
  ['Hopper', 'hopper'],
  ["O'Neil, Jr.", 'oneil'],
  ['von Neumann', 'vonneumann'],
  ['Nguyễn', 'nguyen'],
  ['Okafor', 'okafor'],
] as const;
const DOMAINS = ['Example.com', 'example.org', 'MAIL.example.net', 'corp.example.io'];
const LOCALES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'ja-JP', 'pt-BR'];
const TAGS = ['beta', 'newsletter', 'vip', 'churn-risk', 'mobile'];
const TIERS = ['bronze', 'silver', 'gold'];
/** created_at spreads over five years from 2020-01-01, so an export sorted by it really sorts. */
const EPOCH = Date.UTC(2020, 0, 1);
const SPAN_MS = 5 * 365 * 24 * 3600 * 1000;

/** The user at row `index` (0-based). `changed` gives the version a 10%-changed copy of the file holds. */
export function benchUser(index: number, seed: number, changed = false): BenchUser {
  const random = prng(seed, index);
  const [first, firstAscii] = pick(FIRST, random);
  const [last, lastAscii] = pick(LAST, random);
  const roll = random();
  const user: BenchUser = {
    index,
    email: `${firstAscii}.${lastAscii}.${index}@${pick(DOMAINS, random)}`,
    given_name: first,
    family_name: last,
    email_verified: random() < 0.5,
    // ~50% free: the export workload's query `user_metadata.plan:free` matches about half.
    plan: roll < 0.5 ? 'free' : roll < 0.85 ? 'pro' : 'enterprise',
    locale: pick(LOCALES, random),
    tags: TAGS.filter(() => random() < 0.3),
    theme: random() < 0.5 ? 'dark' : 'light',
    tier: pick(TIERS, random),
    created_at: new Date(EPOCH + Math.floor(random() * SPAN_MS)).toISOString(),
  };
  if (changed && isChanged(index)) {
    user.family_name = `${last}-Smith`;
    user.plan = user.plan === 'free' ? 'pro' : 'free';
  }
  const kind = invalidKind(index);
  return kind === undefined ? user : spoil(user, kind, seed);
}

/** Which kind of invalid row `index` is, if any. */
export function invalidKind(index: number): InvalidKind | undefined {
  if (index % 100 !== INVALID_SLOT) return undefined;
  return INVALID_KINDS[Math.floor(index / 100) % INVALID_KINDS.length];
}

export function isChanged(index: number): boolean {
  return index % 10 === CHANGED_SLOT;
}

function spoil(user: BenchUser, kind: InvalidKind, seed: number): BenchUser {
  user.invalid = kind;
  if (kind === 'bad-email') user.email = user.email?.replace('@', '.at.');
  if (kind === 'missing-email') delete user.email;
  if (kind === 'long-name') user.given_name = user.given_name.padEnd(151, 'x');
  // Upper-cased: Ferry compares emails case-insensitively, so this is still the same key.
  if (kind === 'duplicate') user.email = benchUser(user.index - 1, seed).email?.toUpperCase();
  return user;
}

/** A small PRNG (mulberry32) seeded from (seed, index): each record has its own stream. */
function prng(seed: number, index: number): () => number {
  let state = (Math.imul(index + 1, 0x9e3779b1) ^ seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}
