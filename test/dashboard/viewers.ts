/**
 * Two ServiceAccounts of the lab's management API for the dashboard's access tests: `viewer`, bound
 * to a ClusterRole that may list NodeClaims (what the dashboard asks for), and `stranger`, who may not.
 */
import type { KubeApiServer } from '../../lab/kube/index.js';
import { clusterRole, clusterRoleBinding, createAll, saSubject, serviceAccountKubeConfig } from '../support/rbac.js';

export const VIEWERS_NAMESPACE = 'fleet-viewers';

export interface ViewerTokens {
  viewer: string;
  stranger: string;
}

export async function fleetViewers(api: KubeApiServer): Promise<ViewerTokens> {
  const token = async (name: string) => (await serviceAccountKubeConfig(api, VIEWERS_NAMESPACE, name)).getCurrentUser()!.token!;
  const tokens = { viewer: await token('viewer'), stranger: await token('stranger') };
  await createAll(api.kubeConfig(), [
    clusterRole('fleet-viewer', [{ verbs: ['get', 'list', 'watch'], apiGroups: ['management.loft.sh'], resources: ['nodeclaims'] }]),
    clusterRoleBinding('fleet-viewer', 'fleet-viewer', [saSubject(VIEWERS_NAMESPACE, 'viewer')]),
  ]);
  return tokens;
}
