/**
 * When the running test (or hook) times out in Jest, so that the shared waits end first and say what
 * they waited for instead of Jest's bare "Exceeded timeout". test/support/deadlineEnvironment.ts records
 * the deadline as each test or hook starts (its own timeout, else the config's testTimeout).
 */

/** How long before the test's Jest timeout a wait gives up: room to throw, report and run afterEach. */
export const WAIT_MARGIN_MS = 3_000;
/** The property of the test realm's global holding the deadline (epoch ms), set by the environment. */
export const DEADLINE_KEY = '__metal3TestDeadlineMs';

/** The epoch ms by which a wait must end, or undefined outside a running test or hook. */
export function testDeadline(): number | undefined {
  const at = (globalThis as Record<string, unknown>)[DEADLINE_KEY];
  return typeof at === 'number' ? at - WAIT_MARGIN_MS : undefined;
}

/** `Date.now() + ms`, but never past the running test's deadline. */
export function deadlineIn(ms: number): number {
  return Math.min(Date.now() + ms, testDeadline() ?? Infinity);
}
