/**
 * Raw HTTPS requests to a lab API for tests that look at the wire (status codes, headers, bodies
 * client-node would rewrite): verifies the server's CA and sends the admin's bearer token unless
 * `token` says otherwise (`null`: no Authorization header at all). Answers a WHATWG `Response`.
 */
import { request } from 'node:https';
import type { KubeApiServer } from '../../lab/kube/index.js';

export interface ApiFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  token?: string | null;
}

export function apiFetch(server: Pick<KubeApiServer, 'url' | 'caCertPem' | 'adminToken'>, path: string, init: ApiFetchInit = {}): Promise<Response> {
  const token = init.token === undefined ? server.adminToken : init.token;
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server.url), { method: init.method ?? 'GET', headers, ca: server.caCertPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        const status = res.statusCode ?? 500;
        resolve(new Response(status === 204 ? null : Buffer.concat(chunks), { status, headers: h }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
