import { RE2JS } from 're2js';
import { UntranslatableRegex, toRe2Pattern } from './regex-translate.js';

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

  constructor(pattern: string | RegExp, flags?: string) {
    this.source = typeof pattern === 'string' ? pattern : pattern.source;
    this.flags = flags ?? (typeof pattern === 'string' ? '' : pattern.flags);
    this.re = RE2JS.compile(toRe2Pattern(this.source, this.flags), re2Flags(this.flags));
  }

  /** As RegExp#exec with the g flag: searches from lastIndex, then moves it to the match's end. */
  exec(text: string): RegExpExecArray | null {
    if (this.lastIndex > text.length) {
      this.lastIndex = 0;
      return null;
    }
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

/** Why the linear-time engine cannot run a JSONata regex literal, or null. */
export function linearRegexProblem(source: string, flags = ''): string | null {
  try {
    RE2JS.compile(toRe2Pattern(source, flags), re2Flags(flags));
    return null;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    if (err instanceof UntranslatableRegex) return `regex /${source}/ is not supported by the linear-time regex engine: ${detail}`;
    return `regex /${source}/ is not supported by the linear-time regex engine (RE2 syntax: no lookaround or backreferences): ${detail}`;
  }
}

/** Case folding is in the translated pattern (as JS folds), so RE2's own is not asked for. */
function re2Flags(flags: string): number {
  return flags.includes('m') ? RE2JS.MULTILINE : 0;
}
