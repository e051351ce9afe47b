/**
 * Percent-decoding that keeps a malformed text as it is: for finding the spellings a secret in a
 * URL may be shown in, where a `%` that starts no escape is simply part of it (the URL itself is
 * refused later, by whatever reads it).
 */
export function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
