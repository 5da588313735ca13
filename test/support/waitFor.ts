/**
 * The one way tests wait: `waitFor(probe, { what, timeoutMs, everyMs })` polls `probe` until it
 * returns a truthy value and resolves to that value. A probe that throws is polled again; on
 * timeout the error names `what` (or the probe's source) and the last error the probe threw.
 */
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
  const deadline = Date.now() + timeoutMs;
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
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${subject}${last ? `: ${String(last)}` : ''}`);
    }
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
