/**
 * The emulated fabric's state: switch ports, the management network ("parking lot") and one
 * isolated V-Net per server cluster. A port is in exactly one network at a time; moving it
 * takes `applyDelayMs` before the switch reports the new configuration active, as a real
 * fabric pushes config to switches asynchronously.
 */
import { contains, overlaps, parseCidr, parseIpv4 } from './ipv4.js';

/** The management network every unassigned server waits in. */
export const PARKING_LOT = 'parking-lot';

export interface ServerClusterRecord {
  id: number;
  name: string;
  /** Tenant the network belongs to (informational in Netris; checked by the driver). */
  tenant?: string;
  vnet: { name: string; vlanId: number; subnet: string; gateway: string; dns?: string[] };
}

export interface PortRecord {
  id: number;
  switchId: string;
  portId: string;
  /** MAC of the server NIC cabled to this port, when known (what the switch learns). */
  mac?: string;
  /** `parking-lot` or a server cluster name. */
  network: string;
  vlanId: number;
  /** Epoch ms at which the last move is active on the switch. */
  activeAt: number;
}

export type PortStatus = 'active' | 'provisioning';

/** A rejected request, with the HTTP status the API answers. */
export class FabricModelError extends Error {
  constructor(readonly status: 400 | 404 | 409, message: string) {
    super(message);
  }
}

export interface NetrisModelOptions {
  managementVlanId: number;
  managementSubnet: string;
  applyDelayMs: number;
  now: () => number;
}

export interface NewServerCluster {
  name: string;
  vlanId: number;
  subnet: string;
  gateway: string;
  tenant?: string;
  dns?: string[];
}

export class NetrisModel {
  private readonly clusters = new Map<string, ServerClusterRecord>();
  private readonly ports = new Map<number, PortRecord>();
  private nextId = 1;

  constructor(private readonly opts: NetrisModelOptions) {}

  listServerClusters(): ServerClusterRecord[] {
    return [...this.clusters.values()];
  }

  serverCluster(name: string): ServerClusterRecord | undefined {
    return this.clusters.get(name);
  }

  /** Creates a tenant network; a name, VLAN or subnet already in use (incl. management) is a 409. */
  addServerCluster(spec: NewServerCluster): ServerClusterRecord {
    if (!spec.name || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(spec.name)) {
      throw new FabricModelError(400, `server cluster name "${spec.name}" must be a DNS label`);
    }
    if (!Number.isInteger(spec.vlanId) || spec.vlanId < 2 || spec.vlanId > 4094) {
      throw new FabricModelError(400, `server cluster ${spec.name}: vlanId ${spec.vlanId} must be an integer in 2..4094`);
    }
    const subnet = parseCidr(spec.subnet);
    if (!subnet) throw new FabricModelError(400, `server cluster ${spec.name}: subnet "${spec.subnet}" is not an IPv4 CIDR`);
    const gateway = parseIpv4(spec.gateway);
    if (gateway === undefined || !contains(subnet, gateway)) {
      throw new FabricModelError(400, `server cluster ${spec.name}: gateway "${spec.gateway}" is not inside ${spec.subnet}`);
    }
    if (spec.name === PARKING_LOT || this.clusters.has(spec.name)) {
      throw new FabricModelError(409, `server cluster ${spec.name} already exists`);
    }
    if (spec.vlanId === this.opts.managementVlanId) {
      throw new FabricModelError(409, `VLAN ${spec.vlanId} is the management (parking lot) VLAN`);
    }
    if (overlaps(subnet, parseCidr(this.opts.managementSubnet)!)) {
      throw new FabricModelError(409, `subnet ${spec.subnet} overlaps the management subnet ${this.opts.managementSubnet}`);
    }
    for (const other of this.clusters.values()) {
      if (other.vnet.vlanId === spec.vlanId) {
        throw new FabricModelError(409, `VLAN ${spec.vlanId} is already used by server cluster ${other.name}`);
      }
      if (overlaps(subnet, parseCidr(other.vnet.subnet)!)) {
        throw new FabricModelError(409, `subnet ${spec.subnet} overlaps ${other.vnet.subnet} of server cluster ${other.name}`);
      }
    }
    const record: ServerClusterRecord = {
      id: this.nextId++,
      name: spec.name,
      tenant: spec.tenant,
      vnet: { name: `${spec.name}-vnet`, vlanId: spec.vlanId, subnet: spec.subnet, gateway: spec.gateway, dns: spec.dns },
    };
    this.clusters.set(spec.name, record);
    return record;
  }

  /** Registers switch ports in the parking lot; a port registered twice keeps its state. */
  addSwitchPorts(ports: { switchId: string; portId: string; mac?: string }[]): PortRecord[] {
    return ports.map((p) => {
      const existing = this.findPort(p.switchId, p.portId);
      if (existing) return existing;
      const record: PortRecord = {
        id: this.nextId++,
        switchId: p.switchId,
        portId: p.portId,
        mac: p.mac?.toLowerCase(),
        network: PARKING_LOT,
        vlanId: this.opts.managementVlanId,
        activeAt: this.opts.now(),
      };
      this.ports.set(record.id, record);
      return record;
    });
  }

  listPorts(): PortRecord[] {
    return [...this.ports.values()];
  }

  port(id: number): PortRecord | undefined {
    return this.ports.get(id);
  }

  findPort(switchId: string, portId: string): PortRecord | undefined {
    return this.listPorts().find((p) => p.switchId === switchId && p.portId === portId);
  }

  status(port: PortRecord): PortStatus {
    return this.opts.now() >= port.activeAt ? 'active' : 'provisioning';
  }

  /** Makes `port` an access port of `network` (untagged VLAN). A no-op when it is already there. */
  movePort(id: number, network: string): PortRecord {
    const port = this.ports.get(id);
    if (!port) throw new FabricModelError(404, `port ${id} does not exist`);
    const vlanId = network === PARKING_LOT ? this.opts.managementVlanId : this.clusters.get(network)?.vnet.vlanId;
    if (vlanId === undefined) throw new FabricModelError(404, `server cluster ${network} does not exist`);
    if (port.network === network) return port;
    port.network = network;
    port.vlanId = vlanId;
    port.activeAt = this.opts.now() + this.opts.applyDelayMs;
    return port;
  }

  /**
   * Whether the server owning NIC `fromMac` can reach `target`: `provisioning` (the services of
   * the management network), `tenant:<server cluster>` (that tenant's join endpoint and nodes),
   * or another NIC's MAC. From the parking lot only provisioning is reachable; from a tenant
   * network only that tenant. A port whose move is still being applied reaches nothing.
   */
  canReach(fromMac: string, target: string): boolean {
    const from = this.portByMac(fromMac);
    if (!from || this.status(from) !== 'active') return false;
    if (from.network === PARKING_LOT) return target === 'provisioning';
    if (target === `tenant:${from.network}`) return true;
    const peer = this.portByMac(target);
    return !!peer && this.status(peer) === 'active' && peer.network === from.network;
  }

  private portByMac(mac: string): PortRecord | undefined {
    const wanted = mac.toLowerCase();
    return this.listPorts().find((p) => p.mac === wanted);
  }
}
