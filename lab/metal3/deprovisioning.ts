/** `deprovisioning` (Ironic automated cleaning unless disabled) → `available`, or on delete → `powering off before delete`. */
import { operationEnded, withError, withState, withoutError } from './hostStatus.js';
import { waitForSlot } from './slotGate.js';
import type { HostView, ReconcileDeps, Step } from './step.js';
import { retryDelay } from './timings.js';
import { ProvisioningState as S, type BareMetalHostStatus } from './types.js';

const CLEANING_FAILED = 'Cleaning failed: ';
/** BMO abandons clean-up of a deleted host after this many failed attempts. */
const DELETE_CLEANING_ATTEMPTS = 3;

export function reconcileDeprovisioning(v: HostView, deps: ReconcileDeps): Step {
  const delayed = waitForSlot(v, deps);
  if (delayed) return delayed;
  const s = v.status;
  const cleaning = v.host.spec.automatedCleaningMode !== 'disabled';
  const cleaningFailures = s.errorMessage.startsWith(CLEANING_FAILED) ? s.errorCount : 0;
  const duration = !cleaning
    ? deps.timings.powerChange
    : cleaningFailures > 0 ? retryDelay(deps.timings, cleaningFailures) : deps.timings.deprovisioning;
  const left = deps.clock.remaining(v.name, `deprovisioning|${cleaningFailures}`, duration);
  if (left > 0) return { status: s, requeueMs: left };

  const fault = cleaning ? deps.faults.pending(v.name, v.plan, 'cleaningFailure') : undefined;
  if (fault && !(v.deleting && cleaningFailures >= DELETE_CLEANING_ATTEMPTS)) {
    const detail = fault.message ?? 'Erase device /dev/nvme0n1 failed: metadata erase timed out';
    const failed = withError(s, 'provisioning error', `${CLEANING_FAILED}${detail}`);
    return {
      status: failed,
      requeueMs: retryDelay(deps.timings, failed.errorCount),
      afterCommit: [() => deps.faults.consume(v.name, v.plan, 'cleaningFailure')],
    };
  }
  if (fault) {
    deps.logger.warn({ host: v.name }, `${v.name}: clean-up failed ${cleaningFailures} times; abandoning it, the host may still be running`);
  }
  const base = cleaningFailures > 0 ? withoutError(s) : s;
  let next: BareMetalHostStatus = {
    ...base,
    poweredOn: false,
    provisioning: { state: base.provisioning.state, ID: base.provisioning.ID, bootMode: base.provisioning.bootMode },
  };
  next = operationEnded(next, 'deprovision', deps.now());
  next = withState(next, v.deleting ? S.PoweringOffBeforeDelete : S.Available);
  const namespace = v.host.metadata.namespace ?? '';
  return {
    status: next,
    requeueMs: 0,
    afterCommit: s.poweredOn ? [() => deps.powerChanged({ host: v.name, namespace, poweredOn: false, reason: 'deprovisioned' })] : [],
  };
}
