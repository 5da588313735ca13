/**
 * `available` → `provisioning` → `provisioned`, BMO's provisioning validation, failure accounting
 * (provisioningFailCount, max retries) and the way back through `deprovisioning` when the image is cleared.
 */
import { INSPECT_ANNOTATION, annotationsOf } from './annotations.js';
import { checkDataSecrets, checkImage, checkRootDeviceHints } from './provisioningChecks.js';
import { operationEnded, operationStarted, withError, withState, withoutError } from './hostStatus.js';
import { syncPower } from './power.js';
import { waitForSlot } from './slotGate.js';
import type { HostView, ReconcileDeps, Step } from './step.js';
import { retryDelay } from './timings.js';
import { ProvisioningState as S, type BareMetalHostSpec, type BareMetalHostStatus, type BmhImage } from './types.js';

function sameImage(a: BmhImage | undefined, b: BmhImage | undefined): boolean {
  return (a?.url ?? '') === (b?.url ?? '') && (a?.checksum ?? '') === (b?.checksum ?? '');
}

function wantsDeploy(spec: BareMetalHostSpec): boolean {
  return Boolean(spec.image?.url || spec.customDeploy?.method);
}

export function startDeprovisioning(v: HostView, deps: ReconcileDeps, status: BareMetalHostStatus): Step {
  return { status: operationStarted(withState(status, S.Deprovisioning), 'deprovision', deps.now()), requeueMs: 0 };
}

export function reconcileAvailable(v: HostView, deps: ReconcileDeps): Step {
  const { spec } = v.host;
  let s = v.status;
  if (spec.externallyProvisioned) return { status: withState(s, S.ExternallyProvisioned), requeueMs: 0 };
  if (annotationsOf(v.host)[INSPECT_ANNOTATION] === '') {
    return { status: operationStarted(withState(s, S.Inspecting), 'inspect', deps.now()), requeueMs: 0 };
  }
  if (!wantsDeploy(spec)) {
    // The consumer gave up on the image: a clean host again.
    if (s.errorType === 'provisioning error' || s.provisioningFailCount) s = { ...withoutError(s), provisioningFailCount: 0 };
    return syncPower(v, deps, s);
  }
  const changed = !sameImage(spec.image, s.lastAttemptedImage);
  if (changed && (s.provisioningFailCount || s.errorType === 'provisioning error')) {
    s = { ...withoutError(s), provisioningFailCount: 0 };
  }
  if (!spec.online) return syncPower(v, deps, s);
  const failures = s.provisioningFailCount ?? 0;
  const max = deps.maxProvisioningRetries;
  if (max > 0 && failures >= max) return syncPower(v, deps, s); // gave up until the image changes
  if (failures > 0) {
    const left = deps.clock.remaining(v.name, `available|retry|${failures}`, retryDelay(deps.timings, failures));
    if (left > 0) return { status: s, requeueMs: left };
  }
  const next = withState({ ...s, lastAttemptedImage: spec.image ? { ...spec.image } : undefined }, S.Provisioning);
  return { status: operationStarted(next, 'provision', deps.now()), requeueMs: 0 };
}

function fail(v: HostView, deps: ReconcileDeps, message: string, afterCommit?: Array<() => void>): Step {
  let next = withError(v.status, 'provisioning error', message);
  next = { ...next, provisioningFailCount: (v.status.provisioningFailCount ?? 0) + 1 };
  next = operationEnded(next, 'provision', deps.now());
  return { ...startDeprovisioning(v, deps, next), afterCommit };
}

export async function reconcileProvisioning(v: HostView, deps: ReconcileDeps): Promise<Step> {
  const { spec } = v.host;
  const cancelled = !spec.customDeploy?.method && (!spec.image?.url || !sameImage(spec.image, v.status.lastAttemptedImage));
  if (cancelled) return startDeprovisioning(v, deps, v.status);
  const delayed = waitForSlot(v, deps);
  if (delayed) return delayed;
  const problem = checkImage(v.host) ?? (await checkDataSecrets(v.host, deps.readSecret)) ?? checkRootDeviceHints(v.host);
  if (problem) return fail(v, deps, problem);
  const left = deps.clock.remaining(v.name, 'provisioning|active', deps.timings.provisioning);
  if (left > 0) return { status: v.status, requeueMs: left };
  const fault = deps.faults.pending(v.name, v.plan, 'provisioningError');
  if (fault) {
    const detail = fault.message ?? 'Image checksum mismatch';
    const message = `Image provisioning failed: Deploy step deploy.write_image failed on node ${v.status.provisioning.ID}. ${detail}`;
    return fail(v, deps, message, [() => deps.faults.consume(v.name, v.plan, 'provisioningError')]);
  }
  const online = spec.online === true;
  let next: BareMetalHostStatus = { ...withoutError(v.status), provisioningFailCount: 0, poweredOn: online };
  next.provisioning = {
    state: S.Provisioned,
    ID: next.provisioning.ID,
    bootMode: spec.bootMode ?? 'UEFI',
    ...(spec.image ? { image: { ...spec.image } } : {}),
    ...(spec.rootDeviceHints ? { rootDeviceHints: { ...spec.rootDeviceHints } } : {}),
    ...(spec.customDeploy ? { customDeploy: { ...spec.customDeploy } } : {}),
  };
  next = operationEnded(next, 'provision', deps.now());
  const namespace = v.host.metadata.namespace ?? '';
  return {
    status: next,
    afterCommit: online ? [() => deps.powerChanged({ host: v.name, namespace, poweredOn: true, reason: 'provisioned' })] : [],
  };
}

export function reconcileProvisioned(v: HostView, deps: ReconcileDeps): Step {
  const { spec } = v.host;
  const provisioned = v.status.provisioning;
  const stillWanted = spec.customDeploy?.method
    ? spec.customDeploy.method === provisioned.customDeploy?.method
    : Boolean(spec.image?.url) && sameImage(spec.image, provisioned.image);
  if (!stillWanted) return startDeprovisioning(v, deps, v.status);
  return syncPower(v, deps, v.status);
}

export function reconcileExternallyProvisioned(v: HostView, deps: ReconcileDeps): Step {
  if (!v.host.spec.externallyProvisioned) return { status: withState(v.status, S.Available), requeueMs: 0 };
  return syncPower(v, deps, v.status);
}
