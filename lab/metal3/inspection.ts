/** `inspecting` (fills status.hardware and HardwareData from the host's lab hardware profile) → `preparing` → `available`. */
import { HARDWARE_PROFILE_ANNOTATION, hardwareFor, profileNamed } from '../fleet/profiles.js';
import { INSPECT_ANNOTATION, annotationsOf } from './annotations.js';
import { healthyStatus, operationEnded, withState } from './hostStatus.js';
import { waitForSlot } from './slotGate.js';
import type { HostView, ReconcileDeps, Step } from './step.js';
import { ProvisioningState as S } from './types.js';

export function reconcileInspecting(v: HostView, deps: ReconcileDeps): Step {
  const delayed = waitForSlot(v, deps);
  if (delayed) return delayed;
  const left = deps.clock.remaining(v.name, 'inspecting|active', deps.timings.inspecting);
  if (left > 0) return { status: v.status, requeueMs: left };
  const profile = profileNamed(annotationsOf(v.host)[HARDWARE_PROFILE_ANNOTATION]);
  const hardware = hardwareFor(profile, v.name, {
    rack: v.host.metadata.labels?.rack,
    bootMACAddress: v.host.spec.bootMACAddress,
  });
  const next = withState(operationEnded({ ...v.status, hardware }, 'inspect', deps.now()), S.Preparing);
  // A requested re-inspection (`inspect.metal3.io: ""`) is served: BMO removes the annotation.
  const served = annotationsOf(v.host)[INSPECT_ANNOTATION] === '' ? { metadata: { annotations: { [INSPECT_ANNOTATION]: null } } } : {};
  return { status: next, hardware, requeueMs: 0, ...served };
}

export function reconcilePreparing(v: HostView, deps: ReconcileDeps): Step {
  const left = deps.clock.remaining(v.name, 'preparing', deps.timings.preparing);
  if (left > 0) return { requeueMs: left };
  const next = withState(v.status, S.Available);
  return { status: { ...next, operationalStatus: healthyStatus(next) }, requeueMs: 0 };
}
