/**
 * One reconcile of one BareMetalHost: the checks BMO makes before its state machine (paused, finalizer, deletion,
 * detached, fault hang) and then the handler of the current provisioning state. Decides; never writes.
 */
import { detachRequest, isPaused } from './annotations.js';
import { reconcileDeletion } from './deletion.js';
import { reconcileDeprovisioning } from './deprovisioning.js';
import { currentStatus, healthyStatus, withState } from './hostStatus.js';
import { reconcileInspecting, reconcilePreparing } from './inspection.js';
import {
  reconcileAvailable, reconcileExternallyProvisioned, reconcileProvisioned, reconcileProvisioning,
} from './provisioning.js';
import { reconcileRegistering, reconcileUnregistered } from './registration.js';
import type { HostView, ReconcileDeps, Step } from './step.js';
import { BMH_FINALIZER, ProvisioningState as S, type BareMetalHost } from './types.js';

/** States in which `baremetalhost.metal3.io/detached` takes effect without `{"force":true}`. */
const DETACHABLE = new Set<string>([S.Provisioned, S.ExternallyProvisioned, S.Ready, S.Available]);

export class HostReconciler {
  constructor(private readonly deps: ReconcileDeps) {}

  async reconcile(host: BareMetalHost): Promise<Step> {
    if (isPaused(host)) return {};
    const name = host.metadata.name;
    const deleting = Boolean(host.metadata.deletionTimestamp);
    const finalizers = host.metadata.finalizers ?? [];
    if (!deleting && !finalizers.includes(BMH_FINALIZER)) {
      return { metadata: { finalizers: [...finalizers, BMH_FINALIZER] }, requeueMs: 0 };
    }
    if (deleting && !finalizers.includes(BMH_FINALIZER)) return {};
    const plan = this.deps.faults.planFor(name, host.metadata.annotations);
    const v: HostView = { host, name, status: currentStatus(host), plan, deleting };
    if (this.deps.faults.isHanging(plan, v.status.provisioning.state)) return {};
    if (deleting) return reconcileDeletion(v, this.deps);
    const detach = this.detach(v);
    if (detach) return detach;
    return this.dispatch(v);
  }

  /** A step when the detached annotation decides what happens, otherwise undefined. */
  private detach(v: HostView): Step | undefined {
    const request = detachRequest(v.host);
    const isDetached = v.status.operationalStatus === 'detached';
    if (!request) {
      return isDetached ? { status: { ...v.status, operationalStatus: healthyStatus(v.status) }, requeueMs: 0 } : undefined;
    }
    if (isDetached) return {};
    if (request.force || DETACHABLE.has(v.status.provisioning.state)) {
      return { status: { ...v.status, operationalStatus: 'detached' } };
    }
    return undefined; // not allowed in this state: BMO carries on until the host reaches a detachable state
  }

  private dispatch(v: HostView): Step | Promise<Step> {
    switch (v.status.provisioning.state) {
      case S.None:
      case S.Unmanaged:
        return reconcileUnregistered(v, this.deps);
      case S.Registering:
        return reconcileRegistering(v, this.deps);
      case S.Inspecting:
        return reconcileInspecting(v, this.deps);
      case S.MatchProfile:
        return { status: { ...withState(v.status, S.Preparing), errorCount: 0 }, requeueMs: 0 };
      case S.Preparing:
        return reconcilePreparing(v, this.deps);
      case S.Available:
      case S.Ready:
        return reconcileAvailable(v, this.deps);
      case S.Provisioning:
        return reconcileProvisioning(v, this.deps);
      case S.Provisioned:
        return reconcileProvisioned(v, this.deps);
      case S.ExternallyProvisioned:
        return reconcileExternallyProvisioned(v, this.deps);
      case S.Deprovisioning:
        return reconcileDeprovisioning(v, this.deps);
      default:
        // `powering off before delete` / `deleting` without deletionTimestamp cannot happen.
        this.deps.logger.warn({ host: v.name, state: v.status.provisioning.state }, `${v.name}: no handler for state`);
        return {};
    }
  }
}
