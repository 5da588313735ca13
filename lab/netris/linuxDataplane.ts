/**
 * Real packets for the emulated fabric: each server is a Linux network namespace whose `eth0` is
 * one end of a veth pair; the other end is its "switch port". A port sits in the bridge of its
 * untagged VLAN (one bridge per VLAN, because this kernel lacks bridge VLAN filtering). Ports in
 * the management VLAN are bridge-isolated from each other and reach only the provisioning
 * namespace, as the parking lot promises. Needs root and iproute2; `probe()` says why not.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface DataplanePort {
  mac?: string;
  vlanId: number;
  status: 'active' | 'provisioning';
}

export interface LinuxDataplaneOptions {
  /** Untagged VLAN of the parking lot. @default 10 */
  managementVlanId?: number;
  /** Address of the provisioning services' namespace on the management bridge, e.g. `10.99.0.250/24`. */
  provisioningCidr: string;
}

interface Server {
  ns: string;
  port: string;
}

export class LinuxDataplane {
  /** Undefined when namespaces, veth pairs and bridges can be created here; otherwise why not. */
  static probe(): string | undefined {
    const ns = `probe-${randomBytes(3).toString('hex')}`;
    try {
      ip('netns', 'add', ns);
      ip('netns', 'del', ns);
      return undefined;
    } catch (err) {
      return `ip netns add failed: ${(err as Error).message.split('\n')[0]}`;
    }
  }

  private readonly id = randomBytes(2).toString('hex');
  private readonly servers = new Map<string, Server>();
  private readonly bridges = new Set<string>();
  private readonly listeners: ChildProcess[] = [];
  private readonly managementVlanId: number;

  constructor(opts: LinuxDataplaneOptions) {
    this.managementVlanId = opts.managementVlanId ?? 10;
    this.addNamespace('provisioning', '00:00:5e:00:53:fe', opts.provisioningCidr);
    this.plug(this.servers.get('provisioning')!.port, this.managementVlanId, false);
  }

  /** A server NIC: namespace `<name>` with eth0 (`mac`, `cidr`), cabled to an unplugged port. */
  addServer(name: string, mac: string, cidr: string): void {
    this.addNamespace(name, mac, cidr);
  }

  /** Mirrors the fabric: active ports into their VLAN's bridge, ports being applied unplugged. */
  apply(ports: DataplanePort[]): void {
    for (const p of ports) {
      const server = [...this.servers.values()].find((s) => s.ns.endsWith(`-${macKey(p.mac ?? '')}`));
      if (!server) continue;
      if (p.status !== 'active') ip('link', 'set', server.port, 'nomaster');
      else this.plug(server.port, p.vlanId, p.vlanId === this.managementVlanId);
    }
  }

  /** Starts a TCP listener answering "hi" on `port` inside `server`'s namespace. */
  async listen(server: string, port: number): Promise<void> {
    const script = `require('net').createServer((c)=>c.end('hi')).listen(${port},'0.0.0.0',()=>console.log('listening'))`;
    const child = spawn('ip', ['netns', 'exec', this.ns(server), process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.listeners.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`listener in ${server} exited with ${code}`)));
    });
  }

  /** Whether a TCP connection from `server` to `host:port` gets an answer within `timeoutMs`. */
  connects(server: string, host: string, port: number, timeoutMs = 1000): Promise<boolean> {
    const script = `const s=require('net').connect({host:'${host}',port:${port}});s.setTimeout(${timeoutMs},()=>process.exit(2));` +
      `s.on('data',()=>process.exit(0));s.on('error',()=>process.exit(3))`;
    return new Promise((resolve) => {
      execFile('ip', ['netns', 'exec', this.ns(server), process.execPath, '-e', script], { timeout: timeoutMs + 3000 },
        (err) => resolve(!err));
    });
  }

  /** Stops the listeners and deletes the namespaces (with their veth pairs) and bridges. */
  dispose(): void {
    for (const child of this.listeners) if (child.exitCode === null) child.kill();
    for (const server of this.servers.values()) tryIp('netns', 'del', server.ns);
    for (const bridge of this.bridges) tryIp('link', 'del', bridge);
  }

  private addNamespace(name: string, mac: string, cidr: string): void {
    const ns = `dp${this.id}-${name}-${macKey(mac)}`;
    const port = `dp${this.id}p${this.servers.size}`;
    const server = { ns, port };
    this.servers.set(name, server);
    ip('netns', 'add', ns);
    ip('link', 'add', port, 'type', 'veth', 'peer', 'name', `${port}n`);
    ip('link', 'set', `${port}n`, 'netns', ns);
    ipIn(ns, 'link', 'set', `${port}n`, 'name', 'eth0');
    ipIn(ns, 'link', 'set', 'eth0', 'address', mac);
    ipIn(ns, 'addr', 'add', cidr, 'dev', 'eth0');
    ipIn(ns, 'link', 'set', 'eth0', 'up');
    ipIn(ns, 'link', 'set', 'lo', 'up');
    ip('link', 'set', port, 'up');
  }

  private plug(port: string, vlanId: number, isolated: boolean): void {
    const bridge = `dp${this.id}v${vlanId}`;
    if (!this.bridges.has(bridge)) {
      ip('link', 'add', bridge, 'type', 'bridge');
      ip('link', 'set', bridge, 'up');
      this.bridges.add(bridge);
    }
    ip('link', 'set', port, 'master', bridge);
    execFileSync('bridge', ['link', 'set', 'dev', port, 'isolated', isolated ? 'on' : 'off']);
  }

  private ns(server: string): string {
    const found = this.servers.get(server);
    if (!found) throw new Error(`dataplane: no server ${server}`);
    return found.ns;
  }
}

function macKey(mac: string): string {
  return mac.toLowerCase().replace(/:/g, '');
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function ipIn(ns: string, ...args: string[]): void {
  ip('-n', ns, ...args);
}

function tryIp(...args: string[]): void {
  try {
    ip(...args);
  } catch {
    // already gone
  }
}
