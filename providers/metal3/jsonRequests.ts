/**
 * The claim's hot-path requests without client-node's generated pipeline (rxjs stub, node-fetch,
 * ObjectSerializer): one HTTP(S) request on the KubeConfig's own connection settings, JSON in and out.
 * Per request `applyToHTTPSOptions` applies what client-node applies (bearer token, exec and auth
 * providers, basic auth, client certificate, CA, `tlsServerName`, impersonation) and returns the
 * KeepAliveKubeConfig's one agent, so TLS verification is exactly client-node's (off only for
 * `insecure-skip-tls-verify`). A non-2xx answer throws client-node's own ApiException (`code`, `body`
 * as the raw text, lower-case `headers`), so error translation and retries see what they see from
 * the generated API. Measured in BENCHMARKS.md "CPU per claim, session 4 (site requests)".
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { ApiException, type KubeConfig } from '@kubernetes/client-node';

export type JsonMethod = 'GET' | 'POST' | 'PUT';

/** `Accept` of a metadata-only read, as the real apiserver serves it (kubectl get -o name / client-go metadata client). */
export const PARTIAL_OBJECT_METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

export class JsonRequests {
  constructor(private readonly kubeConfig: KubeConfig) {}

  /** Sends `body` (JSON) to `path` under the cluster's server URL; resolves to the parsed answer. */
  async send<T>(method: JsonMethod, path: string, body?: unknown, accept = 'application/json'): Promise<T> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    const options: https.RequestOptions = { headers: {} };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: http.OutgoingHttpHeaders = { ...(options.headers as http.OutgoingHttpHeaders), Accept: accept };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const request = url.protocol === 'http:' ? http.request : https.request;
    const { status, text, responseHeaders } = await new Promise<{ status: number; text: string; responseHeaders: Record<string, string> }>(
      (resolve, reject) => {
        const req = request(
          {
            method,
            protocol: url.protocol,
            hostname: url.hostname.replace(/^\[|\]$/g, ''),
            port: url.port,
            path: url.pathname + url.search,
            headers,
            agent: options.agent,
            auth: options.auth,
            servername: options.servername,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), responseHeaders: flatHeaders(res.headers) }),
            );
          },
        );
        req.on('error', reject);
        req.end(payload);
      },
    );
    if (status >= 200 && status <= 299) return JSON.parse(text) as T;
    // The generated API's shapes: 401 carries no body, everything else the raw text.
    if (status === 401) throw new ApiException(status, 'Unauthorized', undefined, responseHeaders);
    throw new ApiException(status, 'Unknown API Status Code!', text, responseHeaders);
  }
}

/** node-fetch's view of response headers: lower-case names, repeated values joined by ", ". */
function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
