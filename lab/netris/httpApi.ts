/**
 * The Netris-like REST API of the emulator. Plausible, not byte-exact Netris. Every answer is the
 * envelope `{ isSuccess, message?, data? }`.
 *
 *   POST /api/auth                    {user|username, password} → 200 + cookie `netris.sid`
 *                                     and data.token (usable as `Authorization: Bearer`); 401 otherwise
 *   GET  /api/v2/servercluster        list; `?name=` filters (empty list when unknown)
 *   POST /api/v2/servercluster        {name, vlanId, subnet, gateway, tenant?, dns?} → 201;
 *                                     409 when the name, VLAN or subnet is taken (incl. management)
 *   GET  /api/v2/port                 list; `?switch=&port=` filter
 *   GET  /api/v2/port/{id}            one port: network (V-Net), untagged VLAN, status active|provisioning
 *   PUT  /api/v2/port/{id}/vnet       {vnet: <server cluster> | "parking-lot"} → 202 with the port;
 *                                     the port becomes an access port with that V-Net's untagged VLAN
 *
 * Everything but /api/auth answers 401 without a valid session. Faults apply to port moves only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { FabricModelError, PARKING_LOT, type NetrisModel, type PortRecord, type ServerClusterRecord } from './model.js';

export interface NetrisFaults {
  /** Fail this many upcoming port moves with 503. */
  failNext?: number;
  /** Let this many port moves succeed before `failNext` starts failing. */
  afterMoves?: number;
  /** Delay every port move by this much. */
  latencyMs?: number;
}

export interface NetrisApiOptions {
  username: string;
  password: string;
}

interface Reply {
  status: number;
  body: { isSuccess: boolean; message?: string; data?: unknown };
  headers?: Record<string, string>;
}

const SESSION_COOKIE = 'netris.sid';

export class NetrisApi {
  private readonly sessions = new Set<string>();
  private faults: NetrisFaults = {};
  /** Port moves answered so far, failed or not (tests read it to prove idempotency). */
  moveCount = 0;

  constructor(private readonly model: NetrisModel, private readonly opts: NetrisApiOptions) {}

  setFaults(faults: NetrisFaults = {}): void {
    this.faults = { ...faults };
  }

  /** Logs every client out; their next call gets 401. */
  revokeSessions(): void {
    this.sessions.clear();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.route(req);
    } catch (err) {
      reply = err instanceof FabricModelError
        ? fail(err.status, err.message)
        : fail(500, `internal error: ${(err as Error).message}`);
    }
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }

  private async route(req: IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://netris.local');
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    if (path === '/api/auth' && method === 'POST') return this.login(await readJson(req));
    if (!this.authenticated(req)) return fail(401, 'authentication required');

    if (path === '/api/v2/servercluster') {
      if (method === 'GET') {
        const name = url.searchParams.get('name');
        const all = this.model.listServerClusters().filter((c) => name === null || c.name === name);
        return ok(200, all.map(clusterView));
      }
      if (method === 'POST') {
        const body = await readJson(req);
        const created = this.model.addServerCluster({
          name: String(body.name ?? ''),
          vlanId: Number(body.vlanId),
          subnet: String(body.subnet ?? ''),
          gateway: String(body.gateway ?? ''),
          tenant: typeof body.tenant === 'string' ? body.tenant : undefined,
          dns: Array.isArray(body.dns) ? body.dns.map(String) : undefined,
        });
        return ok(201, clusterView(created));
      }
    }
    if (path === '/api/v2/port' && method === 'GET') {
      const sw = url.searchParams.get('switch');
      const pt = url.searchParams.get('port');
      const ports = this.model.listPorts().filter((p) => (sw === null || p.switchId === sw) && (pt === null || p.portId === pt));
      return ok(200, ports.map((p) => this.portView(p)));
    }
    const portMatch = /^\/api\/v2\/port\/(\d+)(\/vnet)?$/.exec(path);
    if (portMatch) {
      const id = Number(portMatch[1]);
      if (!portMatch[2] && method === 'GET') {
        const port = this.model.port(id);
        return port ? ok(200, this.portView(port)) : fail(404, `port ${id} does not exist`);
      }
      if (portMatch[2] && method === 'PUT') return this.movePort(id, await readJson(req));
    }
    return fail(404, `no route ${method} ${path}`);
  }

  private login(body: Record<string, unknown>): Reply {
    const user = String(body.user ?? body.username ?? '');
    const password = String(body.password ?? '');
    if (!sameSecret(user, this.opts.username) || !sameSecret(password, this.opts.password)) {
      return fail(401, 'invalid username or password');
    }
    const token = randomBytes(24).toString('hex');
    this.sessions.add(token);
    return {
      status: 200,
      body: { isSuccess: true, data: { token } },
      headers: { 'set-cookie': `${SESSION_COOKIE}=${token}; Path=/; HttpOnly` },
    };
  }

  private authenticated(req: IncomingMessage): boolean {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const cookie = (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim().split('='))
      .find(([k]) => k === SESSION_COOKIE)?.[1];
    return [bearer, cookie].some((t) => t !== undefined && this.sessions.has(t));
  }

  private async movePort(id: number, body: Record<string, unknown>): Promise<Reply> {
    const vnet = body.vnet;
    if (typeof vnet !== 'string' || !vnet) return fail(400, 'body.vnet must be a server cluster name or "parking-lot"');
    this.moveCount++;
    const { latencyMs = 0 } = this.faults;
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    if ((this.faults.afterMoves ?? 0) > 0) {
      this.faults.afterMoves!--;
    } else if ((this.faults.failNext ?? 0) > 0) {
      this.faults.failNext!--;
      return fail(503, `switch did not accept the configuration for port ${id} (injected fault)`);
    }
    return ok(202, this.portView(this.model.movePort(id, vnet)));
  }

  private portView(p: PortRecord) {
    return {
      id: p.id,
      name: `${p.portId}@${p.switchId}`,
      switchName: p.switchId,
      portName: p.portId,
      mac: p.mac,
      mode: 'access',
      vnet: p.network,
      untaggedVlan: p.vlanId,
      isParkingLot: p.network === PARKING_LOT,
      status: this.model.status(p),
    };
  }
}

function clusterView(c: ServerClusterRecord) {
  return { id: c.id, name: c.name, tenant: c.tenant, vnet: c.vnet };
}

function ok(status: number, data: unknown): Reply {
  return { status, body: { isSuccess: true, data } };
}

function fail(status: number, message: string): Reply {
  return { status, body: { isSuccess: false, message } };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the 400 below
  }
  throw new FabricModelError(400, 'request body must be a JSON object');
}
