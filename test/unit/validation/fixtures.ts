import type { RejectError } from '../../../src/validation/reject.js';
import { validateUser } from '../../../src/validation/user-schema.js';

/** Known-good values, from the import format's documented examples where there is one. */
export const BCRYPT = '$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K';
export const ARGON2 = '$argon2id$v=19$m=65536,t=2,p=1$J6Q/82PCyaNpYKRELJyTZg$m04qUAB8rexWDR4+/0f+SFB+4XMFxt7YAvAq2UycYos';
export const PBKDF2 = '$pbkdf2-sha512$i=100000,l=64$KNyFsA2rWoE$I2CQGI9H0JxdDf3kERRI97kPCGxh0KWBIV3MxyaS191gDGfzVBGyS4BibhgqWQ0/ails8mHuU9ckASxHOOq58w';
export const LDAP = '{SSHA384}/cgEjdoZh85DhurDeOQEMO1rMlAur93SVPbYe5XSD4lF7nNuvrBju5hUeg9A6agRemgSXGl5YuE=';
export const SHA256_HEX = 'd24e794fce503c3ddb1cd1ba1dd5d9b250cf9917336a0316fefd87fecf79200f';

/** A record using every profile field (custom_password_hash, so no password_hash). */
export function fullUser(): Record<string, unknown> {
  return {
    user_id: 'legacy-1001',
    email: 'ada.lovelace@example.com',
    email_verified: true,
    username: 'ada_lovelace',
    phone_number: '+442071234567',
    phone_verified: false,
    given_name: 'Ada',
    family_name: 'Lovelace',
    name: 'Ada Lovelace',
    nickname: 'ada',
    picture: 'https://cdn.example.com/avatars/ada.png?size=128',
    blocked: false,
    custom_password_hash: {
      algorithm: 'sha256',
      hash: { value: SHA256_HEX, encoding: 'hex' },
      salt: { value: 'abc123', encoding: 'utf8', position: 'prefix' },
      password: { encoding: 'utf8' },
    },
    app_metadata: { roles: ['admin'], plan: 'premium' },
    user_metadata: { theme: 'light', address: { city: 'London' }, tags: [{ name: 'vip' }] },
    mfa_factors: [{ totp: { secret: 'JBTWY3DPEHPK3PNP' } }, { phone: { value: '+15551112233' } }, { email: { value: 'ada@backup.example.org' } }],
    connection: 'Username-Password-Authentication',
    created_at: '2023-01-15T08:30:00Z',
    updated_at: '2024-02-29T23:59:59.123+01:00',
    last_login: '2024-03-01 10:00:00Z',
    logins_count: 42,
  };
}

/** A minimal valid record plus `fields`. */
export function user(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { email: 'someone@example.com', ...fields };
}

export function errorsOf(record: Record<string, unknown>, rejectUnknownFields = true): RejectError[] {
  return validateUser(record, { rejectUnknownFields });
}

/** [code, path] pairs: what the tests assert (messages are for people and may be reworded). */
export function codesOf(record: Record<string, unknown>, rejectUnknownFields = true): Array<[string, string]> {
  return errorsOf(record, rejectUnknownFields).map((e) => [e.code, e.path]);
}

/** [code, path] pairs for a record with only `custom_password_hash` set to `value`. */
export function hashCodes(value: unknown): Array<[string, string]> {
  return codesOf(user({ custom_password_hash: value }));
}
