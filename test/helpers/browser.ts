import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startFerry } from './cli.js';
import { loggingIn, trustConsole } from './console-auth.js';

/**
 * Headless Chromium for the console's end-to-end tests: Debian's `chromium` (or the binary named by
 * FERRY_CHROMIUM), found on PATH and driven by playwright-core. Without it the tests skip with the
 * reason — and fail when CI is set, so a CI image that lost its browser does not pass silently.
 */
export function findChromium(): string | undefined {
  const named = process.env['FERRY_CHROMIUM'];
  if (named) return named;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const file = join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export const chromiumPath = findChromium();
export const NO_CHROMIUM = 'no chromium on PATH (apt-get install chromium, or set FERRY_CHROMIUM)';
if (!chromiumPath && process.env['CI']) throw new Error(`console end-to-end tests: ${NO_CHROMIUM}; CI must run them`);

/** Each of its new pages opens the printed URL of the consoles started here first (console-auth.ts). */
export async function launchChromium(): Promise<Browser> {
  return loggingIn(await chromium.launch({ executablePath: chromiumPath!, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] }));
}

export interface RunningConsole {
  /** The console's address, without the token. */
  url: string;
  /** The URL `ferry ui` printed to open (with `?token=` when it generated the token). */
  printed: string;
  /** The token `ferry ui` generated and printed; undefined when FERRY_UI_TOKEN gave one. */
  token: string | undefined;
  /** What it printed on stdout. */
  stdout: () => string;
  child: ChildProcess;
  /** What the server said on stderr so far (jobs ending, faults). */
  stderr: () => string;
  /** Ctrl-C, and the exit code once it has stopped. */
  stop(): Promise<number | null>;
}

/**
 * `ferry ui --port 0` in `cwd` (127.0.0.1, a free port), resolved once it prints its URL. The token
 * it generated, read from that URL, is presented by the test's fetch and browser pages (console-auth.ts).
 */
export async function startConsole(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<RunningConsole> {
  const child = startFerry(['ui', '--port', '0', ...args], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const printed = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ferry ui did not start in 30s:\n${stdout}\n${stderr}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /ferry ui: (http:\/\/\S+\/\S*)\s/.exec(stdout); // the whole URL: up to the space after it
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ferry ui exited (${code}) before serving:\n${stdout}\n${stderr}`));
    });
  });
  const url = printed.replace(/\?.*/, '');
  const token = new URL(printed).searchParams.get('token') ?? undefined;
  const untrust = token === undefined ? () => undefined : trustConsole(url, token);
  return {
    url,
    printed,
    token,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        untrust();
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGINT');
      }),
  };
}
