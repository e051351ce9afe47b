import { decimalWithoutExponent, exactFormatNumber, zeroInDecimal } from './format-number.js';
import { checkedBase64 } from './base64.js';
import { exponentFormatNumber } from './exponent-pictures.js';
import { exactLargeIntegers } from './large-integers.js';
import { checkedPictureMillis, pictureParts } from './date-pictures.js';
import { withLinearRegExp } from './linear-regexp-swap.js';
import { checkedParseInteger, pictureChecked } from './integer-pictures.js';
import { irregularFormatInteger, irregularFormatNumber } from './irregular-grouping.js';
import { OUT_OF_RANGE_CODE, boundedRoman, checkFinite } from './functions-numeric.js';
import { standIn } from './stand-in.js';
import { PICTURE_LIMIT, pictureTooLong } from '../budget.js';

type Impl = (this: unknown, ...args: never[]) => unknown;

/**
 * A borrowed jsonata built-in made safe where jsonata's is not, for compiled code and the
 * interpreter alike: a roman `$formatInteger` recursed once per letter (a stack overflow),
 * `$toMillis` matched on V8's backtracking engine (above), and `$fromMillis` of an instant no
 * Date holds wrote "0NaN-NaN-NaNTNaN:NaN:NaN.NaNZ" as the column's value; the formatters
 * of a number that is not finite (functions-numeric.ts `checkFinite`); `$formatNumber` and
 * `$formatInteger` of a number past 1e21, and of 0 with letters or roman numerals (format-number.ts); words and letters past 2^53
 * (large-integers.ts); an exponent picture's mantissa
 * (exponent-pictures.ts); and the integer pictures' missing
 * picture and unchecked `$parseInteger` value (integer-pictures.ts); base64 that is not
 * (base64.ts); and irregular grouping separators (irregular-grouping.ts).
 */
export function safeBorrowed<F extends Impl>(name: string, impl: F): F {
  if (name === 'formatInteger')
    return pictureChecked(
      name,
      finiteNumber(
        name,
        zeroInDecimal(
          decimalWithoutExponent(
            boundedRoman(exactLargeIntegers(irregularFormatInteger(impl)) as unknown as (value: number, picture: string) => unknown) as unknown as F,
          ),
        ),
      ),
    );
  if (name === 'parseInteger') return pictureChecked(name, checkedParseInteger(impl));
  if (name === 'toMillis') return boundedPicture(name, utcIso(impl));
  if (name === 'fromMillis') return boundedPicture(name, representableMillis(impl));
  if (name === 'formatNumber') return pictureChecked(name, finiteNumber(name, exactFormatNumber(exponentFormatNumber(irregularFormatNumber(impl)))));
  if (name === 'formatBase') return finiteNumber(name, impl);
  if (name === 'base64encode' || name === 'base64decode') return checkedBase64(name, impl);
  return impl;
}

/**
 * A date picture of at most PICTURE_LIMIT characters, as the number pictures: jsonata reads one in
 * a single call no budget interrupts, in time that grows faster than its length (20 million
 * characters of `[Y]` took 14 s in `$fromMillis`, `$now` and `$toMillis`, where the limit is 2 s).
 */
function boundedPicture<F extends Impl>(name: string, impl: F): F {
  const wrapped = function (this: unknown, value: unknown, picture?: unknown, ...rest: unknown[]): unknown {
    if (typeof picture === 'string' && picture.length > PICTURE_LIMIT) throw pictureTooLong(name, picture.length);
    return (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).call(this, value, picture, ...rest);
  };
  standIn(wrapped, impl);
  return wrapped as unknown as F;
}

function finiteNumber<F extends Impl>(name: string, impl: F): F {
  const wrapped = function (this: unknown, value: unknown, ...rest: unknown[]): unknown {
    checkFinite(name, value);
    return (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).call(this, value, ...rest);
  };
  standIn(wrapped, impl);
  return wrapped as unknown as F;
}

/** The most milliseconds from 1970 a JavaScript Date holds, either way (about 275,000 years). */
const MAX_MILLIS = 8.64e15;
/** Years 0000 and 9999: jsonata's default picture writes the year's last four digits, so 10000-01-01 came out as 0000-01-01. */
const FIRST_ISO = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_ISO = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A timezone `$fromMillis` and `$now` take: ±HHMM or ±HH:MM (a sign-less one is ahead of UTC, as jsonata reads it), a real offset. */
const OFFSET = /^[+-]?([01]\d|2[0-3]):?[0-5]\d$/;

function representableMillis<F extends Impl>(impl: F): F {
  const wrapped = function (this: unknown, millis: unknown, ...rest: unknown[]): unknown {
    // jsonata wrote "NaN" for a timezone it could not read ("bogus", "Europe/Paris"), wrapped +9999
    // past a day, and read "+05:30" as 5 minutes: it takes ±HHMM only, so the colon is dropped
    const timezone = rest[1];
    if (typeof timezone === 'string') {
      if (!OFFSET.test(timezone)) {
        const message = `$fromMillis: the timezone ${JSON.stringify(timezone)} is not an offset ±HHMM or ±HH:MM (hours 00–23, minutes 00–59)`;
        throw { code: OUT_OF_RANGE_CODE, message };
      }
      // jsonata floors -0330 to -4 hours and +30 minutes: 19:30 for 20:30, an hour off
      if (timezone.startsWith('-') && !/00$/.test(timezone)) {
        const message = `$fromMillis: the timezone ${JSON.stringify(timezone)} is a negative offset with minutes, which jsonata formats an hour off: format in UTC, or add the offset to the milliseconds`;
        throw { code: OUT_OF_RANGE_CODE, message };
      }
      rest[1] = timezone.replace(':', '');
    }
    if (typeof millis === 'number') {
      if (!(Math.abs(millis) <= MAX_MILLIS)) {
        throw { code: OUT_OF_RANGE_CODE, message: `$fromMillis(${String(millis)}): no date is that many milliseconds from 1970 (at most ±8.64e15)` };
      }
      if (rest[0] === undefined && (millis < FIRST_ISO || millis > LAST_ISO)) {
        const message = `$fromMillis(${String(millis)}): the instant is outside the years 0000–9999, which an ISO timestamp writes in four digits (give a picture to format it)`;
        throw { code: OUT_OF_RANGE_CODE, message };
      }
    }
    if (typeof rest[0] === 'string') refuseWideWidths(rest[0]);
    const format = (picture: unknown) => (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).call(this, millis, picture, rest[1]);
    if (typeof millis === 'number' && typeof rest[0] === 'string') refuseCutYears(millis, rest[0], format);
    return (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).call(this, millis, ...rest);
  };
  standIn(wrapped, impl);
  return wrapped as unknown as F;
}

/** The widest a date component's width modifier may ask for: more than any component has digits (a year 6, a fraction of a second 9 at most). */
export const DATE_WIDTH_LIMIT = 20;

/**
 * A width modifier (`[D,2]`, after the marker's last comma) pads a number with zeros to its
 * minimum, and a year to its maximum too: `[Y9,999]` (a year with a grouping separator, as a
 * reader might take it, is presentation 9 and width 999) wrote 995 zeros then 1970 as the column's
 * value, and `[Y,1000000000]` failed with JavaScript's "Invalid string length". A width past
 * DATE_WIDTH_LIMIT is refused (a literal picture by `ferry validate`, picture-literals.ts).
 */
function refuseWideWidths(picture: string): void {
  for (const { marker = '', component } of pictureParts(picture)) {
    const comma = marker.lastIndexOf(',');
    if (comma === -1) continue;
    const [min, max] = marker.substring(comma + 1).split('-');
    // jsonata reads each with parseInt ("*" is no bound); a year is written in its maximum
    const widths = [min, component === 'Y' ? max : undefined].map((w) => (w === undefined || w === '*' ? NaN : parseInt(w, 10)));
    const widest = Math.max(...widths.filter((w) => !Number.isNaN(w)), 0);
    if (widest > DATE_WIDTH_LIMIT) {
      const message = `$fromMillis: [${marker}] asks for a width of ${widest}, more than any date component needs (at most ${DATE_WIDTH_LIMIT}): the part after a marker's last comma is its width, [min-max]`;
      throw { code: OUT_OF_RANGE_CODE, message };
    }
  }
}

/**
 * jsonata writes a decimal year in as many digits as the picture's year has (`[Y0001]`, and
 * `[Y,3]`, a minimum width), dropping the rest: the year 12344 with `[Y0001]` was written "2344",
 * 2024 with `[Y001]` "024", without a word. Only two digits (`[Y01]`, "24") is a year written short
 * on purpose; a year cut to any other width is a MAPPING_ERROR.
 */
function refuseCutYears(millis: number, picture: string, format: (picture: string) => unknown): void {
  const years = pictureParts(picture).filter((part) => part.component === 'Y');
  if (years.length === 0) return;
  const full = format('[Y]');
  if (typeof full !== 'string') return;
  const digits = full.replace(/\D/g, '').length;
  for (const { marker = '' } of years) {
    const written = format(`[${marker}]`);
    if (typeof written !== 'string') continue;
    const kept = written.replace(/\D/g, '').length;
    if (kept > 0 && kept < digits && kept !== 2) {
      const message = `$fromMillis(${String(millis)}, ${JSON.stringify(picture)}): the year ${full} has more digits than [${marker}] writes (it would be ${JSON.stringify(written)}): write the year in full ([Y]), or in two digits ([Y01])`;
      throw { code: OUT_OF_RANGE_CODE, message };
    }
  }
}

/** jsonata's test of an ISO 8601 timestamp for `$toMillis` without a picture, with its parts. */
const ISO = /^(\d{4})(?:-([01]\d))?(?:-([0-3]\d))?(T([0-2]\d):[0-5]\d:[0-5]\d)?(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$/;

/**
 * `$toMillis` of an ISO timestamp without a picture, as jsonata reads it, except: a date-time
 * without a zone is UTC (as a date alone is, and as Ferry's queries read one), where jsonata's
 * Date.parse took the worker's local zone, so `2024-01-01T00:00:00` was 05:00Z on a New York
 * machine and 00:00Z on another; and a date the calendar does not have (`2024-02-30`, month 13,
 * hour 24) is an error, where Date.parse rolled it into March or wrote null.
 */
function utcIso<F extends Impl>(impl: F): F {
  const wrapped = function (this: unknown, timestamp: unknown, ...rest: unknown[]): unknown {
    const parts = rest[0] === undefined && typeof timestamp === 'string' ? ISO.exec(timestamp) : null;
    if (parts === null) {
      if (typeof timestamp === 'string' && typeof rest[0] === 'string') return checkedPictureMillis(this, impl, timestamp, rest[0]);
      return (withLinearRegExp(impl) as unknown as (this: unknown, ...a: unknown[]) => unknown).call(this, timestamp, ...rest);
    }
    const [, year, month, day, time, hour, fraction, zone] = parts;
    const invalid = (why: string) => ({ code: OUT_OF_RANGE_CODE, message: `$toMillis(${JSON.stringify(timestamp)}): ${why}` });
    if (month !== undefined && (Number(month) < 1 || Number(month) > 12)) throw invalid(`there is no month ${month}`);
    if (day !== undefined) {
      const days = new Date(Date.UTC(Number(year), Number(month ?? '1'), 0)).getUTCDate();
      if (Number(day) < 1 || Number(day) > days) throw invalid(`there is no day ${day} in that month`);
    }
    if (hour !== undefined && Number(hour) > 23) throw invalid(`there is no hour ${hour}`);
    // V8 reads `2024.5` with its legacy parser, in the local zone
    if (fraction !== undefined && time === undefined) throw invalid('a fraction of a second needs a time (THH:mm:ss)');
    const text = parts[0];
    const millis = Date.parse(time !== undefined && zone === undefined ? `${text}Z` : text);
    if (Number.isNaN(millis)) throw invalid('not a timestamp JavaScript can read');
    return millis;
  };
  standIn(wrapped, impl);
  return wrapped as unknown as F;
}
