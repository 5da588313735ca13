/** Launch step 4: the network data of a claim on a chosen host (depends on the host's NICs), into its Secret. */
import type { NodeClaimView } from '../../../plugin/contract.js';
import { PROPERTY } from '../properties.js';
import type { TemplateRenderer } from '../render/index.js';
import type { BareMetalHost, SecretReference } from '../types.js';
import type { ClaimSecrets } from './claimSecrets.js';
import type { IpAllocation } from './ipReservations.js';
import type { ClaimInputs } from './resolveInputs.js';

export function writeNetworkData(
  deps: { renderer: TemplateRenderer; secrets: ClaimSecrets },
  claim: Pick<NodeClaimView, 'uid' | 'name'>,
  inputs: ClaimInputs,
  host: BareMetalHost,
  ip: IpAllocation | undefined,
  namespace: string,
): Promise<SecretReference> {
  const nics = (host.status?.hardware?.nics ?? []).flatMap((nic) => (nic.name && nic.mac ? [{ name: nic.name, mac: nic.mac }] : []));
  const networkData = deps.renderer.renderNetworkData({
    hostname: inputs.hostname,
    bootMac: host.spec.bootMACAddress,
    nics,
    ip: ip && { address: ip.address, prefixLength: ip.pool.prefixLength, gateway: ip.pool.gateway, dns: ip.pool.dns },
    custom: inputs.properties[PROPERTY.networkData] || undefined,
    customOrigin: inputs.origin[PROPERTY.networkData],
  });
  return deps.secrets.write(claim, namespace, 'network-data', networkData);
}
