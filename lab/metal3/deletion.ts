/**
 * A host with deletionTimestamp: provisioned hosts deprovision first, then `powering off before delete` →
 * `deleting` → HardwareData deleted and the finalizer removed. Unregistered and detached hosts skip straight to deleting.
 */
import { reconcileDeprovisioning } from './deprovisioning.js';
import { withState } from './hostStatus.js';
import { startDeprovisioning } from './provisioning.js';
import type { HostView, ReconcileDeps, Step } from './step.js';
import { BMH_FINALIZER, ProvisioningState as S } from './types.js';

export function reconcileDeletion(v: HostView, deps: ReconcileDeps): Step {
  const s = v.status;
  const state = s.provisioning.state;
  const detached = s.operationalStatus === 'detached';
  const namespace = v.host.metadata.namespace ?? '';
  switch (state) {
    case S.Deleting: {
      const left = deps.clock.remaining(v.name, 'deleting', deps.timings.deleting);
      if (left > 0) return { requeueMs: left };
      const others = (v.host.metadata.finalizers ?? []).filter((f) => f !== BMH_FINALIZER);
      return { deleteHardwareData: true, metadata: { finalizers: others.length > 0 ? others : null } };
    }
    case S.PoweringOffBeforeDelete: {
      const left = deps.clock.remaining(v.name, 'powering-off', deps.timings.poweringOff);
      if (left > 0) return { requeueMs: left };
      return {
        status: { ...withState(s, S.Deleting), poweredOn: false },
        requeueMs: 0,
        afterCommit: s.poweredOn ? [() => deps.powerChanged({ host: v.name, namespace, poweredOn: false, reason: 'delete' })] : [],
      };
    }
    case S.Deprovisioning:
      return reconcileDeprovisioning(v, deps);
    case S.Provisioning:
    case S.Provisioned:
      return detached ? { status: withState(s, S.Deleting), requeueMs: 0 } : startDeprovisioning(v, deps, s);
    case S.None:
    case S.Unmanaged:
    case S.Registering:
      return { status: withState(s, S.Deleting), requeueMs: 0 };
    default:
      return { status: withState(s, detached ? S.Deleting : S.PoweringOffBeforeDelete), requeueMs: 0 };
  }
}
