/**
 * The IPAM pool of a tenant network: the Netris V-Net's subnet, gateway and DNS, as if
 * `metal3.vcluster.com/network-cidr` were `<gateway>/<prefix>` (the merged properties may still
 * narrow it with network-ip-range and add NTP servers). Pure.
 */
import type { TenantNetwork } from './fabric/fabric.js';
import { parseIpPool, type IpPool } from './ipam/pool.js';
import { PROPERTY } from './properties.js';

export function tenantIpPool(network: TenantNetwork, merged: { properties: Record<string, string>; origin: Record<string, string> }): IpPool {
  const source = `Netris server cluster ${network.serverCluster}`;
  const prefix = network.subnet.split('/')[1] ?? '';
  const properties: Record<string, string> = {
    [PROPERTY.networkCidr]: `${network.gateway}/${prefix}`,
    [PROPERTY.dnsServers]: (network.dns ?? []).join(','),
  };
  const origin: Record<string, string> = { [PROPERTY.networkCidr]: source, [PROPERTY.dnsServers]: source };
  for (const key of [PROPERTY.networkIpRange, PROPERTY.ntpServers]) {
    if (merged.properties[key] === undefined) continue;
    properties[key] = merged.properties[key];
    origin[key] = merged.origin[key] ?? 'merged properties';
  }
  return parseIpPool(properties, origin)!;
}
