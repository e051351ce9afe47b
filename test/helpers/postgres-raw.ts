import pg from 'pg';
import { decodeJsonColumn } from '../../src/connections/postgres/values.js';

/**
 * A plain pg client for fixtures and assertions, reading values the way Ferry's own reader does:
 * a `timestamp` without time zone as UTC (not this process's zone), and a jsonb document holding
 * U+0000 — which jsonb cannot store, so the driver keeps it wrapped — unwrapped
 * (src/connections/postgres/values.ts). Everything else is pg's default parsing.
 */
export async function rawClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, types: rawTypes });
  await client.connect();
  return client;
}

const rawTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === 1114) return (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
    if (oid === 3802) return (text: string) => decodeJsonColumn(JSON.parse(text));
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};
