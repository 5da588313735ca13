/**
 * The lab's "datacenter network" for a server booted in its own network namespace: the server can
 * reach exactly the loopback endpoints its user data names (the tenant's join endpoint), nothing else.
 *
 * Loopback is per network namespace, so a TCP connection to 127.0.0.1:PORT inside the server cannot
 * reach the lab's listener directly. A Unix socket can: the lab side listens on `<dir>/<port>.sock`
 * and connects each accepted stream to 127.0.0.1:PORT; inside the namespace a small forwarder
 * (NETNS_FORWARDER, run with node) listens on 127.0.0.1:PORT and connects to the socket. TLS runs end
 * to end through both, so the server still verifies the tenant CA itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Ports of `https://127.0.0.1:PORT` / `https://localhost:PORT` URLs in a text (the user data). */
export function loopbackPorts(text: string): number[] {
  const ports = new Set<number>();
  for (const m of text.matchAll(/\bhttps?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})\b/g)) {
    const port = Number(m[1]);
    if (port > 0 && port < 65536) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

function pipeBoth(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', end);
  b.on('error', end);
  a.on('close', end);
  b.on('close', end);
}

export class LoopbackBridge {
  private servers: Server[] = [];
  private dir?: string;

  /** Opens one socket per port; returns the folder holding them (short, for the 108-byte limit). */
  async open(ports: number[]): Promise<string> {
    await this.close();
    const dir = await mkdtemp(join(tmpdir(), 'labnet-'));
    this.dir = dir;
    for (const port of ports) {
      const server = createServer((inner) => pipeBoth(inner, connect({ host: '127.0.0.1', port })));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(join(dir, `${port}.sock`), () => resolve());
      });
      this.servers.push(server);
    }
    return dir;
  }

  async close(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/**
 * Runs inside the server's network namespace (`node -e`), before the chroot: listens on
 * 127.0.0.1:PORT for each of LAB_BRIDGE_PORTS and connects to LAB_BRIDGE_DIR/PORT.sock; touches
 * LAB_BRIDGE_DIR/ready once every port listens.
 */
export const NETNS_FORWARDER = `
const net = require('node:net');
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.LAB_BRIDGE_DIR;
const ports = (process.env.LAB_BRIDGE_PORTS || '').split(',').filter(Boolean).map(Number);
let listening = 0;
const done = () => { if (++listening >= ports.length) fs.writeFileSync(path.join(dir, 'ready'), ''); };
if (ports.length === 0) done();
for (const port of ports) {
  net.createServer((c) => {
    const u = net.connect(path.join(dir, port + '.sock'));
    const end = () => { c.destroy(); u.destroy(); };
    c.pipe(u); u.pipe(c);
    c.on('error', end); u.on('error', end); c.on('close', end); u.on('close', end);
  }).listen(port, '127.0.0.1', done);
}
`;
