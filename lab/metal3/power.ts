/**
 * Power in stable states: `poweredOn` follows `spec.online`, and a `reboot.metal3.io[/<key>]` annotation power
 * cycles the host (off, annotation removed, on again), as BMO's manageHostPower does.
 */
import { rebootRequests } from './annotations.js';
import type { HostView, ReconcileDeps, Step } from './step.js';
import type { BareMetalHostStatus } from './types.js';

export function syncPower(v: HostView, deps: ReconcileDeps, status: BareMetalHostStatus): Step {
  const requests = rebootRequests(v.host);
  const namespace = v.host.metadata.namespace ?? '';
  if (requests.length > 0 && status.poweredOn) {
    const left = deps.clock.remaining(v.name, 'reboot|off', deps.timings.powerChange);
    if (left > 0) return { status, requeueMs: left };
    return {
      status: { ...status, poweredOn: false },
      requeueMs: 0,
      afterCommit: [() => {
        deps.rebooting.add(v.name);
        deps.powerChanged({ host: v.name, namespace, poweredOn: false, reason: 'reboot' });
      }],
    };
  }
  if (requests.length > 0) {
    // Off: the request is served; clear it and let `online` decide whether to power back on.
    return { status, metadata: { annotations: Object.fromEntries(requests.map((k) => [k, null])) }, requeueMs: 0 };
  }
  const online = v.host.spec.online === true;
  if (status.poweredOn !== online) {
    const left = deps.clock.remaining(v.name, `power|${online}`, deps.timings.powerChange);
    if (left > 0) return { status, requeueMs: left };
    const reason = deps.rebooting.has(v.name) ? 'reboot' : 'online';
    return {
      status: { ...status, poweredOn: online },
      afterCommit: [() => {
        deps.rebooting.delete(v.name);
        deps.powerChanged({ host: v.name, namespace, poweredOn: online, reason });
      }],
    };
  }
  return { status };
}
