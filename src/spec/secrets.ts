/**
 * Keeps secrets out of every message, log line and report. Passwords in URLs are masked by shape;
 * values that came from the environment are masked by value.
 */

const urlCredentials = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):([^@\s]+)@/gi;

/** `postgres://app:s3cret@db/users` → `postgres://app:***@db/users`. */
export function maskUrl(text: string): string {
  return text.replace(urlCredentials, '$1:***@');
}

export class SecretMasker {
  private readonly values: string[] = [];

  constructor(values: Iterable<string> = []) {
    for (const v of values) this.add(v);
  }

  /** Registers a secret value; very short values are ignored (masking "a" would garble every message). */
  add(value: string): void {
    if (value.length >= 4 && !this.values.includes(value)) {
      this.values.push(value);
      this.values.sort((a, b) => b.length - a.length);
    }
  }

  /** The values masked: what a worker thread's masker is built from. */
  secrets(): string[] {
    return [...this.values];
  }

  mask(text: string): string {
    let out = maskUrl(text);
    for (const v of this.values) out = out.split(v).join('***');
    return out;
  }
}
