/**
 * A gate in front of the lab API (real HTTPS on 127.0.0.1 with the API's own certificate, so clients
 * verify the same CA) for reproducing races between replicas:
 * `hold` stops the next request that matches until the test releases it, `fail` answers matching
 * requests with an error status instead of forwarding them. Everything else is forwarded as is
 * (watches stream through).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeConfigForUrl, type KubeApiServer } from '../../lab/kube/index.js';

export type RequestMatch = (method: string, path: string) => boolean;

export interface HeldRequest {
  method: string;
  path: string;
  /** Forwards the request; resolves with the status the API answered. */
  release(): Promise<number>;
}

export interface GateProxy {
  kubeConfig: KubeConfig;
  /** Resolves when the next request matching `match` arrives; it waits until released. */
  hold(match: RequestMatch): Promise<HeldRequest>;
  /** Answers every request matching `match` with `status` until the returned function is called. */
  fail(match: RequestMatch, status: number): () => void;
  close(): Promise<void>;
}

export async function startGateProxy(opts: { target: KubeApiServer }): Promise<GateProxy> {
  const api = opts.target;
  const target = new URL(api.url);
  const sockets = new Set<Socket>();
  const holds: { match: RequestMatch; arrived: (held: HeldRequest) => void }[] = [];
  const failures = new Set<{ match: RequestMatch; status: number }>();

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<number> => new Promise((resolve) => {
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, ca: api.caCertPem },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders();
        answer.pipe(res);
        resolve(answer.statusCode ?? 502);
      },
    );
    upstream.on('error', () => {
      res.destroy();
      resolve(502);
    });
    res.on('close', () => upstream.destroy());
    upstream.end(body);
  });

  const server = createServer({ cert: api.tls.certPem, key: api.tls.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? '';
      const path = req.url ?? '';
      const body = Buffer.concat(chunks);
      const failure = [...failures].find((f) => f.match(method, path));
      if (failure) {
        res.writeHead(failure.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'injected by the test gate', code: failure.status }));
        return;
      }
      const i = holds.findIndex((h) => h.match(method, path));
      if (i < 0) return void forward(req, res, body);
      const [held] = holds.splice(i, 1);
      held.arrived({ method, path, release: () => forward(req, res, body) });
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    kubeConfig: kubeConfigForUrl(url, 'gate-proxy', { caCertPem: api.caCertPem, token: api.adminToken }),
    hold: (match) => new Promise((arrived) => holds.push({ match, arrived })),
    fail(match, status) {
      const rule = { match, status };
      failures.add(rule);
      return () => failures.delete(rule);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
