/**
 * A schedule without `timezone:` runs in the server's zone, as Date's local time reads it: TZ, else
 * the system's. A TZ naming no zone Node can load (`Europe/Pariss`, `Foo/Bar`, and `europe/paris`,
 * which Intl accepts but Date does not) is read as UTC without a word, so a nightly export ran
 * hours off. A POSIX rule (`UTC+3`, `EST5EDT`, `:/etc/localtime`) is no IANA name, but Date
 * applies it: that one is fine.
 */
const POSIX_RULE = /^(:.*|<[^>]+>[+-]?\d.*|[A-Za-z]{3,}[+-]?\d.*)$/;

/**
 * Why this process's schedules without `timezone:` do not run in the zone `tz` (its TZ) names, or
 * undefined when they do: Date's offsets this January and July are compared with the named zone's.
 */
export function serverZoneProblem(tz: string | undefined, now = new Date()): string | undefined {
  if (tz === undefined || tz === '' || POSIX_RULE.test(tz)) return undefined;
  const year = now.getUTCFullYear();
  const instants = [Date.UTC(year, 0, 1), Date.UTC(year, 6, 1)];
  let named: number[] | undefined;
  try {
    named = instants.map((ms) => offsetIn(tz, ms));
  } catch {
    named = undefined; // Intl knows no such zone
  }
  const local = instants.map((ms) => -new Date(ms).getTimezoneOffset());
  if (named?.every((offset, i) => offset === local[i])) return undefined;
  return `TZ=${JSON.stringify(tz)} names no time zone this process can load: schedules without timezone: run in UTC. Hint: set TZ to an IANA name as spelt in the tz database (Europe/Paris), or give each schedule its timezone:`;
}

/** The offset from UTC in minutes of the IANA zone `zone` at `ms`; throws (RangeError) for a zone Intl does not know. */
function offsetIn(zone: string, ms: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(ms))
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /^GMT(?:([+-])(\d\d):(\d\d))?$/.exec(name ?? '');
  if (!m) throw new RangeError(`unreadable offset ${name ?? ''}`);
  return m[1] === undefined ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
