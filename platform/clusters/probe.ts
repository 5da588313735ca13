/**
 * Whether a connected cluster answers and accepts the credentials of its kubeconfig: an authenticated
 * discovery request (`GET /api`), bounded in time. 401/403 mean the credentials are refused; no answer
 * means unreachable. Messages carry the server URL and the failure, never credentials.
 */
import { CoreApi, type KubeConfig } from '@kubernetes/client-node';
import type { Problem } from './clusterObject.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 5000;

export async function probeCluster(cluster: string, kubeConfig: KubeConfig, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<Problem | undefined> {
  const server = kubeConfig.getCurrentCluster()?.server ?? '(no server)';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const answer = await Promise.race([kubeConfig.makeApiClient(CoreApi).getAPIVersions(), timeout]);
    if (answer === 'timeout') return { reason: 'Unreachable', message: `Cluster ${cluster}: ${server} did not answer within ${timeoutMs} ms` };
    return undefined;
  } catch (err) {
    const status = (err as { code?: unknown }).code;
    if (status === 401 || status === 403) {
      return { reason: 'CredentialsRefused', message: `Cluster ${cluster}: ${server} refused the kubeconfig's credentials (HTTP ${status})` };
    }
    if (typeof status === 'number') return { reason: 'Unreachable', message: `Cluster ${cluster}: ${server} answered HTTP ${status}` };
    return { reason: 'Unreachable', message: `Cluster ${cluster}: ${server} is unreachable: ${networkCause(err)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** The network error's code (ECONNREFUSED, ENOTFOUND, ...) or its first line. */
function networkCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  const code = (err as { code?: unknown }).code ?? cause?.code;
  if (typeof code === 'string') return code;
  return String((err as Error)?.message ?? err).split('\n')[0];
}
