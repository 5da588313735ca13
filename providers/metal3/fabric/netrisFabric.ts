/**
 * NetworkFabric on a Netris controller: a tenant network is a Netris server cluster's V-Net; a
 * host's switch ports (found through LLDP) become access ports of that V-Net on attach and go
 * back to the parking lot V-Net on detach.
 */
import { InvalidConfigurationError, TransientError, isTransient, type Logger } from '../../../plugin/contract.js';
import { FabricError } from './errors.js';
import type { HostPorts, NetrisFabricOptions, NetworkFabric, TenantNetwork } from './fabric.js';
import { NetrisClient } from './netrisClient.js';
import { PARKING_LOT } from './parkingLot.js';

const SERVER_CLUSTER_PROPERTY = 'properties[netris.vcluster.com/server-cluster]';

/** A switch port as the Netris API reports it. */
interface NetrisPort {
  id: number;
  name: string;
  vnet: string;
  untaggedVlan: number;
  status: 'active' | 'provisioning';
}

interface NetrisServerCluster {
  name: string;
  tenant?: string;
  vnet?: { vlanId?: unknown; subnet?: unknown; gateway?: unknown; dns?: unknown };
}

export function createNetrisFabric(opts: NetrisFabricOptions): NetworkFabric & { close(): void } {
  return new NetrisFabric(opts);
}

class NetrisFabric implements NetworkFabric {
  private readonly client: NetrisClient;
  private readonly logger?: Logger;
  private readonly applyTimeoutMs: number;
  private readonly pollIntervalMs: number;

  constructor(opts: NetrisFabricOptions) {
    this.client = new NetrisClient({
      url: opts.url,
      username: opts.username,
      password: opts.password,
      fetch: opts.fetch ?? globalThis.fetch,
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
      logger: opts.logger,
    });
    this.logger = opts.logger?.child({ component: 'netris-fabric' });
    this.applyTimeoutMs = opts.applyTimeoutMs ?? 60_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 100;
  }

  async resolveTenantNetwork(serverCluster: string, tenant: string): Promise<TenantNetwork> {
    const object = `tenant ${tenant}`;
    if (!serverCluster) throw new InvalidConfigurationError(object, SERVER_CLUSTER_PROPERTY, 'is empty');
    const found = await this.client.request<NetrisServerCluster[]>(
      'GET', `/api/v2/servercluster?name=${encodeURIComponent(serverCluster)}`);
    const cluster = (found ?? []).find((c) => c.name === serverCluster);
    if (!cluster) {
      throw new InvalidConfigurationError(object, SERVER_CLUSTER_PROPERTY, `Netris server cluster "${serverCluster}" does not exist`);
    }
    if (cluster.tenant && cluster.tenant !== tenant) {
      throw new InvalidConfigurationError(object, SERVER_CLUSTER_PROPERTY,
        `Netris server cluster "${serverCluster}" belongs to tenant "${cluster.tenant}"`);
    }
    const { vlanId, subnet, gateway, dns } = cluster.vnet ?? {};
    if (typeof vlanId !== 'number' || typeof subnet !== 'string' || typeof gateway !== 'string') {
      throw new FabricError('Rejected', `Netris server cluster "${serverCluster}" has no V-Net with vlanId, subnet and gateway`);
    }
    const dnsServers = Array.isArray(dns) ? dns.map(String) : undefined;
    return { serverCluster, vlanId, subnet, gateway, ...(dnsServers ? { dns: dnsServers } : {}) };
  }

  async attach(host: HostPorts, network: TenantNetwork, signal?: AbortSignal): Promise<void> {
    const ports = await this.portsOf(host, signal);
    const foreign = ports.filter((p) => p.vnet !== PARKING_LOT && p.vnet !== network.serverCluster);
    if (foreign.length > 0) {
      throw new FabricError('PortInUse', `host ${host.hostName}: port ${foreign[0]!.name} is in network "${foreign[0]!.vnet}", ` +
        `not the parking lot; detach it before attaching to "${network.serverCluster}"`);
    }
    const moved: NetrisPort[] = [];
    try {
      for (const port of ports.filter((p) => p.vnet !== network.serverCluster)) {
        await this.move(host, port, network.serverCluster, signal);
        moved.push(port);
      }
    } catch (err) {
      throw await this.rollBack(host, moved, network.serverCluster, err);
    }
    await this.waitApplied(host, ports, network.serverCluster, network.vlanId, signal);
  }

  async detach(host: HostPorts, signal?: AbortSignal): Promise<void> {
    const ports = await this.portsOf(host, signal);
    for (const port of ports.filter((p) => p.vnet !== PARKING_LOT)) await this.move(host, port, PARKING_LOT, signal);
    await this.waitApplied(host, ports, PARKING_LOT, undefined, signal);
  }

  async whereIs(host: HostPorts): Promise<string> {
    const networks = new Set((await this.portsOf(host)).map((p) => p.vnet));
    return networks.size === 1 ? [...networks][0]! : 'mixed';
  }

  close(): void {
    this.client.close();
  }

  /** The fabric's view of every switch port the host's NICs are cabled to (by LLDP). */
  private async portsOf(host: HostPorts, signal?: AbortSignal): Promise<NetrisPort[]> {
    const cabled = host.nics.filter((n) => n.switchId && n.portId);
    if (cabled.length === 0) {
      throw new FabricError('NoSwitchPorts', `host ${host.hostName}: no NIC has LLDP switch/port data ` +
        '(status.hardware.nics[].lldp.switchID/portID); its network cannot be isolated');
    }
    return Promise.all(cabled.map(async (nic) => {
      const query = `switch=${encodeURIComponent(nic.switchId!)}&port=${encodeURIComponent(nic.portId!)}`;
      const [port] = await this.client.request<NetrisPort[]>('GET', `/api/v2/port?${query}`, undefined, signal);
      if (!port) {
        throw new FabricError('UnknownPort', `host ${host.hostName}: NIC ${nic.name} is cabled to ` +
          `${nic.portId}@${nic.switchId} (LLDP), which Netris does not know`);
      }
      return port;
    }));
  }

  private async move(host: HostPorts, port: NetrisPort, vnet: string, signal?: AbortSignal): Promise<void> {
    await this.client.request('PUT', `/api/v2/port/${port.id}/vnet`, { vnet }, signal);
    this.logger?.info({ host: host.hostName, port: port.name, from: port.vnet, to: vnet }, 'moved switch port');
  }

  /** Puts the ports a failed attach moved back in the parking lot; returns the error to throw. */
  private async rollBack(host: HostPorts, moved: NetrisPort[], target: string, cause: unknown): Promise<unknown> {
    const stranded: string[] = [];
    for (const port of moved) {
      try {
        await this.move(host, { ...port, vnet: target }, PARKING_LOT);
      } catch {
        stranded.push(port.name);
      }
    }
    if (!isTransient(cause)) return cause;
    const left = stranded.length === 0
      ? 'all ports are back in the parking lot'
      : `ports ${stranded.join(', ')} are still in "${target}" (a retry of attach or detach converges)`;
    this.logger?.warn({ host: host.hostName, target, stranded }, 'attach failed; rolled back');
    const transient = cause as TransientError;
    return new TransientError(`host ${host.hostName}: attaching to "${target}" failed, ${left}: ${transient.message}`, {
      cause, retryAfterMs: transient.retryAfterMs,
    });
  }

  /** Polls until every port reports `vnet` active; TransientError when the switches take too long. */
  private async waitApplied(host: HostPorts, ports: NetrisPort[], vnet: string, vlanId: number | undefined, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.applyTimeoutMs;
    let pending = ports;
    for (;;) {
      const current = await Promise.all(pending.map((p) =>
        this.client.request<NetrisPort>('GET', `/api/v2/port/${p.id}`, undefined, signal)));
      const wrongVlan = current.find((p) => p.vnet === vnet && vlanId !== undefined && p.untaggedVlan !== vlanId);
      if (wrongVlan) {
        throw new FabricError('Rejected', `host ${host.hostName}: port ${wrongVlan.name} is in "${vnet}" with VLAN ` +
          `${wrongVlan.untaggedVlan}, expected ${vlanId}`);
      }
      const moved = current.find((p) => p.vnet !== vnet);
      if (moved) {
        throw new TransientError(`host ${host.hostName}: port ${moved.name} left "${vnet}" for "${moved.vnet}" while being applied`);
      }
      pending = current.filter((p) => p.status !== 'active');
      if (pending.length === 0) return;
      if (Date.now() >= deadline) {
        throw new TransientError(`host ${host.hostName}: ${pending.length} port(s) not applied to "${vnet}" within ${this.applyTimeoutMs} ms`);
      }
      await sleep(this.pollIntervalMs, signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
