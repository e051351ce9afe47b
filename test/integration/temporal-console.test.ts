import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromiumPath, launchChromium, NO_CHROMIUM, startConsole, type RunningConsole } from '../helpers/browser.js';
import { buildAndRunExport, importExampleUsers, retryRejects, rollBack } from '../helpers/console-flows.js';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { startWorker, taskQueue, temporalConfig, type FerryWorker } from '../helpers/temporal-workers.js';

/**
 * The console's end-to-end flows of console.test.ts on a real Temporal server: `ferry ui` talks to
 * Temporal through the same Engine interface, and `ferry worker` runs the jobs it starts.
 */
describeTemporal(`ferry ui on Temporal, in Chromium${chromiumPath ? '' : ` (skipped: ${NO_CHROMIUM})`}`, { timeout: 240_000 }, () => {
  const server = useTemporalServer();
  let p: TestProject;
  let worker: FerryWorker;
  let ui: RunningConsole;
  let browser: Browser;
  let page: Page;
  let importJob: string;

  beforeAll(async () => {
    p = new TestProject();
    expect(p.ferry('init', '--engine', 'temporal').code).toBe(0);
    p.write('ferry.yaml', temporalConfig(server().address, taskQueue('console')));
    worker = await startWorker(p.dir);
    ui = await startConsole(p.dir);
    if (chromiumPath) {
      browser = await launchChromium();
      page = await browser.newPage();
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    const code = await ui?.stop();
    expect(code, `ferry ui stderr:\n${ui?.stderr() ?? ''}`).toBe(0);
    await worker?.stop();
    p?.cleanup();
  });

  it.skipIf(!chromiumPath)(
    'uploads the example users file, shows the dry run, imports it on a worker with progress to 100%, filters and downloads the rejects',
    async () => {
      importJob = await importExampleUsers(page, ui.url, p);
    },
  );

  it.skipIf(!chromiumPath)('retries the rejected record as a new job', async () => {
    await retryRejects(page, ui.url, importJob);
  });

  it.skipIf(!chromiumPath)('builds an export whose live count is what `ferry run` of the saved pipeline exports, runs it and downloads the file', async () => {
    await buildAndRunExport(page, ui.url, p, 'verified-users');
  });

  it.skipIf(!chromiumPath)('rolls the import back after showing what the rollback check found', async () => {
    await rollBack(page, ui.url, p, importJob);
  });
});
