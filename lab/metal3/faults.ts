/**
 * Per-host fault injection. A plan comes from `Metal3Simulator.setFaultPlan` or from the annotation
 * `lab.metal3.io/fault` (JSON FaultPlan) so chaos tests and kubectl can inject too; an explicit plan wins.
 */
import type { Logger } from '../../plugin/contract.js';

export const FAULT_ANNOTATION = 'lab.metal3.io/fault';

/** `times` omitted: every attempt fails. */
export interface FaultSpec { times?: number; message?: string }

export interface FaultPlan {
  /** Registration fails as if the BMC did not answer (errorType `registration error`). */
  bmcUnreachable?: boolean | FaultSpec;
  /** Ironic's deploy fails (errorType `provisioning error`), e.g. message `Image checksum mismatch`. */
  provisioningError?: boolean | FaultSpec;
  /** Automated cleaning fails while deprovisioning; the host stays in deprovisioning and retries. */
  cleaningFailure?: boolean | FaultSpec;
  /** No progress at all, or only once the host is in `state`. */
  hang?: boolean | { state?: string };
}

export type FaultKind = 'bmcUnreachable' | 'provisioningError' | 'cleaningFailure';

const KINDS: FaultKind[] = ['bmcUnreachable', 'provisioningError', 'cleaningFailure'];

/** Parses the annotation value; throws an Error naming the annotation when it is not a FaultPlan. */
export function parseFaultPlan(value: string): FaultPlan {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (e) {
    throw new Error(`annotation ${FAULT_ANNOTATION} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`annotation ${FAULT_ANNOTATION} must be a JSON object`);
  }
  const known = new Set<string>([...KINDS, 'hang']);
  for (const [key, v] of Object.entries(parsed)) {
    if (!known.has(key)) throw new Error(`annotation ${FAULT_ANNOTATION}: unknown fault "${key}"`);
    const ok = typeof v === 'boolean' || (typeof v === 'object' && v !== null && !Array.isArray(v));
    if (!ok) throw new Error(`annotation ${FAULT_ANNOTATION}: "${key}" must be true/false or an object`);
    const times = (v as FaultSpec).times;
    if (typeof v === 'object' && times !== undefined && !(Number.isInteger(times) && times >= 0)) {
      throw new Error(`annotation ${FAULT_ANNOTATION}: "${key}.times" must be a non-negative integer`);
    }
  }
  return parsed as FaultPlan;
}

/** Tracks plans and how many times each fault has fired per host. Counts reset when a host's plan changes. */
export class FaultBook {
  private readonly explicit = new Map<string, FaultPlan>();
  private readonly fired = new Map<string, number>();
  private readonly warnedValues = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  set(host: string, plan: FaultPlan | undefined): void {
    if (plan) this.explicit.set(host, plan);
    else this.explicit.delete(host);
  }

  forget(host: string): void {
    this.explicit.delete(host);
    this.warnedValues.delete(host);
    for (const key of [...this.fired.keys()]) if (key.startsWith(`${host}\u0000`)) this.fired.delete(key);
  }

  /** The plan in force for a host given its annotations. */
  planFor(host: string, annotations: Record<string, string> | undefined): FaultPlan {
    const explicit = this.explicit.get(host);
    if (explicit) return explicit;
    const raw = annotations?.[FAULT_ANNOTATION];
    if (!raw) return {};
    try {
      return parseFaultPlan(raw);
    } catch (e) {
      if (this.warnedValues.get(host) !== raw) {
        this.warnedValues.set(host, raw);
        this.logger.warn({ host }, `BareMetalHost ${host}: ${(e as Error).message}; ignoring it`);
      }
      return {};
    }
  }

  isHanging(plan: FaultPlan, state: string): boolean {
    if (!plan.hang) return false;
    if (plan.hang === true) return true;
    return plan.hang.state === undefined || plan.hang.state === state;
  }

  /** The fault's message if it fires on this attempt (not yet counted; call `consume` once the attempt is written). */
  pending(host: string, plan: FaultPlan, kind: FaultKind): { message?: string } | undefined {
    const spec = plan[kind];
    if (!spec) return undefined;
    const { times, message } = spec === true ? ({} as FaultSpec) : spec;
    if (times !== undefined && (this.fired.get(this.key(host, plan, kind)) ?? 0) >= times) return undefined;
    return { message };
  }

  consume(host: string, plan: FaultPlan, kind: FaultKind): void {
    const key = this.key(host, plan, kind);
    this.fired.set(key, (this.fired.get(key) ?? 0) + 1);
  }

  private key(host: string, plan: FaultPlan, kind: FaultKind): string {
    return `${host}\u0000${kind}\u0000${JSON.stringify(plan[kind])}`;
  }
}
