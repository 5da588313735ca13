/**
 * The tenant's HTTPS endpoint (own CA). `/node/*` serves the join flow; every other path is proxied
 * to the tenant's Kubernetes API, so the endpoint is also the API server address in kubeconfigs.
 * Tokens are checked against the bootstrap-token Secrets in the tenant API on every request, and are
 * never echoed in answers or logs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';
import {
  parseToken, secretNameFor, TOKEN_NAMESPACE, TOKEN_USED_AT_ANNOTATION, TOKEN_USED_BY_ANNOTATION, verifyToken,
  type ParsedToken,
} from './bootstrapTokens.js';
import { renderJoinScript } from './joinScript.js';
import { InvalidNodeRequestError, parseNodeLabels, parseNodeTaints, type NodeRegistry } from './nodeRegistry.js';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

export interface JoinEndpointOptions {
  tenantName: string;
  host: string;
  tls: { certPem: string; keyPem: string };
  caCertPem: string;
  caCertHash: string;
  /** Base URL of the tenant's Kubernetes API (HTTPS on loopback, served with the tenant CA). */
  apiUrl: string;
  core: CoreV1Api;
  nodes: NodeRegistry;
  logger?: Logger;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const MAX_BODY_BYTES = 64 * 1024;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export class JoinEndpoint {
  private readonly server: Server;
  /** One keep-alive agent to the tenant API: one TLS handshake, not one per proxied request. */
  private readonly upstream: Agent;
  private url = '';

  constructor(private readonly opts: JoinEndpointOptions) {
    this.upstream = new Agent({ keepAlive: true, ca: opts.caCertPem });
    this.server = createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, (req, res) => void this.handle(req, res));
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.opts.host, () => resolve());
    });
    this.url = `https://${this.opts.host}:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.upstream.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://endpoint');
    if (!url.pathname.startsWith('/node/')) return this.proxy(req, res);
    try {
      const route = `${req.method} ${url.pathname}`;
      if (route === 'GET /node/join') return await this.join(url, res);
      if (route === 'GET /node/cluster-info') return this.reply(res, 200, this.clusterInfo(), 'application/yaml');
      if (route === 'POST /node/register') return await this.register(await readForm(req), res);
      if (route === 'POST /node/heartbeat') return await this.heartbeat(req, await readForm(req), res);
      throw new HttpError(404, `no such endpoint ${req.method} ${url.pathname}`);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : err instanceof InvalidNodeRequestError ? 400 : 500;
      if (status === 500) this.opts.logger?.error({ path: url.pathname, err: String(err) }, 'join endpoint failed');
      else this.opts.logger?.info({ path: url.pathname, status, reason: (err as Error).message }, 'join endpoint refused');
      this.reply(res, status, `${(err as Error).message}\n`);
    }
  }

  private reply(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  }

  /** Validates a presented token string against its Secret; throws the 4xx the caller should see. */
  private async authenticate(raw: string | null): Promise<{ token: ParsedToken; secret: V1Secret }> {
    const token = parseToken(raw);
    if (!token) throw new HttpError(400, 'invalid token format');
    const secret = await this.readTokenSecret(token.id);
    const verdict = verifyToken(token, secret, new Date());
    if (!verdict.ok) throw new HttpError(verdict.status, verdict.reason);
    return { token, secret: secret! };
  }

  private async readTokenSecret(id: string): Promise<V1Secret | undefined> {
    try {
      return await this.opts.core.readNamespacedSecret({ name: secretNameFor(id), namespace: TOKEN_NAMESPACE });
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  private async join(url: URL, res: ServerResponse): Promise<void> {
    const { token } = await this.authenticate(url.searchParams.get('token'));
    const script = renderJoinScript({
      tenantName: this.opts.tenantName, endpoint: this.url, caCertPem: this.opts.caCertPem,
      caCertHash: this.opts.caCertHash, token: `${token.id}.${token.secret}`,
    });
    this.opts.logger?.info({ tokenId: token.id }, 'served join script');
    this.reply(res, 200, script, 'text/x-shellscript; charset=utf-8');
  }

  /** What kubeadm discovery reads: the `cluster-info` kubeconfig (CA data and server). */
  private clusterInfo(): string {
    const caData = Buffer.from(this.opts.caCertPem).toString('base64');
    return [
      'apiVersion: v1', 'kind: Config', 'clusters:', '- name: ""', '  cluster:',
      `    certificate-authority-data: ${caData}`, `    server: ${this.url}`, 'contexts: null', 'users: null', '',
    ].join('\n');
  }

  private async register(form: URLSearchParams, res: ServerResponse): Promise<void> {
    const { token } = await this.authenticate(form.get('token'));
    const nodeName = form.get('nodeName') ?? '';
    const labels = parseNodeLabels(form.get('labels') ?? '');
    const credential = await this.opts.nodes.register(nodeName, labels, parseNodeTaints(form.get('taints') ?? ''));
    await this.markTokenUsed(token.id, nodeName);
    this.reply(res, 200, `node=${nodeName}\ncredential=${credential}\n`);
  }

  private async markTokenUsed(id: string, nodeName: string): Promise<void> {
    const annotations = { [TOKEN_USED_BY_ANNOTATION]: nodeName, [TOKEN_USED_AT_ANNOTATION]: new Date().toISOString() };
    await this.opts.core.patchNamespacedSecret(
      { name: secretNameFor(id), namespace: TOKEN_NAMESPACE, body: { metadata: { annotations } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  private async heartbeat(req: IncomingMessage, form: URLSearchParams, res: ServerResponse): Promise<void> {
    const credential = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!credential) throw new HttpError(401, 'missing kubelet credential');
    if (!(await this.opts.nodes.heartbeat(form.get('node') ?? '', credential))) throw new HttpError(401, 'unknown node or credential');
    res.writeHead(204).end();
  }

  private proxy(req: IncomingMessage, res: ServerResponse): void {
    const target = new URL(req.url ?? '/', this.opts.apiUrl);
    // Credentials pass through: the tenant API authenticates and authorizes every proxied request.
    const upstream = httpsRequest(target, { method: req.method, headers: { ...req.headers, host: target.host }, agent: this.upstream }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders();
      answer.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) this.reply(res, 502, `tenant API unavailable: ${err.message}\n`);
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}
