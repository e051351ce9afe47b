/**
 * Named crash points for the durability tests, in the manner of FoundationDB's and TiKV's fail
 * points: FERRY_FAILPOINTS="batch-before-commit=3,step-before-record=2" kills this process with
 * SIGKILL the 3rd time it reaches `batch-before-commit`, or the 2nd time `step-before-record`.
 * Unset (always, outside tests), a call costs one comparison.
 */
const armed = parse(process.env['FERRY_FAILPOINTS']);
const hits = new Map<string, number>();

export function failpoint(name: string): void {
  if (!armed) return;
  const at = armed.get(name);
  if (at === undefined) return;
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  if (n === at) process.kill(process.pid, 'SIGKILL');
}

function parse(spec: string | undefined): Map<string, number> | undefined {
  if (!spec) return undefined;
  const points = new Map<string, number>();
  for (const part of spec.split(',')) {
    const [name, count] = part.split('=');
    if (name) points.set(name.trim(), Number(count ?? 1));
  }
  return points;
}
