/**
 * The dashboard's HTTP server: the page (`/`, `/app.js`, `/app.css`), the latest snapshot
 * (`/api/fleet`) and a server-sent event stream (`/api/stream`: one `fleet` event with the whole
 * snapshot when the stream opens, then one `fleet-delta` event per change, with only what changed). Read-only: anything but GET/HEAD is refused. Data paths pass the access check first; the
 * page's files hold no data and are served to anyone who can connect.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../plugin/contract.js';
import type { DashboardAccess } from './access.js';
import type { Asset } from './assets.js';
import type { FleetDelta } from './fleetDelta.js';
import type { FleetFeed } from './fleetFeed.js';
import type { FleetSnapshot } from './fleetTypes.js';

/** Every open stream gets a comment line this often, and its token is checked again (a revoked one closes it). */
const HEARTBEAT_MS = 15_000;
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export interface DashboardServerOptions {
  feed: FleetFeed;
  access: DashboardAccess;
  assets: Map<string, Asset>;
  logger: Logger;
  /** Keep-alive and token re-check period of open streams. Default 15 s. */
  recheckMs?: number;
}

export class DashboardServer {
  private server: Server | undefined;
  /** Open event streams and the Authorization header each was opened with. */
  private readonly streams = new Map<ServerResponse, string | undefined>();
  /** Streams that have received a whole snapshot, so a delta means something to them. */
  private readonly synced = new WeakSet<ServerResponse>();
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly opts: DashboardServerOptions) {}

  /** Listens on `address:port` (0 picks a free port); returns the page's URL. */
  async listen(port: number, address: string): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.opts.logger.warn({ err: String((err as Error)?.message ?? err) }, 'dashboard request failed');
        if (!res.headersSent) res.writeHead(500, SECURITY_HEADERS).end('internal error\n');
        else res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => resolve());
    });
    this.server = server;
    this.unsubscribe = this.opts.feed.subscribe((snapshot, delta) => this.broadcast(snapshot, delta));
    this.heartbeat = setInterval(() => void this.recheckStreams(), this.opts.recheckMs ?? HEARTBEAT_MS);
    const { port: bound } = server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    return `http://${host}:${bound}/`;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.heartbeat);
    for (const res of this.streams.keys()) res.end();
    this.streams.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://dashboard').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('the dashboard is read-only\n');
      return;
    }
    // No icon: an empty answer keeps browsers from logging a 404 for the one they ask for.
    if (path === '/favicon.ico') return void res.writeHead(204, SECURITY_HEADERS).end();
    if (path === '/healthz') return void res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end('ok\n');
    if (path === '/api/fleet' || path === '/api/stream') {
      const decision = await this.opts.access.check(req.headers.authorization);
      if (!decision.allowed) {
        const headers = { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store',
          ...(decision.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="metal3-provider dashboard"' } : {}) };
        res.writeHead(decision.status, headers).end(JSON.stringify({ error: decision.message }));
        return;
      }
      return path === '/api/fleet' ? this.sendSnapshot(res) : this.openStream(req, res);
    }
    const asset = this.opts.assets.get(path);
    if (asset) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': asset.contentType, 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
      return;
    }
    if (path === '/' && this.opts.assets.size === 0) {
      res.writeHead(503, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end('the dashboard page is not built: run `npm run build`\n');
      return;
    }
    res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end('not found\n');
  }

  private sendSnapshot(res: ServerResponse): void {
    const snapshot = this.opts.feed.current();
    res.writeHead(snapshot ? 200 : 503, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(snapshot ?? { error: 'the fleet is not loaded yet' }));
  }

  private openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive',
    });
    res.flushHeaders();
    this.streams.set(res, req.headers.authorization);
    req.on('close', () => this.streams.delete(res));
    const snapshot = this.opts.feed.current();
    if (snapshot) {
      res.write(fleetEvent(snapshot));
      this.synced.add(res);
    }
  }

  /** A stream that has a snapshot gets the delta; one opened before the first snapshot gets it whole. */
  private broadcast(snapshot: FleetSnapshot, delta: FleetDelta | undefined): void {
    const whole = fleetEvent(snapshot);
    const change = delta ? `event: fleet-delta\ndata: ${JSON.stringify(delta)}\n\n` : whole;
    for (const res of this.streams.keys()) {
      res.write(this.synced.has(res) ? change : whole);
      this.synced.add(res);
    }
  }

  /** Keeps idle connections open through proxies, and ends the streams whose token no longer passes. */
  private async recheckStreams(): Promise<void> {
    for (const [res, authorization] of [...this.streams]) {
      const decision = await this.opts.access.check(authorization);
      if (!this.streams.has(res)) continue;
      if (decision.allowed) res.write(': keep-alive\n\n');
      else {
        this.streams.delete(res);
        res.end(`event: refused\ndata: ${JSON.stringify({ status: decision.status, error: decision.message })}\n\n`);
      }
    }
  }
}

function fleetEvent(snapshot: FleetSnapshot): string {
  return `event: fleet\ndata: ${JSON.stringify(snapshot)}\n\n`;
}
