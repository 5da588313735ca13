/** Kubeconfigs for the lab server: a client-node KubeConfig and a YAML file kubectl accepts. */
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export function kubeConfigForUrl(url: string, name = 'lab'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name, server: url, skipTLSVerify: true }],
    users: [{ name: `${name}-user` }],
    contexts: [{ name, cluster: name, user: `${name}-user`, namespace: 'default' }],
    currentContext: name,
  });
  return kc;
}

export function kubeconfigYamlForUrl(url: string, name = 'lab'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain http unless skipTLSVerify is set; kubectl ignores it for http.
    clusters: [{ name, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: `${name}-user`, user: {} }],
    contexts: [{ name, context: { cluster: name, user: `${name}-user`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
