/**
 * A Netris controller emulator on real HTTP (127.0.0.1): server clusters with isolated V-Nets,
 * switch ports that sit in the management "parking lot" until moved into a tenant's V-Net, a
 * reachability model, and fault injection. Routes are documented in http-api.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NetrisApi, type NetrisFaults } from './httpApi.js';
import { NetrisModel, type PortRecord, type PortStatus } from './model.js';

export { PARKING_LOT } from './model.js';
export type { NetrisFaults } from './httpApi.js';

export interface NetrisEmulatorOptions {
  /** TCP port on 127.0.0.1. @default 0 (any free port) */
  port?: number;
  /** @default 'netris' */
  username?: string;
  /** @default 'netris-lab-password' */
  password?: string;
  /** Untagged VLAN of the parking lot. @default 10 */
  managementVlanId?: number;
  /** @default '192.168.10.0/24' */
  managementSubnet?: string;
  /** Time between a port move and the switch reporting it active. @default 20 */
  applyDelayMs?: number;
  faults?: NetrisFaults;
}

export interface EmulatedPort {
  /** `parking-lot` or the server cluster whose V-Net the port is in. */
  network: string;
  switchId: string;
  portId: string;
  mac?: string;
  vlanId: number;
  status: PortStatus;
}

export interface NetrisEmulator {
  /** Base URL, e.g. `http://127.0.0.1:43125`. */
  url: string;
  /** Registers switch ports (with the MAC of the server NIC cabled to each) in the parking lot. */
  addSwitchPorts(ports: { switchId: string; portId: string; mac?: string }[]): void;
  /** Creates a tenant network; throws on a name, VLAN or subnet already in use. */
  addServerCluster(name: string, vlanId: number, subnet: string, gateway: string, opts?: { tenant?: string; dns?: string[] }): void;
  /** The ports currently in `serverCluster`'s V-Net (or the parking lot). */
  portsOf(serverCluster: string): EmulatedPort[];
  /** Every port, wherever it is. */
  listPorts(): EmulatedPort[];
  /** See NetrisModel.canReach: `provisioning`, `tenant:<server cluster>` or another NIC's MAC. */
  canReach(fromMac: string, toTarget: string): boolean;
  /** Replaces the active faults; no argument clears them. */
  setFault(f?: NetrisFaults): void;
  /** Port-move requests answered so far (including failed ones). */
  moveCount(): number;
  /** Ends every client session: their next request gets 401. */
  revokeSessions(): void;
  close(): Promise<void>;
}

export async function startNetrisEmulator(opts: NetrisEmulatorOptions = {}): Promise<NetrisEmulator> {
  const model = new NetrisModel({
    managementVlanId: opts.managementVlanId ?? 10,
    managementSubnet: opts.managementSubnet ?? '192.168.10.0/24',
    applyDelayMs: opts.applyDelayMs ?? 20,
    now: () => Date.now(),
  });
  const api = new NetrisApi(model, {
    username: opts.username ?? 'netris',
    password: opts.password ?? 'netris-lab-password',
  });
  api.setFaults(opts.faults);
  const view = (p: PortRecord): EmulatedPort =>
    ({ network: p.network, switchId: p.switchId, portId: p.portId, mac: p.mac, vlanId: p.vlanId, status: model.status(p) });
  const server = createServer((req, res) => void api.handle(req, res));
  await listen(server, opts.port ?? 0);
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    addSwitchPorts: (ports) => void model.addSwitchPorts(ports),
    addServerCluster: (name, vlanId, subnet, gateway, extra) =>
      void model.addServerCluster({ name, vlanId, subnet, gateway, tenant: extra?.tenant, dns: extra?.dns }),
    portsOf: (serverCluster) => model.listPorts().filter((p) => p.network === serverCluster).map(view),
    listPorts: () => model.listPorts().map(view),
    canReach: (fromMac, toTarget) => model.canReach(fromMac, toTarget),
    setFault: (f) => api.setFaults(f),
    moveCount: () => api.moveCount,
    revokeSessions: () => api.revokeSessions(),
    close: () => closeServer(server),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
