import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Reject, RejectError } from '../validation/reject.js';

/**
 * The first `limit` records of a rejects.ndjson, read line by line so a report of millions of rows
 * costs no more than its first lines. A line that is not JSON (a report cut short by a crash) is
 * skipped: a notification must not fail over the sample it quotes.
 */
export async function readFirstRejects(file: string, limit: number): Promise<Reject[]> {
  const out: Reject[] = [];
  if (limit <= 0) return out;
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const reject = parseReject(line);
      if (reject) out.push(reject);
      if (out.length >= limit) break;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  return out;
}

function parseReject(line: string): Reject | undefined {
  if (!line.trim()) return undefined;
  try {
    const value = JSON.parse(line) as { row?: unknown; record?: unknown; errors?: unknown };
    if (typeof value.row !== 'number' || !Array.isArray(value.errors)) return undefined;
    return { row: value.row, record: value.record, errors: value.errors.map(rejectError) };
  } catch {
    return undefined;
  }
}

/** Fields as strings whatever the line holds, so the message builders can rely on them. */
function rejectError(e: unknown): RejectError {
  const fields = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
  const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));
  return { code: text(fields['code']) as RejectError['code'], message: text(fields['message']), path: text(fields['path']) };
}
