/**
 * A crash point for the plugin: a small HTTPS proxy (127.0.0.1, the lab API's own certificate, so
 * clients verify the same CA) in front of the lab API
 * that counts the plugin's writes (POST/PUT/PATCH/DELETE) and, once write number `crashAfterWrite`
 * has been forwarded and its answer delivered, "kills" the client: every open socket is destroyed
 * and every later request fails at once — as if the process died right after that write. Writes
 * that arrive after the crash point are never forwarded, so exactly `crashAfterWrite` writes reach
 * the API even when the plugin issues some in parallel.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { kubeConfigForUrl, type KubeApiServer } from '../../lab/kube/index.js';
import type { KubeConfig } from '@kubernetes/client-node';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ProxiedWrite {
  method: string;
  path: string;
  status: number;
}

export interface CrashProxy {
  /** A KubeConfig pointing at the proxy: hand it to the plugin activation that is to "die". */
  kubeConfig: KubeConfig;
  url: string;
  /** Writes forwarded and answered so far, in order. */
  readonly writes: readonly ProxiedWrite[];
  /** True once the crash point has been reached (or crash() was called). */
  readonly crashed: boolean;
  /** Resolves when the crash happens. */
  readonly whenCrashed: Promise<void>;
  /** Kills the client now, whatever the write count. */
  crash(): void;
  close(): Promise<void>;
}

export interface CrashProxyOptions {
  /** The lab API the proxy forwards to (its TLS certificate and admin credentials are reused). */
  target: KubeApiServer;
  /** Crash right after this write (1-based) has been answered; undefined: never crash by count. */
  crashAfterWrite?: number;
}

export async function startCrashProxy(opts: CrashProxyOptions): Promise<CrashProxy> {
  const api = opts.target;
  const target = new URL(api.url);
  const sockets = new Set<Socket>();
  const writes: ProxiedWrite[] = [];
  let writesIssued = 0;
  let crashed = false;
  let signalCrash = () => {};
  const whenCrashed = new Promise<void>((resolve) => (signalCrash = resolve));

  const crash = () => {
    if (crashed) return;
    crashed = true;
    for (const socket of sockets) socket.destroy();
    signalCrash();
  };

  const forward = (req: IncomingMessage, res: ServerResponse, onAnswered?: (status: number) => void) => {
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, ca: api.caCertPem },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders(); // a watch answers headers long before its first event
        answer.pipe(res);
        if (onAnswered) res.on('finish', () => onAnswered(answer.statusCode ?? 502));
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };

  // 'connection' hands over the TCP socket under TLS, so destroying sockets still kills the client.
  const server = createServer({ cert: api.tls.certPem, key: api.tls.keyPem }, (req, res) => {
    if (crashed) return req.socket.destroy();
    if (!WRITE_METHODS.has(req.method ?? '')) return forward(req, res);
    const number = ++writesIssued;
    if (opts.crashAfterWrite !== undefined && number > opts.crashAfterWrite) {
      // Issued after the crash point by a parallel branch: never reaches the API.
      void whenCrashed.then(() => req.socket.destroy());
      return;
    }
    forward(req, res, (status) => {
      writes.push({ method: req.method ?? '', path: req.url ?? '', status });
      if (number === opts.crashAfterWrite) setImmediate(crash);
    });
  });
  server.on('connection', (socket: Socket) => {
    if (crashed) return socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    kubeConfig: kubeConfigForUrl(url, 'crash-proxy', { caCertPem: api.caCertPem, token: api.adminToken }),
    url,
    writes,
    get crashed() {
      return crashed;
    },
    whenCrashed,
    crash,
    async close() {
      crash();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
