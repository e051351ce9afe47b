import { borrowImplementations } from './borrowed.js';
import { OUT_OF_RANGE_CODE } from './functions-numeric.js';
import { withLinearRegExp } from './linear-regexp-swap.js';

type Impl = (this: unknown, ...args: never[]) => unknown;

/**
 * `$toMillis(timestamp, picture)`, read by jsonata (on the linear-time regex engine) and checked.
 * jsonata reads a timezone as whole hours plus signed minutes, so "-01:30" was half an hour
 * behind UTC, not an hour and a half, and it took "+99:00" and "+01:99"; it ignores a week `[W]`,
 * an era `[E]` (2024-W05 was 1 January). A timezone and a fraction of a second do not format back
 * as written, so what sameAsWritten compares is the date and time without them: the
 * timestamp and picture with those markers and the text they matched taken out, read again by
 * jsonata; the timezone and the fraction are read here, then applied to that wall-clock time.
 */
export function checkedPictureMillis(self: unknown, impl: Impl, timestamp: string, picture: string): unknown {
  const invalid: Invalid = (why) => ({ code: OUT_OF_RANGE_CODE, message: `$toMillis(${JSON.stringify(timestamp)}, ${JSON.stringify(picture)}): ${why}` });
  let regex: RegExp | undefined;
  const millis = (withLinearRegExp(impl, (made) => (regex = made)) as unknown as (this: unknown, t: string, p: string) => unknown).call(
    self,
    timestamp,
    picture,
  );
  if (typeof millis !== 'number') {
    // jsonata gives no value for a timestamp its picture does not match ("05-01-2024" with
    // [D01]/[M01]/[Y]), and the column was then left out of the row without a word; a date column
    // the store fills (created_at) got the job's time instead. Only an empty text is no date.
    if (millis === undefined && timestamp !== '') throw invalid('the timestamp does not match the picture');
    return millis;
  }
  checkFiniteMillis(millis, invalid);
  const parts = pictureParts(picture);
  const ignored = parts.find((part) => part.component !== undefined && 'WwXxEC'.includes(part.component));
  if (ignored) {
    throw invalid(
      `jsonata does not read the component [${ignored.marker ?? ''}] (a week, era or calendar): it ignores it, so the date read would not be the one written`,
    );
  }
  if (regex === undefined) return millis;
  regex.lastIndex = 0;
  const groups = regex.exec(timestamp);
  if (groups === null || groups.length !== parts.length + 1) return millis;
  let offsetMinutes = 0;
  let fraction = 0;
  let wallTimestamp = '';
  let wallPicture = '';
  parts.forEach((part, i) => {
    const text = groups[i + 1] ?? '';
    if (part.component === 'Z' || part.component === 'z') offsetMinutes = timezoneMinutes(text, invalid);
    else if (part.component === 'f') fraction = Number(text.slice(0, 3).padEnd(3, '0'));
    else {
      wallTimestamp += text;
      wallPicture += part.source;
    }
  });
  const wall =
    wallPicture === picture
      ? millis
      : (withLinearRegExp(impl) as unknown as (this: unknown, t: string, p: string) => unknown).call(self, wallTimestamp, wallPicture);
  // a picture of a timezone or a fraction alone: jsonata read no date or time to check
  if (typeof wall !== 'number') return millis;
  const instant = wall + fraction - offsetMinutes * 60_000;
  checkFiniteMillis(instant, invalid);
  if (!sameAsWritten(wallTimestamp, wallPicture, wall)) {
    throw invalid(
      `the date or time does not exist as written (a day, month, hour or minute out of range, or a year of two digits, which jsonata reads as 19xx?): it reads as ${JSON.stringify(new Date(instant).toISOString())}`,
    );
  }
  checkWeekdays(parts, groups, wall, invalid);
  return instant;
}

function checkFiniteMillis(millis: number, invalid: Invalid): void {
  if (!Number.isFinite(millis) || Math.abs(millis) > 8.64e15) throw invalid('the date is past what JavaScript holds (about 275,000 years from 1970)');
}

type Invalid = (why: string) => { code: string; message: string };

/** A timezone as `[Z]` or `[z]` matched it (jsonata's regex: `GMT`? sign, digits, separator?, digits): its minutes east of UTC. */
function timezoneMinutes(text: string, invalid: Invalid): number {
  const zone = /^(?:GMT)?([+-])(\d+)(?:\D(\d+))?$/i.exec(text);
  let hours: string | undefined;
  let minutes: string | undefined;
  if (zone?.[3] !== undefined) [hours, minutes] = [zone[2], zone[3]];
  else if (zone?.[2] !== undefined) [hours, minutes] = zone[2].length <= 2 ? [zone[2], '0'] : [zone[2].slice(0, 2), zone[2].slice(2)];
  if (zone === null || hours === undefined || minutes === undefined || Number(hours) > 23 || Number(minutes) > 59 || minutes.length > 2) {
    throw invalid(`the timezone ${JSON.stringify(text)} is not an offset ±HH, ±HHMM or ±HH:MM (hours 00–23, minutes 00–59)`);
  }
  return (zone[1] === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
}

/** A weekday's name or number (`[FNn]`, `[F1]`) jsonata reads and ignores: it must be the date's own. */
function checkWeekdays(parts: PicturePart[], groups: RegExpExecArray, wall: number, invalid: Invalid): void {
  if (fromMillis === undefined) return;
  parts.forEach((part, i) => {
    if (part.component !== 'F') return;
    const written = groups[i + 1] ?? '';
    const actual = fromMillis(wall, `[${part.marker}]`);
    if (typeof actual === 'string' && actual.toLowerCase() !== written.toLowerCase()) {
      throw invalid(
        `the weekday ${JSON.stringify(written)} is not the date's: it reads as ${JSON.stringify(new Date(wall).toISOString().slice(0, 10))}, a ${JSON.stringify(actual)}`,
      );
    }
  });
}

export interface PicturePart {
  /** The picture's text of this part: a literal, `[[`, or a marker with its brackets. */
  source: string;
  /** A marker's component letter, as jsonata reads it (its first letter once spaces are removed). */
  component?: string;
  /** A marker's text without brackets and spaces. */
  marker?: string;
}

/** The picture cut into the parts jsonata makes a capture group of each, in order (jsonata's `analyseDateTimePicture`). */
export function pictureParts(picture: string): PicturePart[] {
  const parts: PicturePart[] = [];
  let start = 0;
  let pos = 0;
  const literal = (end: number) => {
    if (end > start) parts.push({ source: picture.slice(start, end) });
  };
  while (pos < picture.length) {
    if (picture.charAt(pos) !== '[') {
      pos++;
      continue;
    }
    literal(pos);
    if (picture.charAt(pos + 1) === '[') {
      parts.push({ source: '[[' });
      pos += 2;
      start = pos;
      continue;
    }
    const end = picture.indexOf(']', pos);
    if (end === -1) return [];
    const marker = picture
      .slice(pos + 1, end)
      .split(/\s+/)
      .join('');
    parts.push({ source: picture.slice(pos, end + 1), component: marker.charAt(0), marker });
    pos = end + 1;
    start = pos;
  }
  literal(pos);
  return parts;
}

/**
 * `$toMillis` with a picture takes each number where the picture has it and hands them to
 * Date.UTC, which rolls what is out of range into the next unit: "31/02/1990" with
 * "[D01]/[M01]/[Y0001]" became 3 March 1990, "2024-13-45" 14 February 2025 and "25:99" 02:39 the
 * next day, "0024" with "[Y0001]" 1924, each written as the column's value without a word (and a
 * year past 275,760 was NaN, rejected as "a division by zero"). The instant read is formatted back
 * with the same picture (years in full): if its numbers are not the ones written, the date or time
 * does not exist as written, and the call is an error. So is a two-digit year, which jsonata reads
 * as 19xx ("24" with "[Y01]" was 1924): which century is meant, a picture cannot say.
 * Only pictures of years, months, days (of the month, week or year), hours, minutes, seconds and
 * am/pm are compared this way: a timezone and a fraction are taken out first (above).
 */
function sameAsWritten(timestamp: string, picture: string, millis: number): boolean {
  if (fromMillis === undefined || !checkable(picture)) return true;
  let again: unknown;
  try {
    again = fromMillis(millis, fullYears(picture));
  } catch {
    return true; // an instant the picture cannot write: nothing to compare
  }
  return typeof again !== 'string' || sameNumbers(numbersIn(timestamp), numbersIn(again));
}

/**
 * The picture with its decimal years written in full: `[Y01]` reads "2024" as 2024 (and "24" as
 * 1924), so the year read is compared with all its digits.
 */
function fullYears(picture: string): string {
  return picture.replace(/\[\s*Y([^\],]*)(?:,[^\]]*)?\]/g, (component, presentation: string) => (/^[0-9#]*$/.test(presentation.trim()) ? '[Y]' : component));
}

const fromMillis = borrowImplementations(['fromMillis']).get('fromMillis');

/** Components whose numbers format back as they were written (`[D01]`, `[MNn]`, `[h]`, `[P]`, a day of the year `[d]`). */
const CHECKABLE = new Set(['Y', 'M', 'D', 'd', 'F', 'H', 'h', 'm', 's', 'P']);

function checkable(picture: string): boolean {
  const components = picture.replace(/\[\[|\]\]/g, '').match(/\[[^\]]*\]/g) ?? [];
  return components.length > 0 && components.every((c) => isCheckable(c.slice(1, -1).trim()));
}

/** A weekday's name (`[FNn]`) writes no number and jsonata reads none from it: "Monday 31/02/2024" is checked as "31/02/2024". */
function isCheckable(component: string): boolean {
  return CHECKABLE.has(component.charAt(0)) || /^F[Nn]/.test(component);
}

function numbersIn(text: string): number[] {
  return (text.match(/\d+/g) ?? []).map(Number);
}

function sameNumbers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
