/**
 * The leader-election record on a `coordination.k8s.io/v1` Lease, as client-go's LeaseLock writes
 * it: holderIdentity, leaseDurationSeconds, acquireTime, renewTime (MicroTime), leaseTransitions.
 */
import type { V1Lease } from '@kubernetes/client-node';

export interface LeaderRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: Date;
  renewTime?: Date;
  leaseTransitions: number;
}

export function recordOf(lease: V1Lease | undefined): LeaderRecord | undefined {
  const spec = lease?.spec;
  if (!spec) return undefined;
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: toDate(spec.acquireTime),
    renewTime: toDate(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/** Same holder and timestamps: client-go compares the raw record to decide whether it changed. */
export function sameRecord(a: LeaderRecord | undefined, b: LeaderRecord | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The Lease body for `record`, keeping the metadata (resourceVersion guards the write). Dates go out
 * as MicroTime strings: the generated client serializes V1MicroTime as a plain value.
 */
export function leaseBody(name: string, namespace: string, record: LeaderRecord, from?: V1Lease): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { ...(from?.metadata ?? {}), name, namespace },
    spec: {
      holderIdentity: record.holderIdentity,
      leaseDurationSeconds: record.leaseDurationSeconds,
      acquireTime: microTime(record.acquireTime) as never,
      renewTime: microTime(record.renewTime) as never,
      leaseTransitions: record.leaseTransitions,
    },
  };
}

function microTime(d: Date | undefined): string | undefined {
  return d ? d.toISOString().replace(/Z$/, '000Z') : undefined;
}

function toDate(v: unknown): Date | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? undefined : d;
}
