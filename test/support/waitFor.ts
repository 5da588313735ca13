/**
 * The one way tests wait: `waitFor(probe, { what, timeoutMs, everyMs })` polls `probe` until it
 * returns a truthy value and resolves to that value. A probe that throws is polled again; on
 * timeout the error names `what` (or the probe's source) and the last error the probe threw.
 * A wait never outlasts the test it runs in: it gives up WAIT_MARGIN_MS before the test's (or hook's)
 * Jest timeout, so a hung wait reports what it waited for instead of Jest's bare "Exceeded timeout".
 */
import { testDeadline, WAIT_MARGIN_MS } from './testDeadline.js';

export interface WaitOptions {
  /** What is awaited, for the timeout message; defaults to the probe's source text. */
  what?: string;
  timeoutMs?: number;
  /** Pause between two probes. */
  everyMs?: number;
}

export const DEFAULT_WAIT_MS = 10_000;
const DEFAULT_EVERY_MS = 25;

export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { what, timeoutMs = DEFAULT_WAIT_MS, everyMs = DEFAULT_EVERY_MS }: WaitOptions = {},
): Promise<T> {
  const own = Date.now() + timeoutMs;
  const deadline = Math.min(own, testDeadline() ?? Infinity);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const subject = what ?? String(probe).replace(/\s+/g, ' ').slice(0, 200);
      const after = deadline < own ? `${timeoutMs - (own - deadline)} ms (of ${timeoutMs}: the test's Jest timeout is ${WAIT_MARGIN_MS} ms away)` : `${timeoutMs} ms`;
      throw new Error(`timed out after ${after} waiting for ${subject}${last ? `: ${String(last)}` : ''}`);
    }
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
