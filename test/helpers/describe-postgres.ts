import { describe, it } from 'vitest';
import { postgresAvailable } from './postgres-server.js';

/**
 * `describe` when PostgreSQL is available. Otherwise the suite is skipped with the reason in its
 * title and on stderr — except in CI (`$CI` set), where a missing server fails the run instead.
 */
export function describePostgres(name: string, suite: () => void): void {
  const availability = postgresAvailable();
  if (availability.ok) {
    describe(name, suite);
  } else if (process.env['CI']) {
    describe(name, () => it('needs a PostgreSQL server', () => {
      throw new Error(`CI must run the PostgreSQL tests: ${availability.reason}`);
    }));
  } else {
    process.stderr.write(`skipping "${name}": ${availability.reason}\n`);
    describe.skip(`${name} (skipped: ${availability.reason})`, suite);
  }
}
