/**
 * The default roles kube-apiserver creates at start (its bootstrap policy, the part the lab needs):
 * cluster-admin for system:masters, discovery and the self-reviews for every authenticated user,
 * health and version for everyone, and system:auth-delegator (TokenReview, SubjectAccessReview) for
 * components that check their callers.
 */
import type { PolicyRule } from './rbac.js';
import { RBAC_GROUP } from './rbac.js';
import { GROUP } from './users.js';

const metadata = (name: string) => ({
  name,
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
});

const DISCOVERY_URLS = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];
const PUBLIC_INFO_URLS = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

const ROLES: Record<string, PolicyRule[]> = {
  'cluster-admin': [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }],
  'system:discovery': [{ nonResourceURLs: DISCOVERY_URLS, verbs: ['get'] }],
  'system:basic-user': [
    { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  ],
  'system:public-info-viewer': [{ nonResourceURLs: PUBLIC_INFO_URLS, verbs: ['get'] }],
  'system:auth-delegator': [
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
  ],
};

const BINDINGS: Record<string, string[]> = {
  'cluster-admin': [GROUP.masters],
  'system:discovery': [GROUP.authenticated],
  'system:basic-user': [GROUP.authenticated],
  'system:public-info-viewer': [GROUP.authenticated, GROUP.unauthenticated],
};

export function bootstrapClusterRoles(): object[] {
  return Object.entries(ROLES).map(([name, rules]) => ({ apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: metadata(name), rules }));
}

export function bootstrapClusterRoleBindings(): object[] {
  return Object.entries(BINDINGS).map(([name, groups]) => ({
    apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRoleBinding', metadata: metadata(name),
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
    subjects: groups.map((g) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name: g })),
  }));
}
