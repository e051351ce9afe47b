import { describe, expect, it } from 'vitest';
import { createServerCalls } from '../../../src/engine/temporal/calls.js';

/**
 * Closing the Temporal engine: its connection may close only once no call is left that the
 * client could still retry on a timer (a retry after the close threw, uncaught, and `ferry ui`
 * exited 1 on Ctrl-C).
 */
describe('server calls', () => {
  it('drain aborts the calls in flight, stops retries, and resolves only once every call has settled', async () => {
    const calls = createServerCalls();
    let release!: () => void;
    const slow = calls.run(() => new Promise<string>((resolve) => (release = () => resolve('done'))));
    let aborted = false;
    const poll = calls.run(
      (signal) =>
        new Promise<string>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('cancelled'));
          });
        }),
    );
    const failing = calls.run(() => Promise.reject(new Error('refused')));
    await expect(failing).rejects.toThrow('refused');
    expect(calls.retrying()).toBe(true);

    let drained = false;
    const draining = calls.drain().then(() => (drained = true));
    expect(calls.retrying()).toBe(false);
    await expect(poll).rejects.toThrow('cancelled');
    expect(aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drained).toBe(false); // the slow call has not settled yet

    release();
    await expect(slow).resolves.toBe('done');
    await draining;
    expect(drained).toBe(true);
  });

  it('refuses a call once closing started, without running it', async () => {
    const calls = createServerCalls();
    await calls.drain();
    let ran = false;
    await expect(
      calls.run(async () => {
        ran = true;
        return 1;
      }),
    ).rejects.toThrow('the Temporal engine is closed');
    expect(ran).toBe(false);
  });
});
