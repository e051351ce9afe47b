import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** This test run's build (see test/global-setup.ts). */
export const distRoot = join(repoRoot, process.env['FERRY_DIST'] ?? 'dist');
/** The compiled CLI entry of this test run's build. */
export const ferryBin = join(distRoot, 'src', 'cli', 'bin.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `ferry` binary (compiled by the test global setup) in `cwd`. */
export function runFerry(args: string[], options: { cwd: string; env?: Record<string, string> }): CliResult {
  const result = spawnSync(process.execPath, [ferryBin, ...args], {
    cwd: options.cwd,
    env: { ...process.env, FORCE_COLOR: '0', ...options.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The same, without blocking the test process (for tests that signal or kill the child). */
export function startFerry(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  return spawn(process.execPath, [ferryBin, ...args], {
    cwd: options.cwd,
    env: { ...process.env, FORCE_COLOR: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Waits for `child` to exit, killed after `ms`: a command that does not end is a failure (`hung`), not a stuck suite. */
export async function exitWithin(child: ChildProcess, ms: number): Promise<{ code: number | null; stderr: string; hung: boolean }> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, ms);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stderr, hung };
}

/**
 * runFerry without blocking the test process: for tests whose loopback servers (SMTP, HTTP) must
 * keep answering while the CLI runs.
 */
export function runFerryAsync(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const child = startFerry(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A temp folder removed by the returned cleanup. */
export function tempDir(prefix = 'ferry-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
