/*
 * The import format's simplest patterns as character loops: they run for every phone number and TOTP
 * secret, where a loop costs a fraction of a regex call.
 */

/** `^\+[0-9]{1,15}$`: E.164 as the profile rules write it. */
export function isE164(s: string): boolean {
  if (s.length < 2 || s.length > 16 || s.charCodeAt(0) !== 0x2b) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** `^[A-Z2-7]+$`: un-padded RFC 4648 base32, as authenticator apps take a TOTP secret. */
export function isBase32(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x32 && c <= 0x37))) return false;
  }
  return true;
}
