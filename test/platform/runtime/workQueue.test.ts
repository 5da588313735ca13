import { afterEach, describe, expect, it } from '@jest/globals';
import { WorkQueue } from '../../../platform/runtime/workQueue.js';
import { sleep, waitFor } from '../../support/waitFor.js';

describe('WorkQueue', () => {
  let queue: WorkQueue | undefined;
  afterEach(async () => queue?.stop());

  it('never runs one key twice at once, and reruns it once when added while running', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    queue = new WorkQueue(async () => {
      running++; runs++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(30);
      running--;
    });
    queue.add('a');
    await sleep(5);
    queue.add('a'); queue.add('a'); queue.add('a');
    await sleep(100);
    expect(maxRunning).toBe(1);
    expect(runs).toBe(2);
  });

  it('requeues after the delay a handler asks for, and the earlier schedule wins', async () => {
    const times: number[] = [];
    const start = Date.now();
    // The handler asks for a minute; a later add asks for 40 ms. Only the earlier one can run within the wait
    // (a starved event loop delays both, so no wall-clock bound is asserted beyond the minute).
    const handlerAsksMs = 60_000;
    queue = new WorkQueue(async () => {
      times.push(Date.now() - start);
      return times.length === 1 ? { requeueAfterMs: handlerAsksMs } : undefined;
    });
    queue.add('a');
    await waitFor(() => times.length === 1, { what: 'the first run' });
    queue.add('a', 40);
    await waitFor(() => times.length === 2, { what: 'the run the 40 ms schedule asked for', timeoutMs: 20_000 });
    expect(times[1]).toBeLessThan(handlerAsksMs);
  });

  it('backs off exponentially while the handler throws', async () => {
    const times: number[] = [];
    const start = Date.now();
    queue = new WorkQueue(async () => {
      times.push(Date.now() - start);
      throw new Error('boom');
    }, { errorBackoff: { initialMs: 20, maxMs: 1000 }, onError: () => undefined });
    queue.add('a');
    await waitFor(() => times.length >= 4, { what: 'four failed runs' });
    // Each wait at least doubles (20, 40, 80 ms): a busy machine only makes the gaps longer, and a fixed
    // 20 ms retry would fail the third.
    const gaps = times.slice(1, 4).map((t, i) => t - times[i]);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(20 * 2 ** i - 2));
  });

  it('forget cancels a pending timer; stop waits for the running handler', async () => {
    let runs = 0;
    queue = new WorkQueue(async () => { runs++; await sleep(20); });
    queue.add('a', 30);
    queue.forget('a');
    await sleep(60);
    expect(runs).toBe(0);
    queue.add('b');
    await sleep(5);
    await queue.stop();
    expect(runs).toBe(1);
  });
});
