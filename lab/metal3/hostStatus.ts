/** Building BareMetalHost status values: transitions, errors, operation history and metav1 conditions. */
import { randomUUID } from 'node:crypto';
import type {
  BareMetalHost, BareMetalHostStatus, ErrorType, Metav1Condition, OperationalStatus,
} from './types.js';
import { ProvisioningState as S } from './types.js';

export type Operation = 'register' | 'inspect' | 'provision' | 'deprovision';

/** The status of a host the operator has not seen yet. */
export function emptyStatus(): BareMetalHostStatus {
  return {
    operationalStatus: '',
    errorMessage: '',
    errorCount: 0,
    provisioningFailCount: 0,
    poweredOn: false,
    provisioning: { state: S.None, ID: '' },
  };
}

export function currentStatus(host: BareMetalHost): BareMetalHostStatus {
  const s = host.status;
  if (!s || !s.provisioning) return emptyStatus();
  return structuredClone(s);
}

export function newIronicId(): string {
  return randomUUID();
}

/** operationalStatus for a host without a pending error. */
export function healthyStatus(s: BareMetalHostStatus): OperationalStatus {
  return s.errorType ? 'error' : 'OK';
}

export function withError(s: BareMetalHostStatus, errorType: ErrorType, message: string): BareMetalHostStatus {
  return { ...s, operationalStatus: 'error', errorType, errorMessage: message, errorCount: s.errorCount + 1 };
}

export function withoutError(s: BareMetalHostStatus): BareMetalHostStatus {
  const { errorType: _dropped, ...rest } = s;
  return { ...rest, operationalStatus: s.operationalStatus === 'detached' ? 'detached' : 'OK', errorMessage: '', errorCount: 0 };
}

export function withState(s: BareMetalHostStatus, state: string): BareMetalHostStatus {
  return { ...s, provisioning: { ...s.provisioning, state } };
}

export function operationStarted(s: BareMetalHostStatus, op: Operation, now: Date): BareMetalHostStatus {
  return { ...s, operationHistory: { ...s.operationHistory, [op]: { start: now.toISOString(), end: null } } };
}

export function operationEnded(s: BareMetalHostStatus, op: Operation, now: Date): BareMetalHostStatus {
  const prev = s.operationHistory?.[op];
  return {
    ...s,
    operationHistory: { ...s.operationHistory, [op]: { start: prev?.start ?? now.toISOString(), end: now.toISOString() } },
  };
}

const PROGRESS_REASON: Record<string, string> = {
  [S.Registering]: 'Registering', [S.Inspecting]: 'Inspecting', [S.Preparing]: 'Preparing',
  [S.Provisioning]: 'Provisioning', [S.Deprovisioning]: 'Deprovisioning',
  [S.PoweringOffBeforeDelete]: 'Deprovisioning', [S.Deleting]: 'Deprovisioning',
};

function condition(type: string, ok: boolean, reason: string, message: string): Omit<Metav1Condition, 'lastTransitionTime'> {
  return { type, status: ok ? 'True' : 'False', reason, message };
}

/** The new-style conditions (Manageable, Provisioned, Ready, AvailableForProvisioning, Progressing, Healthy). */
export function withConditions(s: BareMetalHostStatus, generation: number | undefined, now: Date): BareMetalHostStatus {
  const state = s.provisioning.state;
  const detached = s.operationalStatus === 'detached';
  const manageable = ![S.None, S.Unmanaged, S.Registering].includes(state as never) && !detached;
  const provisioned = state === S.Provisioned || state === S.ExternallyProvisioned;
  const healthy = !s.errorType;
  const progressing = PROGRESS_REASON[state];
  const wanted = [
    condition('Manageable', manageable, detached ? 'Detached' : manageable ? 'Registered' : 'Registering', ''),
    condition('Provisioned', provisioned, provisioned ? 'Provisioned' : 'Provisioning', ''),
    condition('Ready', healthy && (provisioned || state === S.Available), healthy ? 'Ready' : 'CriticalError', ''),
    condition('AvailableForProvisioning', healthy && state === S.Available, state === S.Available ? 'Available' : 'NotAvailable', ''),
    condition('Progressing', progressing !== undefined, progressing ?? 'Idle', ''),
    condition('Healthy', healthy, healthy ? 'Healthy' : 'CriticalError', healthy ? '' : s.errorType ?? ''),
  ];
  const previous = new Map((s.conditions ?? []).map((c) => [c.type, c]));
  const conditions = wanted.map((c): Metav1Condition => {
    const prev = previous.get(c.type);
    const lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime : now.toISOString();
    return { ...c, lastTransitionTime, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
  });
  return { ...s, conditions };
}

/** JSON with sorted keys and undefined dropped, so equal values compare equal whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** True when two statuses differ in anything but lastUpdated / condition timestamps. */
export function statusChanged(a: BareMetalHostStatus | undefined, b: BareMetalHostStatus): boolean {
  const strip = (s: BareMetalHostStatus | undefined) =>
    s && canonical({ ...s, lastUpdated: undefined, conditions: s.conditions?.map((c) => ({ ...c, lastTransitionTime: '' })) });
  return strip(a) !== strip(b);
}
