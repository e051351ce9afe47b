/*
 * `$random()` and `$shuffle()` draw from a generator seeded by the job, the column (or rule) and the
 * record's content, instead of Math.random: a batch that is replayed (a retry, `ferry jobs resume`)
 * maps each record to the values its first attempt wrote, so exact resume and "skip unchanged" hold.
 * Successive calls within one evaluation take successive numbers, so `[$random(), $random()]` still
 * gives two different ones. Two records with the same content in one job get the same numbers: the
 * mapper is not told a record's row, and the content is what a replay sees again.
 */

interface Focus {
  environment?: { base?: object; lookup?(name: string): unknown };
}

/** A small, fast generator (sfc32) on a 128-bit seed: not for secrets, for values a replay repeats. */
class Sfc32 {
  constructor(
    private a: number,
    private b: number,
    private c: number,
    private d: number,
  ) {
    for (let i = 0; i < 12; i++) this.next32();
  }

  next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A number in [0, 1) with 53 random bits, as Math.random gives. */
  next(): number {
    const high = this.next32() >>> 5;
    const low = this.next32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }
}

function generatorFor(job: string, key: string, input: unknown): Sfc32 {
  const [a, b, c, d] = hash128(`${job}\0${key}\0${contentOf(input)}`);
  return new Sfc32(a, b, c, d);
}

/** cyrb128: a 128-bit non-cryptographic hash of the UTF-16 units (this module does no I/O, so no node:crypto). */
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function contentOf(input: unknown): string {
  try {
    return JSON.stringify(input, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value)) ?? '';
  } catch {
    return '';
  }
}

export interface SeededRandom {
  random(this: unknown): number;
  shuffle(this: unknown, array: unknown[] | undefined): unknown[] | undefined;
}

/**
 * `$random` and `$shuffle` for one expression (`key`: its column or rule) of job `job`. Each
 * evaluation (jsonata's root frame, `this.environment.base`) gets its own generator, seeded by the
 * evaluation's input (`$`), on its first draw.
 */
export function seededRandom(job: string, key: string): SeededRandom {
  const generators = new WeakMap<object, Sfc32>();
  let unbound: Sfc32 | undefined;
  const generator = (self: unknown): Sfc32 => {
    const environment = (self as Focus | undefined)?.environment;
    const base = environment?.base as { lookup?(name: string): unknown } | undefined;
    if (base === undefined) return (unbound ??= generatorFor(job, key, undefined));
    let found = generators.get(base);
    if (found === undefined) generators.set(base, (found = generatorFor(job, key, base.lookup?.('$'))));
    return found;
  };
  return {
    random(this: unknown) {
      return generator(this).next();
    },
    // jsonata's own: the 'inside-out' Fisher-Yates, drawing from the seeded generator
    shuffle(this: unknown, array: unknown[] | undefined) {
      if (array === undefined) return undefined;
      if (array.length <= 1) return array;
      const random = generator(this);
      const result: unknown[] = new Array<unknown>(array.length);
      for (let i = 0; i < array.length; i++) {
        const j = Math.floor(random.next() * (i + 1));
        if (i !== j) result[i] = result[j];
        result[j] = array[i];
      }
      return result;
    },
  };
}
