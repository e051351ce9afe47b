import { clip } from '../validation/clip.js';

/**
 * The most of an evaluation error's message a reject carries. A message quotes the value it is
 * about (`$number(x)` of a 100,000-character field, `$error(x)`), and a reject is written for every
 * record, in the report, `jobs show` and the console: a few hundred characters say what went
 * wrong and show where the value starts; the rest is in the record.
 */
export const MESSAGE_LIMIT = 400;

/** What is kept of a longer message, before `… (N characters in all)`. */
const KEPT = 300;

/**
 * `message` cut to MESSAGE_LIMIT, with how long it was. Call it on the message as it will be
 * stored, after secrets are masked (secret-sources.ts `scrub`, `maskQuoted`): cutting first could
 * split a secret so that its first part no longer matches, and show it.
 */
export function boundMessage(message: string): string {
  if (message.length <= MESSAGE_LIMIT) return message;
  // never half of a surrogate pair (an emoji): the cut text must stay well-formed
  return `${clip(message, KEPT)} (${message.length} characters in all)`;
}
