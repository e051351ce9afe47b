/**
 * `notify.smtp.from`: an address (`ferry@example.com`) or a name and an address
 * (`Ferry <ferry@example.com>`, `"Ferry, ops" <ferry@example.com>`). Checked when ferry.yaml is
 * read: nodemailer sent a value that is not one with no From header and an empty envelope sender,
 * counted as delivered, and read `a@x\r\nBcc: b@y` (a `\r\n` in a quoted value, or from the
 * environment) as a group whose sender is b@y.
 */

/** The local part as a dot-atom (RFC 5322 atext, and UTF-8 as SMTPUTF8 allows), `@`, a host name or an address literal. */
const ADDRESS =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+)*@(?:[A-Za-z0-9\u0080-\uFFFF](?:[A-Za-z0-9\u0080-\uFFFF-]*[A-Za-z0-9\u0080-\uFFFF])?(?:\.[A-Za-z0-9\u0080-\uFFFF](?:[A-Za-z0-9\u0080-\uFFFF-]*[A-Za-z0-9\u0080-\uFFFF])?)*|\[[0-9A-Fa-f.:]+\])$/;

/** Control characters (a line break included), and the separators Unicode has beyond them. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * A display name: plain words, quoted strings and (comments). A `,` or `;` outside quotes starts another
 * address, a `:` a group, a lone `"` or `(` swallows the `<…>` (nodemailer read `Ferry, ops <a@b.c>` as
 * a sender with no address, the same empty envelope sender as an address that is not one).
 */
const DISPLAY_NAME = /^(?:"(?:[^"\\]|\\.)*"|\([^()\\]*\)|[^"(),:;<>\\])*$/;

export const SENDER_ADDRESS_EXPECTED = 'expected a sender address, such as ferry@example.com or "Ferry <ferry@example.com>"';

export function isSenderAddress(text: string): boolean {
  if (CONTROL.test(text)) return false;
  const named = /^(.*?)\s*<([^<>]*)>$/.exec(text);
  if (!named) return ADDRESS.test(text);
  const [, name = '', address = ''] = named;
  return DISPLAY_NAME.test(name) && ADDRESS.test(address);
}
