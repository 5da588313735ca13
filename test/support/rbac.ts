/** Builders for RBAC objects and ServiceAccount clients against a lab API. */
import { CoreV1Api, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeApiServer } from '../../lab/kube/index.js';

const RBAC = 'rbac.authorization.k8s.io';

export interface Rule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export const saSubject = (namespace: string, name: string) => ({ kind: 'ServiceAccount', name, namespace });
export const userSubject = (name: string) => ({ kind: 'User', apiGroup: RBAC, name });
export const groupSubject = (name: string) => ({ kind: 'Group', apiGroup: RBAC, name });
type Subject = ReturnType<typeof saSubject> | ReturnType<typeof userSubject>;

export const role = (namespace: string, name: string, rules: Rule[]) =>
  ({ apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name, namespace }, rules });

export const clusterRole = (name: string, rules: Rule[], extra: { labels?: Record<string, string>; aggregationRule?: object } = {}) =>
  ({ apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name, labels: extra.labels }, rules, ...(extra.aggregationRule ? { aggregationRule: extra.aggregationRule } : {}) });

export const roleBinding = (namespace: string, name: string, roleRef: { kind: 'Role' | 'ClusterRole'; name: string }, subjects: Subject[]) =>
  ({ apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: RBAC, ...roleRef }, subjects });

export const clusterRoleBinding = (name: string, roleName: string, subjects: Subject[]) =>
  ({ apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: roleName }, subjects });

/** Creates the objects as the admin (in order). */
export async function createAll(kc: KubeConfig, objects: object[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const o of objects) await api.create(o as KubernetesObject);
}

/** Creates ServiceAccount `namespace/name` (and the namespace) and answers a KubeConfig with a fresh token of it. */
export async function serviceAccountKubeConfig(api: KubeApiServer, namespace: string, name: string): Promise<KubeConfig> {
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } }).catch((e: { code?: number }) => { if (e.code !== 409) throw e; });
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } }).catch((e: { code?: number }) => { if (e.code !== 409) throw e; });
  return api.kubeConfig({ name: `${namespace}-${name}`, token: await api.serviceAccountToken(namespace, name), namespace });
}
