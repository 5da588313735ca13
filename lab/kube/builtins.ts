/** The built-in resources the lab serves (a small slice of core Kubernetes). */
import type { ExtraSubresource, PrinterColumn, ResourceDef } from './types.js';

interface BuiltinSpec {
  group?: string;
  version?: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  hasStatus?: boolean;
  printerColumns?: PrinterColumn[];
  allowCreateOnUpdate?: boolean;
  subresources?: ExtraSubresource[];
  verbs?: string[];
}

function builtin(s: BuiltinSpec): ResourceDef {
  const version = s.version ?? 'v1';
  return {
    group: s.group ?? '',
    version,
    versions: [version],
    plural: s.plural,
    singular: s.singular,
    kind: s.kind,
    listKind: `${s.kind}List`,
    namespaced: s.namespaced,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    hasStatus: s.hasStatus ?? false,
    isCustom: false,
    printerColumns: s.printerColumns ?? [],
    allowCreateOnUpdate: s.allowCreateOnUpdate ?? false,
    requireResourceVersionOnUpdate: false,
    subresources: s.subresources,
    verbs: s.verbs,
  };
}

export function builtinResources(): ResourceDef[] {
  return [
    builtin({ plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], hasStatus: true,
      printerColumns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }] }),
    builtin({ plural: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true,
      printerColumns: [{ name: 'Type', type: 'string', jsonPath: '.type' }, { name: 'Data', type: 'integer', jsonPath: '.data', format: 'count' }] }),
    builtin({ plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'],
      printerColumns: [{ name: 'Data', type: 'integer', jsonPath: '.data', format: 'count' }] }),
    builtin({ plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], hasStatus: true,
      printerColumns: [{ name: 'Status', type: 'string', jsonPath: '.status.conditions', format: 'node-ready' }, { name: 'Version', type: 'string', jsonPath: '.status.nodeInfo.kubeletVersion' }] }),
    builtin({ plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'], hasStatus: true,
      // kubectl drain evicts only when discovery lists pods/eviction with its group and version.
      subresources: [
        { name: 'pods/eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
        { name: 'pods/binding', group: '', version: 'v1', kind: 'Binding', verbs: ['create'] },
      ],
      printerColumns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }, { name: 'Node', type: 'string', jsonPath: '.spec.nodeName' }] }),
    builtin({ group: 'policy', plural: 'poddisruptionbudgets', singular: 'poddisruptionbudget', kind: 'PodDisruptionBudget', namespaced: true, shortNames: ['pdb'], hasStatus: true,
      printerColumns: [{ name: 'Min Available', type: 'string', jsonPath: '.spec.minAvailable' }, { name: 'Max Unavailable', type: 'string', jsonPath: '.spec.maxUnavailable' }, { name: 'Allowed Disruptions', type: 'integer', jsonPath: '.status.disruptionsAllowed' }] }),
    // Served so kubectl drain can tell a DaemonSet pod from an orphan (it GETs the owner).
    builtin({ group: 'apps', plural: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'], categories: ['all'], hasStatus: true }),
    // Stored only (no controller runs them), so `kubectl apply -k deploy` installs the host into the lab.
    builtin({ group: 'apps', plural: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], hasStatus: true,
      printerColumns: [{ name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' }, { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' }] }),
    builtin({ plural: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'], hasStatus: true,
      printerColumns: [{ name: 'Type', type: 'string', jsonPath: '.spec.type' }, { name: 'Cluster-IP', type: 'string', jsonPath: '.spec.clusterIP' }] }),
    builtin({ plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], allowCreateOnUpdate: true,
      printerColumns: [{ name: 'Type', type: 'string', jsonPath: '.type' }, { name: 'Reason', type: 'string', jsonPath: '.reason' }, { name: 'Object', type: 'string', jsonPath: '.involvedObject.name' }, { name: 'Message', type: 'string', jsonPath: '.message' }] }),
    builtin({ group: 'events.k8s.io', plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], allowCreateOnUpdate: true,
      printerColumns: [{ name: 'Type', type: 'string', jsonPath: '.type' }, { name: 'Reason', type: 'string', jsonPath: '.reason' }, { name: 'Note', type: 'string', jsonPath: '.note' }] }),
    builtin({ group: 'coordination.k8s.io', plural: 'leases', singular: 'lease', kind: 'Lease', namespaced: true, allowCreateOnUpdate: true,
      printerColumns: [{ name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity' }] }),
    builtin({ plural: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'],
      subresources: [{ name: 'serviceaccounts/token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }],
      printerColumns: [{ name: 'Secrets', type: 'integer', jsonPath: '.secrets', format: 'count' }] }),
    ...rbacResources(),
    ...reviewResources(),
    builtin({ group: 'apiextensions.k8s.io', plural: 'customresourcedefinitions', singular: 'customresourcedefinition', kind: 'CustomResourceDefinition',
      namespaced: false, shortNames: ['crd', 'crds'], hasStatus: true,
      printerColumns: [{ name: 'Created At', type: 'string', jsonPath: '.metadata.creationTimestamp' }] }),
  ];
}

const RBAC = 'rbac.authorization.k8s.io';

/** Roles and bindings, served as built-ins as kube-apiserver does. */
function rbacResources(): ResourceDef[] {
  const roleRef = { name: 'Role', type: 'string', jsonPath: '.roleRef', format: 'role-ref' };
  return [
    builtin({ group: RBAC, plural: 'roles', singular: 'role', kind: 'Role', namespaced: true }),
    builtin({ group: RBAC, plural: 'clusterroles', singular: 'clusterrole', kind: 'ClusterRole', namespaced: false }),
    builtin({ group: RBAC, plural: 'rolebindings', singular: 'rolebinding', kind: 'RoleBinding', namespaced: true, printerColumns: [roleRef] }),
    builtin({ group: RBAC, plural: 'clusterrolebindings', singular: 'clusterrolebinding', kind: 'ClusterRoleBinding', namespaced: false, printerColumns: [roleRef] }),
  ];
}

/** TokenReview, SubjectAccessReview and the self-reviews: create-only, answered and never stored. */
function reviewResources(): ResourceDef[] {
  const review = (group: string, plural: string, kind: string, namespaced = false) =>
    builtin({ group, plural, singular: '', kind, namespaced, verbs: ['create'] });
  return [
    review('authentication.k8s.io', 'tokenreviews', 'TokenReview'),
    review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview'),
    review('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview'),
    review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
    review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
    review('authorization.k8s.io', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
  ];
}

/**
 * Per-kind write rules of built-ins: Secret stringData folds into base64 data; Namespaces start Active;
 * Pods created without a status start Pending (there is no kubelet: tests write Running via /status).
 */
export function prepareBuiltinWrite(def: ResourceDef, obj: Record<string, unknown>, creating: boolean): void {
  if (def.isCustom || def.group !== '') return;
  if (def.plural === 'secrets') {
    const stringData = obj.stringData as Record<string, string> | undefined;
    if (stringData) {
      const data = { ...((obj.data as Record<string, string>) ?? {}) };
      for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      obj.data = data;
      delete obj.stringData;
    }
    if (creating && !obj.type) obj.type = 'Opaque';
  }
  if (def.plural === 'namespaces' && creating) {
    obj.spec = { finalizers: ['kubernetes'], ...((obj.spec as object) ?? {}) };
    obj.status = { phase: 'Active' };
  }
  if (def.plural === 'pods' && creating && !(obj.status as { phase?: string } | undefined)?.phase) {
    obj.status = { ...((obj.status as object) ?? {}), phase: 'Pending' };
  }
}
