/**
 * Network isolation of tenant hosts: a claimed host's switch ports move from the management
 * network (the "parking lot") into its tenant's isolated network, and back on release.
 * Implementations: netris-fabric.ts (Netris controller over HTTP).
 */
import type { Logger } from '../../../plugin/contract.js';

export { FabricError, isFabricError, type FabricErrorReason } from './errors.js';
export { createNetrisFabric } from './netrisFabric.js';
export { hostPortsFromBareMetalHost } from './hostPorts.js';
export { PARKING_LOT } from './parkingLot.js';

/** A host's NICs and the switch ports they are cabled to (BMH status.hardware.nics[].lldp {switchID, portID}). */
export interface HostPorts {
  hostName: string;
  nics: { name: string; mac: string; switchId?: string; portId?: string }[];
}

/** A tenant's isolated network (a Netris server cluster's V-Net). */
export interface TenantNetwork {
  serverCluster: string;
  vlanId: number;
  /** CIDR, e.g. `10.100.0.0/24`; the runtime's IPAM allocates host addresses from it. */
  subnet: string;
  gateway: string;
  dns?: string[];
}

export interface NetworkFabric {
  /**
   * The tenant's network for `serverCluster` (property `netris.vcluster.com/server-cluster`);
   * creates nothing. Unknown server cluster, or one that belongs to another tenant →
   * InvalidConfigurationError naming the property.
   */
  resolveTenantNetwork(serverCluster: string, tenant: string): Promise<TenantNetwork>;
  /**
   * Moves every port of the host into the tenant network. Idempotent; returns only when the
   * fabric reports the ports moved. On failure the ports this call moved go back to the parking
   * lot. Throws TransientError (retry) or a FabricError with a reason.
   */
  attach(host: HostPorts, network: TenantNetwork, signal?: AbortSignal): Promise<void>;
  /** Moves the host's ports back to the parking lot (management network). Idempotent; returns once applied. */
  detach(host: HostPorts, signal?: AbortSignal): Promise<void>;
  /** Where the host's ports are now: 'parking-lot', a serverCluster name, or 'mixed'. */
  whereIs(host: HostPorts): Promise<string>;
}

export interface NetrisFabricOptions {
  /** Netris controller base URL (Secret key `url`). */
  url: string;
  /** Secret key `username`. */
  username: string;
  /** Secret key `password`; never logged nor put in errors. */
  password: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  logger?: Logger;
  /** Per-request timeout. @default 10000 */
  requestTimeoutMs?: number;
  /** How long attach/detach wait for the switches to apply a move. @default 60000 */
  applyTimeoutMs?: number;
  /** Poll interval while waiting for a move to apply. @default 100 */
  pollIntervalMs?: number;
}
