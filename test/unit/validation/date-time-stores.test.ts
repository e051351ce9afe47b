import { expect, it } from 'vitest';
import { encodePg, isInvalid } from '../../../src/connections/postgres/values.js';
import { readsAsWritten, sqliteDateTime } from '../../../src/connections/sqlite/values.js';
import { dateTimeProblem } from '../../../src/validation/date-time.js';

/*
 * Every date-time `schema: user` accepts is one both writers take as written: SQLite's date
 * functions read it as that instant, and the PostgreSQL writer sends it without a reject. A
 * value validation passed and a writer then refused (or read as another instant) was a record
 * accepted by one store and refused by the other at write time.
 */
it('whatever validation accepts, both writers take', () => {
  const years = ['0000', '0001', '0002', '1900', '2000', '2023', '2024', '9998', '9999'];
  const days = ['01-01', '02-28', '02-29', '04-30', '04-31', '12-31', '13-01', '00-10'];
  const clocks = ['T00:00:00', 'T00:59:59', 't13:59:00', ' 23:59:59', 'T23:59:60', 'T24:00:00', 'T12:60:00', 'T09:30'];
  const fractions = ['', '.5', '.999999', '.9999995', '.123456000', '.1234567891'];
  const zones = ['Z', 'z', '+00:00', '-00:00', '+01:00', '-01:00', '+0100', '+14:59', '-14:59', '+15:00', '-23:59', '+24:00', '+00:60', ''];
  let accepted = 0;
  for (const y of years)
    for (const d of days)
      for (const c of clocks)
        for (const f of fractions)
          for (const z of zones) {
            const value = `${y}-${d}${c}${f}${z}`;
            if (dateTimeProblem(value) !== undefined) continue;
            accepted++;
            expect([value, readsAsWritten(sqliteDateTime(value))]).toEqual([value, true]);
            const pg = encodePg('created_at', 'timestamp', 'timestamptz', value);
            expect([value, isInvalid(pg)]).toEqual([value, false]);
          }
  expect(accepted).toBeGreaterThan(1000);
});
