/** How long each simulated Metal3 phase takes. Real hosts take minutes (metal3-anchors.md §5); the lab scales down. */

export interface PhaseTimings {
  registering: number;
  inspecting: number;
  preparing: number;
  provisioning: number;
  /** Deprovisioning with automated cleaning; with `automatedCleaningMode: disabled` it takes `powerChange`. */
  deprovisioning: number;
  poweringOff: number;
  deleting: number;
  /** A power-state change (online toggled, reboot). */
  powerChange: number;
  /** First retry delay after an error; doubles per consecutive error (BMO: ~2^errorCount minutes). */
  retryBackoff: number;
}

/** Seconds-scale, so `npm start` shows a whole provision/release cycle in about a minute. */
export const DEMO_TIMINGS: PhaseTimings = {
  registering: 1500,
  inspecting: 4000,
  preparing: 1500,
  provisioning: 8000,
  deprovisioning: 5000,
  poweringOff: 1000,
  deleting: 500,
  powerChange: 1000,
  retryBackoff: 2000,
};

/** Tens of milliseconds, for tests. */
export const TEST_TIMINGS: PhaseTimings = {
  registering: 20,
  inspecting: 30,
  preparing: 20,
  provisioning: 40,
  deprovisioning: 30,
  poweringOff: 20,
  deleting: 10,
  powerChange: 10,
  retryBackoff: 20,
};

/** Delay before retry number `failures` (1-based): base, 2x, 4x … capped at 32x like BMO's capped exponent. */
export function retryDelay(timings: PhaseTimings, failures: number): number {
  return timings.retryBackoff * 2 ** Math.min(Math.max(failures - 1, 0), 5);
}
