import { execFileSync } from 'node:child_process';
import type * as Testing from '@temporalio/testing';
import { PIPELINE_ATTRIBUTE } from './visibility.js';

export interface DevServerOptions {
  port: number;
  uiPort: number;
  namespace: string;
  /** Keep state across restarts in this SQLite file (default: in memory). */
  dbFile?: string;
}

export interface DevServer {
  address: string;
  /** How the server was obtained: an existing `temporal` binary, or the SDK's cached download. */
  source: string;
  stop(): Promise<void>;
}

/**
 * A local Temporal dev server (for trying Ferry on Temporal on one machine), through
 * @temporalio/testing: an existing `temporal` CLI on PATH is used as is; otherwise the SDK
 * downloads one (cached), which needs internet access. Registers the FerryPipeline search attribute.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const binary = temporalBinary();
  const server = {
    ip: '127.0.0.1',
    port: options.port,
    uiPort: options.uiPort,
    ui: true,
    namespace: options.namespace,
    searchAttributes: [PIPELINE_ATTRIBUTE],
    ...(options.dbFile ? { dbFilename: options.dbFile } : {}),
    ...(binary ? { executable: { type: 'existing-path' as const, path: binary } } : {}),
  };
  const testing = await loadTesting();
  try {
    const env = await testing.TestWorkflowEnvironment.createLocal({ server });
    return { address: env.address, source: binary ?? 'downloaded by @temporalio/testing', stop: () => env.teardown() };
  } catch (err) {
    throw new Error(cannotStart(binary, err));
  }
}

/** @temporalio/testing is a development dependency: loaded on demand, so production installs run without it. */
async function loadTesting(): Promise<typeof Testing> {
  try {
    return await import('@temporalio/testing');
  } catch {
    throw new Error('ferry dev-server needs @temporalio/testing (a development dependency): run `npm install` in the Ferry folder, or start `temporal server start-dev` yourself.');
  }
}

/** The `temporal` CLI on PATH, if any. */
export function temporalBinary(): string | undefined {
  try {
    const found = execFileSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return found || undefined;
  } catch {
    return undefined;
  }
}

function cannotStart(binary: string | undefined, err: unknown): string {
  const detail = err instanceof Error ? err.message : String(err);
  if (binary) return `the Temporal dev server (${binary}) did not start: ${detail}`;
  return (
    `could not download the Temporal dev server (this needs internet access): ${detail}\n` +
    'Install the Temporal CLI (https://docs.temporal.io/cli) and run `ferry dev-server` again (it uses `temporal` from PATH), ' +
    'or point TEMPORAL_ADDRESS / temporal.address in ferry.yaml at a running server.'
  );
}
