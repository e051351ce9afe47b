import { expect, it } from 'vitest';
import { startConsole } from '../helpers/browser.js';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { taskQueue, temporalConfig } from '../helpers/temporal-workers.js';

/**
 * Closing the Temporal client while one of its calls waits to be retried. The client retries a
 * failed call on a timer; when that timer fired after the connection had closed, it threw
 * "Channel has been shut down", uncaught, and `ferry ui` exited 1 on Ctrl-C (CI saw it once, with
 * the jobs list being polled as the console stopped). A paused server makes every call fail and
 * retry for about 20 s, so the Ctrl-C below always lands while a retry is pending.
 */
describeTemporal('closing the Temporal client with a call waiting to be retried', { timeout: 120_000 }, () => {
  const server = useTemporalServer();

  it('ferry ui stops on Ctrl-C with exit 0 while its jobs list is being retried against a server that went away', async () => {
    const p = new TestProject();
    try {
      expect(p.ferry('init', '--engine', 'temporal').code).toBe(0);
      p.write('ferry.yaml', temporalConfig(server().address, taskQueue('close')));
      const ui = await startConsole(p.dir);
      expect((await fetch(`${ui.url}api/jobs`)).status).toBe(200); // connected

      await server().pause();
      const listing = fetch(`${ui.url}api/jobs`).catch((err: unknown) => err);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the list call has failed, and waits to be retried

      const started = Date.now();
      const code = await ui.stop();
      expect(code, `ferry ui stderr:\n${ui.stderr()}`).toBe(0);
      expect(ui.stderr()).not.toContain('Channel has been shut down');
      // It stops without waiting out the client's retries (10 attempts, about 20 s).
      expect(Date.now() - started).toBeLessThan(10_000);
      await listing;
    } finally {
      p.cleanup();
    }
  });
});
