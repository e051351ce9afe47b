import { startUiServer } from '../ui/server.js';
import { isLoopback } from '../ui/security.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_INVALID } from './exit-codes.js';
import { positiveNumber, wholeNumber } from './usage.js';

export interface UiCommandOptions {
  host: string;
  port: string;
  maxUpload: string;
}

/**
 * `ferry ui`: the web console until Ctrl-C. Loopback only unless FERRY_UI_TOKEN is set: a console
 * that starts jobs and rolls them back is not served to the network without a token.
 */
export async function uiCommand(ctx: CliContext, options: UiCommandOptions): Promise<void> {
  const port = wholeNumber(options.port, '--port', 0, 65535);
  const maxUploadMb = positiveNumber(options.maxUpload, '--max-upload', 'a size in MB');
  const token = ctx.env['FERRY_UI_TOKEN'] || undefined;
  if (!isLoopback(options.host) && !token) {
    throw new CliExit(
      EXIT_INVALID,
      `refusing to serve the console on ${options.host} without a token: set FERRY_UI_TOKEN (every request must then present it), or bind 127.0.0.1`,
    );
  }
  if (token !== undefined && token.length < 16) throw new CliExit(EXIT_INVALID, 'FERRY_UI_TOKEN must be at least 16 characters');
  const app = ctx.app();
  const server = await startUiServer({ app, host: options.host, port, token, maxUpload: Math.floor(maxUploadMb * 1024 * 1024), log: ctx.stderr }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL')
        throw new CliExit(
          EXIT_INVALID,
          `cannot listen on ${options.host}:${port}: ${err.code}${err.code === 'EADDRINUSE' ? ' (another program has the port); choose one with --port' : ''}`,
        );
      throw err;
    },
  );
  if (!isLoopback(options.host))
    ctx.stderr(
      `warning: the console on ${options.host} is plain HTTP: its token and the users' data its pages show travel unencrypted; serve it through TLS (a reverse proxy) or bind 127.0.0.1 and reach it through an SSH tunnel`,
    );
  ctx.stdout(`ferry ui: ${server.url}${token ? ' (open it as /?token=<FERRY_UI_TOKEN>)' : ''} — Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      ctx.stderr('stopping: jobs running here stop after their batches in flight…');
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
}
