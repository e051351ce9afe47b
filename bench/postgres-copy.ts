import type pg from 'pg';

/**
 * `COPY … FROM STDIN` on a pg client without pg-copy-streams (not a dependency): pg sends any
 * object with `submit(connection)` as a query and calls its handlers for the protocol messages,
 * so the data goes out as one CopyData message once the server asks for it. For the benchmark's
 * transport comparison only; the driver writes with UNNEST (see bench/postgres-import.ts).
 */
export function copyIn(client: pg.Client | pg.PoolClient, sql: string, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: unknown;
    const submittable = {
      submit: (connection: CopyConnection) => connection.query(sql),
      handleCopyInResponse: (connection: CopyConnection) => {
        connection.sendCopyFromChunk(Buffer.from(data));
        connection.endCopyFrom();
      },
      handleError: (err: unknown) => {
        failure = err;
      },
      handleReadyForQuery: () => (failure === undefined ? resolve() : reject(failure instanceof Error ? failure : new Error(String(failure)))),
      handleCommandComplete: () => undefined,
      handleRowDescription: () => undefined,
      handleDataRow: () => undefined,
      handleEmptyQuery: () => undefined,
    };
    client.query(submittable as unknown as pg.Submittable);
  });
}

/** The part of pg's (untyped) protocol connection COPY needs. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** A value in COPY's text format: `\N` for NULL, backslash escapes for the separators. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
