/**
 * The WAN link between the platform and a site: a TCP relay in front of the site's API server. The
 * Cluster's kubeconfig points at the link, so cutting it is a real outage for the platform (connections
 * reset, new ones refused) while the site itself (its API, Metal3, servers) keeps running, as a datacenter
 * that loses its uplink does. Restoring listens on the same port again. TLS passes through untouched.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class SiteLink {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  /** Opens a link to `targetUrl`'s host and port on a free local port. */
  static async open(targetUrl: string): Promise<SiteLink> {
    const url = new URL(targetUrl);
    const link = new SiteLink({ host: url.hostname, port: Number(url.port) });
    await link.listen();
    return link;
  }

  /** `targetUrl` with host and port of this link (same scheme and path). */
  urlFor(targetUrl: string): string {
    const url = new URL(targetUrl);
    url.host = `127.0.0.1:${this.port}`;
    return url.toString().replace(/\/$/, '');
  }

  get up(): boolean {
    return Boolean(this.server);
  }

  /** The outage: open connections are reset and new ones refused until restore(). */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The link is back, on the same port. */
  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }

  close(): Promise<void> {
    return this.cut();
  }

  private async listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      this.track(client);
      this.track(upstream);
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
      client.on('close', end);
      upstream.on('close', end);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
