import { describe, expect, it } from '@jest/globals';
import { BusyGate } from '../../../platform/runtime/busyGate.js';

/** A promise with its resolve function, to hold work open in a test. */
function held(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

describe('BusyGate', () => {
  it('is quiet at once when no work is in progress', async () => {
    const gate = new BusyGate(60_000);
    await expect(gate.quiet()).resolves.toBeUndefined();
  });

  it('keeps what waits until every piece of work in progress has finished', async () => {
    const gate = new BusyGate(60_000);
    const first = held();
    const second = held();
    const working = [gate.during(() => first.promise), gate.during(() => second.promise)];
    let quiet = false;
    const waiting = gate.quiet().then(() => (quiet = true));
    first.release();
    await working[0];
    await new Promise((r) => setImmediate(r));
    expect(quiet).toBe(false);
    second.release();
    await working[1];
    await waiting;
    expect(quiet).toBe(true);
  });

  it('lets what waits go after the longest wait, though the work goes on', async () => {
    const gate = new BusyGate(20);
    const endless = held();
    const working = gate.during(() => endless.promise);
    await expect(gate.quiet()).resolves.toBeUndefined();
    endless.release();
    await working;
  });

  it('passes the work\'s result and failure through, and is quiet after a failure', async () => {
    const gate = new BusyGate(60_000);
    await expect(gate.during(async () => 42)).resolves.toBe(42);
    await expect(gate.during(async () => { throw new Error('create refused'); })).rejects.toThrow('create refused');
    await expect(gate.quiet()).resolves.toBeUndefined();
  });
});
