/** The PROVISIONING_LIMIT gate used by the inspecting, provisioning and deprovisioning handlers. */
import { healthyStatus } from './hostStatus.js';
import type { HostView, ReconcileDeps, Step } from './step.js';

/**
 * Undefined when the host may work (it holds a slot; a `delayed` status is lifted in `v.status`); otherwise the
 * step that marks it `delayed` and waits to be woken when a slot frees.
 */
export function waitForSlot(v: HostView, deps: ReconcileDeps): Step | undefined {
  if (deps.slots.acquire(v.name)) {
    if (v.status.operationalStatus === 'delayed') v.status = { ...v.status, operationalStatus: healthyStatus(v.status) };
    return undefined;
  }
  return { status: { ...v.status, operationalStatus: 'delayed' } };
}
