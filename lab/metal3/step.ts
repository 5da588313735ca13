/** What one reconcile of a host decided, and the shared dependencies of the state handlers. */
import type { Logger } from '../../plugin/contract.js';
import type { FaultBook, FaultPlan } from './faults.js';
import type { ProvisioningSlots } from './provisioningSlots.js';
import type { SecretReader } from './provisioningChecks.js';
import type { PhaseTimings } from './timings.js';
import type { BareMetalHost, BareMetalHostStatus, HardwareDetails } from './types.js';

export interface Step {
  /** Desired status; written through /status only when it differs from the current one. */
  status?: BareMetalHostStatus;
  /** Metadata merge patch (finalizers, annotations), written before the status. */
  metadata?: Record<string, unknown>;
  /** Inspection result to store as the host's HardwareData. */
  hardware?: HardwareDetails;
  deleteHardwareData?: boolean;
  /** Reconcile again after this many ms. */
  requeueMs?: number;
  /** Side effects that must happen only once the writes succeeded (fault counters, power events). */
  afterCommit?: Array<() => void>;
}

export interface PowerEvent {
  host: string;
  namespace: string;
  poweredOn: boolean;
  /** Why the power changed: `online` follows spec.online, `reboot` is a reboot.metal3.io power cycle. */
  reason: 'online' | 'reboot' | 'provisioned' | 'deprovisioned' | 'delete';
}

/**
 * Remembers when a host entered a timed phase (in memory: a restarted simulator restarts the phase timers). A phase
 * is identified by a key such as `inspecting|active`; a new key restarts the clock.
 */
export class PhaseClock {
  private readonly entered = new Map<string, { key: string; at: number }>();

  constructor(private readonly now: () => number) {}

  /** Milliseconds left of `durationMs` in phase `key` for `host` (starting the phase now if it is new). */
  remaining(host: string, key: string, durationMs: number): number {
    let entry = this.entered.get(host);
    if (!entry || entry.key !== key) {
      entry = { key, at: this.now() };
      this.entered.set(host, entry);
    }
    return Math.max(0, entry.at + durationMs - this.now());
  }

  forget(host: string): void {
    this.entered.delete(host);
  }
}

export interface ReconcileDeps {
  timings: PhaseTimings;
  /** 0 = unlimited. */
  maxProvisioningRetries: number;
  faults: FaultBook;
  slots: ProvisioningSlots;
  clock: PhaseClock;
  readSecret: SecretReader;
  now: () => Date;
  logger: Logger;
  powerChanged: (event: PowerEvent) => void;
  /** Hosts powered off by a reboot request and not yet back on. */
  rebooting: Set<string>;
}

/** The host plus what every handler needs to know about it. */
export interface HostView {
  host: BareMetalHost;
  name: string;
  status: BareMetalHostStatus;
  plan: FaultPlan;
  deleting: boolean;
}
