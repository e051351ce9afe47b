import { borrowImplementations } from './borrowed.js';
import { OUT_OF_RANGE_CODE } from './functions-numeric.js';

/**
 * `$toMillis` with a picture takes each number where the picture has it and hands them to
 * Date.UTC, which rolls what is out of range into the next unit: "31/02/1990" with
 * "[D01]/[M01]/[Y0001]" became 3 March 1990, "2024-13-45" 14 February 2025 and "25:99" 02:39 the
 * next day, "0024" with "[Y0001]" 1924, each written as the column's value without a word (and a
 * year past 275,760 was NaN, rejected as "a division by zero"). The instant read is formatted back
 * with the same picture (years in full): if its numbers are not the ones written, the date or time
 * does not exist as written, and the call is an error. So is a two-digit year, which jsonata reads
 * as 19xx ("24" with "[Y01]" was 1924): which century is meant, a picture cannot say.
 * Only pictures of years, months, days (of the month or year, and weekday names), hours, minutes,
 * seconds and am/pm are checked this way: the others (a timezone, a fraction, a week) do not format
 * back to what was written.
 */
export function checkPictureMillis(timestamp: string, picture: string, millis: unknown): void {
  const invalid = (why: string) => ({ code: OUT_OF_RANGE_CODE, message: `$toMillis(${JSON.stringify(timestamp)}, ${JSON.stringify(picture)}): ${why}` });
  if (typeof millis !== 'number') return;
  if (!Number.isFinite(millis)) throw invalid('the date is past what JavaScript holds (about 275,000 years from 1970)');
  if (fromMillis === undefined || !checkable(picture)) return;
  let again: unknown;
  try {
    again = fromMillis(millis, fullYears(picture));
  } catch {
    return; // an instant the picture cannot write: nothing to compare
  }
  if (typeof again !== 'string') return;
  if (!sameNumbers(numbersIn(timestamp), numbersIn(again))) {
    throw invalid(
      `the date or time does not exist as written (a day, month, hour or minute out of range, or a year of two digits, which jsonata reads as 19xx?): it reads as ${JSON.stringify(new Date(millis).toISOString())}`,
    );
  }
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
const CHECKABLE = new Set(['Y', 'M', 'D', 'd', 'H', 'h', 'm', 's', 'P']);

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
