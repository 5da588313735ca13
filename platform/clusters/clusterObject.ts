/**
 * The connected-cluster object (`management.loft.sh/v1` Cluster, cluster-scoped) and how its kubeconfig
 * Secret becomes a client configuration. Every problem names the Cluster and the field; nothing from the
 * Secret's content ever goes into a message.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterProblem } from '../../plugin/contract.js';

export interface ClusterObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; resourceVersion?: string; uid?: string; generation?: number };
  spec?: {
    displayName?: string;
    config?: { secretName?: string; secretNamespace?: string; key?: string };
    local?: boolean;
    unusable?: boolean;
  };
  status?: { phase?: string; reason?: string; message?: string; conditions?: unknown[] };
}

/** Where a Cluster's kubeconfig Secret lives when `spec.config` leaves it out (the platform's namespace). */
export const DEFAULT_SECRET_NAMESPACE = 'vcluster-platform';
/** The Secret key holding the kubeconfig when `spec.config.key` is empty. */
export const DEFAULT_KUBECONFIG_KEY = 'config';

export interface SecretLocation {
  namespace: string;
  name: string;
  key: string;
}

export type Problem = { reason: ClusterProblem; message: string };

/** The Secret named by `spec.config`, or the problem with the field. */
export function secretLocationOf(cluster: ClusterObject): SecretLocation | Problem {
  const config = cluster.spec?.config;
  const name = config?.secretName;
  if (!name) {
    return { reason: 'KubeconfigMissing', message: `Cluster ${cluster.metadata.name}: spec.config.secretName: is required (the Secret holding the cluster's kubeconfig)` };
  }
  return { namespace: config?.secretNamespace || DEFAULT_SECRET_NAMESPACE, name, key: config?.key || DEFAULT_KUBECONFIG_KEY };
}

/** Parses the kubeconfig held under `where.key` of the Secret's data (base64) into a KubeConfig. */
export function kubeConfigFromSecret(
  cluster: string,
  where: SecretLocation,
  data: Record<string, string> | undefined,
): { kubeConfig: KubeConfig; text: string } | Problem {
  const secret = `Secret ${where.namespace}/${where.name}`;
  const field = `Cluster ${cluster}: spec.config`;
  const encoded = data?.[where.key];
  if (encoded === undefined) {
    return { reason: 'KubeconfigMissing', message: `${field}.key: ${secret} has no key "${where.key}"` };
  }
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const invalid = (problem: string): Problem => ({ reason: 'KubeconfigInvalid', message: `${field}: ${secret} key "${where.key}": ${problem}` });
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromString(text);
  } catch {
    // The parser's message quotes the offending text, which may be a credential: say only what is wrong.
    return invalid('is not a kubeconfig (unparsable YAML/JSON)');
  }
  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
  if (!context) return invalid('has no current-context naming one of its contexts');
  const server = kubeConfig.getCluster(context.cluster)?.server;
  if (!server) return invalid(`context "${context.name}" names no cluster with a server URL`);
  try {
    new URL(server);
  } catch {
    return invalid(`cluster server "${server}" is not a URL`);
  }
  return { kubeConfig, text };
}
