/**
 * Kubeconfigs for a lab server: a client-node KubeConfig and a YAML file kubectl accepts, both
 * verifying the server against its CA and carrying a bearer token (never insecure-skip-tls-verify).
 * The KubeConfig reuses TLS connections (the plugin's keep-alive agent): client-node alone makes a
 * TLS handshake per request, which made lab-internal traffic several times slower than plain HTTP.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { KeepAliveKubeConfig } from '../../common/keepAlive.js';

const IDLE_SOCKET_MS = 1000;

export interface ApiCredentials {
  /** PEM of the CA that signed the server's certificate. */
  caCertPem: string;
  /** Bearer token: the admin's static token, or a ServiceAccount token. */
  token: string;
}

export function kubeConfigForUrl(url: string, name: string, credentials: ApiCredentials, namespace = 'default'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYamlForUrl(url, name, credentials, namespace));
  // An idle socket closes after a second (the agent destroys free sockets that time out), so tests that
  // count open handles see the lab's clients settle; the server closes every connection when it stops.
  return new KeepAliveKubeConfig(kc, { timeout: IDLE_SOCKET_MS }).kubeConfig;
}

export function kubeconfigYamlForUrl(url: string, name: string, credentials: ApiCredentials, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: url, 'certificate-authority-data': Buffer.from(credentials.caCertPem).toString('base64') } }],
    users: [{ name: `${name}-user`, user: { token: credentials.token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-user`, namespace } }],
    'current-context': name,
    preferences: {},
  });
}
