import { RE2JS } from 're2js';

/*
 * JSONata regex literals (/^(a+)+$/) run on RE2JS, the JavaScript port of RE2: matching takes time
 * linear in the text, so no pattern can backtrack catastrophically (V8's engine took 12.7 s on
 * /^(a+)+$/ and 29 characters, doubling with each one more). Pure JavaScript, no native build, kept
 * up to date. The price: RE2 syntax, so lookahead, lookbehind and backreferences are refused (at
 * `validate`, with the column). `\uXXXX` and `\u{X}` are written as RE2's `\x{…}`.
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
    this.re = RE2JS.compile(toRe2Syntax(this.source), re2Flags(this.flags));
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
    RE2JS.compile(toRe2Syntax(source), re2Flags(flags));
    return null;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return `regex /${source}/ is not supported by the linear-time regex engine (RE2 syntax: no lookaround or backreferences): ${detail}`;
  }
}

function re2Flags(flags: string): number {
  let out = 0;
  if (flags.includes('i')) out |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) out |= RE2JS.MULTILINE;
  if (flags.includes('s')) out |= RE2JS.DOTALL;
  return out;
}

/** `\uXXXX` and `\u{X…}` → `\x{…}`; every other escape is copied as it is. */
function toRe2Syntax(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c !== '\\' || i + 1 >= source.length) {
      out += c;
      continue;
    }
    const next = source[i + 1]!;
    const braced = next === 'u' ? /^\{([0-9A-Fa-f]{1,6})\}/.exec(source.slice(i + 2)) : null;
    const four = next === 'u' && !braced ? /^[0-9A-Fa-f]{4}/.exec(source.slice(i + 2)) : null;
    if (braced) {
      out += `\\x{${braced[1]}}`;
      i += 1 + braced[0].length;
    } else if (four) {
      out += `\\x{${four[0]}}`;
      i += 5;
    } else {
      out += c + next;
      i++;
    }
  }
  return out;
}
