import { startUiServer } from '../ui/server.js';
import { generateToken, isLoopback } from '../ui/security.js';
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
 * that starts jobs and rolls them back is not served to the network without a token. Without one it
 * makes its own, as Jupyter does: loopback is open to every local user and process (a shared box, a
 * container's sidecar), and the console shows users' rejected rows and rolls jobs back. That token is
 * printed in the URL to open, and nowhere else; a given FERRY_UI_TOKEN is never printed.
 */
export async function uiCommand(ctx: CliContext, options: UiCommandOptions): Promise<void> {
  const port = wholeNumber(options.port, '--port', 0, 65535);
  const maxUploadMb = positiveNumber(options.maxUpload, '--max-upload', 'a size in MB');
  const given = ctx.env['FERRY_UI_TOKEN'] || undefined;
  if (!isLoopback(options.host) && !given) {
    throw new CliExit(
      EXIT_INVALID,
      `refusing to serve the console on ${options.host} without a token: set FERRY_UI_TOKEN (every request must then present it), or bind 127.0.0.1`,
    );
  }
  if (given !== undefined && given.length < 16) throw new CliExit(EXIT_INVALID, 'FERRY_UI_TOKEN must be at least 16 characters');
  const token = given ?? generateToken();
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
  // Ctrl-C is taken before the URL is printed: a signal sent as soon as it is seen killed the process
  // (no handler yet), jobs and all, instead of stopping them.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      ctx.stderr('stopping: jobs running here stop after their batches in flight…');
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  ctx.stdout(`ferry ui: ${given ? `${server.url} (open it as /?token=<FERRY_UI_TOKEN>)` : `${server.url}?token=${token}`} — Ctrl-C stops it`);
  await stopped;
  await server.close();
}
