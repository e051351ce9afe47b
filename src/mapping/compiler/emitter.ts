/**
 * Collects generated statements. Every intermediate value gets its own `const`, so evaluation
 * order (and so which error is raised first) follows the source exactly.
 */
export class Emitter {
  private readonly lines: string[] = [];
  private readonly constants = new Map<string, string>();
  private readonly scalars = new Set<string>();
  private depth = 1;
  private counter = 0;

  /** `namespace` keeps identifiers of separately generated parts (columns) apart. */
  constructor(private readonly namespace = '') {}

  /** A fresh identifier; user names never become identifiers. */
  name(prefix: string): string {
    this.counter++;
    return `${prefix}${this.namespace}${this.counter}`;
  }

  line(text: string): void {
    this.lines.push('  '.repeat(this.depth) + text);
  }

  /** `const tN = <code>;` and returns `tN`. */
  let(code: string, prefix = 't'): string {
    const id = this.name(prefix);
    this.line(`const ${id} = ${code};`);
    return id;
  }

  /** A value computed once per compiled function (outside the per-record code), shared by code. */
  constant(code: string): string {
    const known = this.constants.get(code);
    if (known !== undefined) return known;
    const id = this.name('K');
    this.constants.set(code, id);
    return id;
  }

  /** `const k_N = <code>;` lines for the constants, to place before the per-record function. */
  prologue(): string {
    return [...this.constants].map(([code, id]) => `const ${id} = ${code};`).join('\n');
  }

  /** Records that an identifier never holds an array (so results need no array copy). */
  scalar(id: string): string {
    this.scalars.add(id);
    return id;
  }

  isScalar(code: string): boolean {
    return this.scalars.has(code) || code === 'undefined' || isLiteralCode(code);
  }

  open(head: string): void {
    this.line(`${head} {`);
    this.depth++;
  }

  close(tail = ''): void {
    this.depth--;
    this.line(`}${tail}`);
  }

  /** `head { body }`, with the body emitted by a callback. */
  block(head: string, body: () => void, tail = ''): void {
    this.open(head);
    body();
    this.close(tail);
  }

  text(): string {
    return this.lines.join('\n');
  }
}

/** A JS literal for a JSON-compatible value; the only way user text enters generated code. */
export function literal(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return '(-0)';
    if (!Number.isFinite(value)) throw new Error('non-finite literal');
    return value < 0 ? `(${String(value)})` : String(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  throw new Error(`unsupported literal ${typeof value}`);
}

/** Whether generated code is a string, number, boolean or null literal (as `literal` writes them). */
export function isLiteralCode(code: string): boolean {
  return /^(?:"(?:[^"\\]|\\.)*"|\(?-?\d[\d.e+-]*\)?|true|false|null)$/.test(code);
}
