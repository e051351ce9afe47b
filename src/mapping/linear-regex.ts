import { RE2JS } from 're2js';
import { REGEX_WORK_LIMIT, regexTooCostly } from './budget.js';
import { estimatedInstructions } from './regex-size.js';
import { UntranslatableRegex, toRe2Pattern } from './regex-translate.js';
import { clip } from '../validation/clip.js';

/*
 * JSONata regex literals (/^(a+)+$/) run on RE2JS, the JavaScript port of RE2: matching takes time
 * linear in the text, so no pattern can backtrack catastrophically (V8's engine took 12.7 s on
 * /^(a+)+$/ and 29 characters, doubling with each one more). Pure JavaScript, no native build, kept
 * up to date. The pattern is JavaScript's, translated to RE2 with JavaScript's meaning
 * (regex-translate.ts); what has no RE2 equivalent (lookaround, backreferences) is refused at
 * `validate`, with the column.
 */

/** The `new RegExp`-shaped class jsonata's `RegexEngine` option and the compiled code use. */
export class LinearRegExp {
  lastIndex = 0;
  readonly source: string;
  readonly flags: string;
  private readonly re: RE2JS;

  /** `clock` throws when the evaluation searching has run out of time (budget.ts). */
  constructor(
    pattern: string | RegExp,
    flags?: string,
    private readonly clock: () => void = () => undefined,
  ) {
    this.source = typeof pattern === 'string' ? pattern : pattern.source;
    this.flags = flags ?? (typeof pattern === 'string' ? '' : pattern.flags);
    try {
      this.re = compiled(this.source, this.flags);
    } catch (err) {
      if (!(err instanceof RegexTooLarge)) throw err;
      throw new RegexTooLarge(tooLargeMessage(this.source, err.message));
    }
  }

  /**
   * As RegExp#exec with the g flag: searches from lastIndex, then moves it to the match's end.
   * A search that could take more than REGEX_WORK_LIMIT refuses before it starts, and each search
   * first checks the clock, so a loop over many matches stops at the time limit.
   */
  exec(text: string): RegExpExecArray | null {
    if (this.lastIndex > text.length) {
      this.lastIndex = 0;
      return null;
    }
    const instructions = this.re.programSize();
    const characters = text.length - this.lastIndex;
    if (instructions * characters > REGEX_WORK_LIMIT) throw regexTooCostly(this.source, instructions, characters);
    this.clock();
    const m = this.re.matcher(text);
    if (!m.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: (string | undefined)[] = [m.group(0) ?? ''];
    for (let i = 1; i <= this.re.groupCount(); i++) groups.push(m.group(i) ?? undefined);
    this.lastIndex = m.end();
    return Object.assign(groups, { index: m.start(), input: text }) as unknown as RegExpExecArray;
  }

  test(text: string): boolean {
    return this.exec(text) !== null;
  }
}

/** LinearRegExp checking `clock` before each search: the engine of one interpreter evaluation (budget.ts `guardInterpreter`). */
export function linearRegExpWithClock(clock: () => void): typeof LinearRegExp {
  return class extends LinearRegExp {
    constructor(pattern: string | RegExp, flags?: string) {
      super(pattern, flags, clock);
    }
  };
}

/**
 * The longest regex pattern, and the largest program it may compile to. Translating and compiling
 * take time in one call no budget interrupts: 5,000 alternatives took 1 s to compile (15 s with
 * the i flag), and a pattern is compiled once per process, but `$eval` can build one from a record.
 * Real patterns are a few dozen characters and instructions.
 */
export const REGEX_SOURCE_LIMIT = 4096;
export const REGEX_INSTRUCTION_LIMIT = 20_000;

/** A pattern past the limits above (a validate error for a literal; a MAPPING_ERROR for one `$eval` builds). */
export class RegexTooLarge extends Error {}

const programs = new Map<string, RE2JS>();
const PROGRAMS_KEPT = 500;

/** The RE2 program of `/source/flags`, compiled once: the interpreter and compiled code build a regex per evaluation. */
function compiled(source: string, flags: string): RE2JS {
  const key = `${flags}/${source}`;
  let program = programs.get(key);
  if (program === undefined) {
    if (source.length > REGEX_SOURCE_LIMIT) throw new RegexTooLarge(`it has ${source.length} characters, more than ${REGEX_SOURCE_LIMIT}`);
    const pattern = toRe2Pattern(source, flags);
    const size = estimatedInstructions(pattern);
    if (size > REGEX_INSTRUCTION_LIMIT) {
      throw new RegexTooLarge(`it would compile to about ${size} instructions, more than ${REGEX_INSTRUCTION_LIMIT} (x{1,999} is 999 copies of x)`);
    }
    program = RE2JS.compile(pattern, re2Flags(flags));
    if (programs.size >= PROGRAMS_KEPT) programs.clear();
    programs.set(key, program);
  }
  return program;
}

/** Why the linear-time engine cannot run a JSONata regex literal, or null. */
export function linearRegexProblem(source: string, flags = ''): string | null {
  try {
    compiled(source, flags);
    return null;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    if (err instanceof RegexTooLarge) return tooLargeMessage(source, detail);
    if (err instanceof UntranslatableRegex) return `regex /${source}/ is not supported by the linear-time regex engine: ${detail}`;
    return `regex /${source}/ is not supported by the linear-time regex engine (RE2 syntax: no lookaround or backreferences): ${detail}`;
  }
}

function tooLargeMessage(source: string, detail: string): string {
  const shown = clip(source, 60);
  return `regex /${shown}/ is too large for the regex engine: ${detail}`;
}

/** Case folding is in the translated pattern (as JS folds), so RE2's own is not asked for. */
function re2Flags(flags: string): number {
  return flags.includes('m') ? RE2JS.MULTILINE : 0;
}
