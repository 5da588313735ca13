/** Maps a claimed BareMetalHost to the contract's NodeState (pure). */
import type { MachineRef, NodePhase, NodeState } from '../../plugin/contract.js';
import { ANNOTATION, LABEL } from './names.js';
import type { BareMetalHost } from './types.js';

export function hostState(host: BareMetalHost): string {
  return host.status?.provisioning?.state ?? '';
}

/** BMO reports failures as operationalStatus `error` plus errorType/errorMessage; there is no `error` state. */
export function hostError(host: BareMetalHost): { reason: string; message: string } | undefined {
  const status = host.status;
  if (!status) return undefined;
  if (status.operationalStatus !== 'error' && !status.errorType) return undefined;
  return { reason: status.errorType || 'error', message: status.errorMessage ?? '' };
}

export function nodePhase(host: BareMetalHost): NodePhase {
  if (host.metadata.annotations?.[ANNOTATION.releasing] !== undefined) return 'Releasing';
  // A failed provision returns the host to `available` WITH the error: that is Failed, not Claimed.
  if (hostError(host)) return 'Failed';
  if (host.status?.operationalStatus === 'delayed') return 'Delayed';
  switch (hostState(host)) {
    case 'provisioned':
      return host.status?.poweredOn ? 'Provisioned' : 'Provisioning';
    case 'provisioning':
    case 'deprovisioning': // BMO cancelling a provision before it retries
      return 'Provisioning';
    default:
      return 'Claimed';
  }
}

/** The contract's name for a BareMetalHost. */
export function machineOf(host: BareMetalHost): MachineRef {
  return { kind: 'BareMetalHost', name: host.metadata.name, namespace: host.metadata.namespace ?? '' };
}

export function toNodeState(host: BareMetalHost): NodeState {
  const annotations = host.metadata.annotations ?? {};
  const consumer = host.spec.consumerRef;
  const error = hostError(host);
  const phase = nodePhase(host);
  return {
    claimUid: host.metadata.labels?.[LABEL.nodeClaim] ?? consumer?.uid ?? '',
    claimName: annotations[ANNOTATION.claimName] ?? consumer?.name ?? '',
    claimNamespace: annotations[ANNOTATION.claimNamespace] ?? consumer?.namespace ?? '',
    nodeType: annotations[ANNOTATION.nodeType] ?? '',
    machine: machineOf(host),
    phase,
    providerState: hostState(host),
    poweredOn: host.status?.poweredOn === true,
    ...(annotations[ANNOTATION.allocatedIp] ? { ip: annotations[ANNOTATION.allocatedIp] } : {}),
    ...(error && (phase === 'Failed' || phase === 'Releasing') ? { reason: error.reason, message: error.message } : {}),
  };
}
