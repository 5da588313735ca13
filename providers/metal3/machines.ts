/**
 * listMachines(): every BareMetalHost of the configured namespace as a provider-neutral MachineView, for
 * the host's fleet view. Reads only what the host cache keeps (state, power, claim marks, BMO's
 * error); nothing from Secrets or the host's user data.
 */
import type { MachineView } from '../../plugin/contract.js';
import type { ProviderSettings } from './config.js';
import { matchesLabelSelector } from './hosts/selector.js';
import { ANNOTATION, LABEL } from './names.js';
import { hostError, hostState } from './nodeState.js';
import type { BareMetalHost } from './types.js';

/** The label Kubernetes uses for failure zones; a host that carries it is shown in that site. */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export function machineViews(settings: ProviderSettings, hosts: readonly BareMetalHost[]): MachineView[] {
  return hosts.map((host) => machineView(settings, host));
}

function machineView(settings: ProviderSettings, host: BareMetalHost): MachineView {
  const labels = host.metadata.labels ?? {};
  const annotations = host.metadata.annotations ?? {};
  const claimUid = labels[LABEL.nodeClaim];
  const nodeType = (claimUid && annotations[ANNOTATION.nodeType])
    || [...settings.nodeTypes.values()].find((t) => matchesLabelSelector(labels, t.bareMetalHosts?.selector))?.name;
  const error = hostError(host);
  return {
    name: host.metadata.name,
    ...(host.metadata.namespace ? { namespace: host.metadata.namespace } : {}),
    state: hostState(host),
    poweredOn: host.status?.poweredOn === true,
    ...(nodeType ? { nodeType } : {}),
    ...(claimUid ? { claimUid } : {}),
    ...(labels[ZONE_LABEL] ? { zone: labels[ZONE_LABEL] } : {}),
    ...(annotations[ANNOTATION.serverCluster] ? { network: annotations[ANNOTATION.serverCluster] } : {}),
    ...(annotations[ANNOTATION.serverCluster] && /^\d+$/.test(annotations[ANNOTATION.vlanId] ?? '') ? { vlanId: Number(annotations[ANNOTATION.vlanId]) } : {}),
    ...(error ? { error: { type: error.reason, message: error.message } } : {}),
  };
}
