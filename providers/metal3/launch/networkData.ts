/** Launch step 3 (pure): a claim's data on a chosen host — its user data, and network data from the host's NICs. */
import { PROPERTY } from '../properties.js';
import type { TemplateRenderer } from '../render/index.js';
import type { BareMetalHost } from '../types.js';
import type { ClaimData } from './claimSecrets.js';
import type { IpAllocation } from './ipReservations.js';
import type { ClaimInputs } from './resolveInputs.js';

export function claimDataFor(renderer: TemplateRenderer, inputs: ClaimInputs, host: BareMetalHost, ip: IpAllocation | undefined): ClaimData {
  const nics = (host.status?.hardware?.nics ?? []).flatMap((nic) => (nic.name && nic.mac ? [{ name: nic.name, mac: nic.mac }] : []));
  const networkData = renderer.renderNetworkData({
    hostname: inputs.hostname,
    bootMac: host.spec.bootMACAddress,
    nics,
    ip: ip && { address: ip.address, prefixLength: ip.pool.prefixLength, gateway: ip.pool.gateway, dns: ip.pool.dns },
    custom: inputs.properties[PROPERTY.networkData] || undefined,
    customOrigin: inputs.origin[PROPERTY.networkData],
  });
  return { userData: inputs.userData, networkData };
}
