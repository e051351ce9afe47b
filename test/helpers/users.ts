/** Deterministic bulk-import users for tests: a seeded PRNG, a share of invalid rows of several kinds. */
export function generateUsers(count: number, seed = 42, options: { invalidEvery?: number; duplicateEvery?: number } = {}): Record<string, unknown>[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const plans = ['free', 'pro', 'enterprise'];
  const users: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const user: Record<string, unknown> = {
      email: `user${i}@example.com`,
      given_name: `Given${i}`,
      family_name: `Family${Math.floor(random() * 1000)}`,
      email_verified: random() < 0.5,
      user_metadata: { plan: plans[i % 3], score: Math.floor(random() * 100), prefs: { theme: random() < 0.5 ? 'dark' : 'light' } },
    };
    if (options.invalidEvery && i % options.invalidEvery === options.invalidEvery - 1) user['email'] = `broken-${i}`;
    // A duplicate of the previous user, in the same batch for batch sizes that are multiples of 10.
    if (options.duplicateEvery && i % options.duplicateEvery === options.duplicateEvery - 1 && i % 10 !== 0) user['email'] = `user${i - 1}@example.com`;
    users.push(user);
  }
  return users;
}
