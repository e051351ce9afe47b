/*
 * The one grammar of environment references, wherever Ferry expands them (ferry.yaml when it is
 * read, a pipeline's webhook URL when the notification is sent): `${NAME}` is the variable's value,
 * and `$${NAME}` writes a literal `${NAME}` (a password, or a URL path, holding one).
 */

/** `${NAME}`, or `$${NAME}` (group 1 is then `$`). */
const REFERENCE = /(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** One `${NAME}` of a text: `index` is where its `${` starts, `nth` counts the escapes before it too. */
export interface EnvReference {
  name: string;
  /** The reference as written: `${NAME}`. */
  written: string;
  index: number;
  nth: number;
}

/** `text` with every `${NAME}` replaced by `value(reference)`, and every `$${NAME}` by a literal `${NAME}`. */
export function expandReferences(text: string, value: (reference: EnvReference) => string): string {
  let nth = 0;
  return text.replace(REFERENCE, (match: string, escape: string, name: string, at: number) => {
    const reference = { name, written: match.slice(escape.length), index: at + escape.length, nth: nth++ };
    return escape ? reference.written : value(reference);
  });
}

/** The `${NAME}` references of `text`, escapes left out. */
export function envReferences(text: string): EnvReference[] {
  const out: EnvReference[] = [];
  expandReferences(text, (reference) => {
    out.push(reference);
    return reference.written;
  });
  return out;
}

/** Where each reference or escape of `text` starts, in order: the n-th is `nth` n. */
export function referenceOffsets(text: string): number[] {
  return [...text.matchAll(REFERENCE)].map((m) => m.index);
}

/** Whether `text` is one whole reference, `${NAME}` (not an escape). */
export function isWholeReference(text: string): boolean {
  const refs = envReferences(text);
  return refs.length === 1 && refs[0]!.written === text;
}

/**
 * What every check says of `${NAME}` written in a pipeline, which reads no environment variable
 * (only ferry.yaml does): the reference as written, then `advice`, what to write instead.
 */
export function notReadInPipeline(written: string, advice: string): string {
  return `${written} is not read from the environment in a pipeline (only in ferry.yaml): ${advice}`;
}
