import { maskUrl } from '../spec/secrets.js';

/**
 * A target URL as it may appear in a job's record and messages: the password and query values
 * masked (webhook services often carry their token in the query). Scheme, host, port and path stay,
 * so the reader can still tell which target failed.
 */
export function displayUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return maskUrl(url);
  }
  if (parsed.password) parsed.password = '***';
  for (const key of new Set(parsed.searchParams.keys())) parsed.searchParams.set(key, '***');
  return parsed.href;
}

/** `smtp://host:port` only: the SMTP URL's user, password and options are nobody's business. */
export function displayServer(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    // Text that is not a URL cannot be masked by shape: do not echo any of it.
    return 'the server of notify.smtp.url';
  }
}
