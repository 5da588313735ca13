/**
 * The RBAC authorizer (rbac.authorization.k8s.io/v1): ClusterRoleBindings grant their ClusterRole
 * everywhere, RoleBindings grant a Role or ClusterRole in their namespace. Rules match verbs, API groups,
 * resources (`pods`, `pods/status`, `*`, `*\/scale`), resourceNames and nonResourceURLs (`/apis/*`).
 * Members of system:masters are allowed everything, as kube's privileged-group authorizer does.
 * Rules per user are cached until any RBAC object changes.
 */
import type { Attributes } from './attributes.js';
import type { ResourceRegistry } from './registry.js';
import type { ObjectStore } from './store.js';
import type { KubeObject } from './types.js';
import { GROUP, type UserInfo } from './users.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

interface Binding extends KubeObject {
  subjects?: Subject[];
  roleRef: { kind: string; name: string; apiGroup?: string };
}

interface Grant {
  rule: PolicyRule;
  /** `ClusterRoleBinding "x" of ClusterRole "y"`, for the allow reason. */
  source: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

const has = (list: string[] | undefined, value: string) => !!list?.some((v) => v === '*' || v === value);

export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) {
    return !!rule.nonResourceURLs?.some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  }
  if (!has(rule.apiGroups, a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk = rule.resources?.some((r) => r === '*' || r === combined || (a.subresource !== '' && r === `*/${a.subresource}`));
  if (!resourceOk) return false;
  return !rule.resourceNames?.length || rule.resourceNames.includes(a.name);
}

function appliesTo(subject: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User': return subject.name === user.username;
    case 'Group': return user.groups.includes(subject.name);
    case 'ServiceAccount': return user.username === `system:serviceaccount:${subject.namespace || bindingNamespace}:${subject.name}`;
    default: return false;
  }
}

export class RbacAuthorizer {
  private cache = new Map<string, { cluster: Grant[]; namespaced: Map<string, Grant[]> }>();

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
  ) {}

  /** Called on every RBAC write: cached grants may be stale. */
  invalidate(): void {
    this.cache.clear();
  }

  authorize(a: Attributes): Decision {
    if (a.user.groups.includes(GROUP.masters)) return { allowed: true, reason: '' };
    const entry = this.entryFor(a.user);
    const ns = a.resourceRequest ? a.namespace : '';
    const scoped = ns ? this.namespacedGrants(entry, a.user, ns) : [];
    const hit = entry.cluster.find((g) => ruleAllows(g.rule, a)) ?? scoped.find((g) => ruleAllows(g.rule, a));
    if (!hit) return { allowed: false, reason: '' };
    return { allowed: true, reason: `RBAC: allowed by ${hit.source}` };
  }

  /** Every rule that applies to the user in `namespace` (and cluster-wide): SelfSubjectRulesReview's answer. */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    const entry = this.entryFor(user);
    return [...entry.cluster, ...(namespace ? this.namespacedGrants(entry, user, namespace) : [])].map((g) => g.rule);
  }

  private entryFor(user: UserInfo) {
    const key = `${user.username}\u0000${user.groups.join('\u0000')}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = { cluster: this.clusterGrants(user), namespaced: new Map() };
      this.cache.set(key, entry);
    }
    return entry;
  }

  private def(plural: string) {
    return this.registry.lookup(RBAC_GROUP, 'v1', plural)!;
  }

  private rulesOf(kind: string, name: string, namespace: string): PolicyRule[] {
    const def = kind === 'ClusterRole' ? this.def('clusterroles') : this.def('roles');
    const role = this.store.get(def, kind === 'ClusterRole' ? '' : namespace, name);
    return (role?.rules as PolicyRule[] | undefined) ?? [];
  }

  private clusterGrants(user: UserInfo): Grant[] {
    const out: Grant[] = [];
    for (const { obj } of this.store.list(this.def('clusterrolebindings'), undefined, () => true)) {
      const b = obj as Binding;
      const subject = b.subjects?.find((s) => appliesTo(s, user, ''));
      if (b.roleRef?.kind !== 'ClusterRole' || !subject) continue;
      const source = `ClusterRoleBinding "${b.metadata.name}" of ClusterRole "${b.roleRef.name}" to ${describeSubject(subject, '')}`;
      for (const rule of this.rulesOf('ClusterRole', b.roleRef.name, '')) out.push({ rule, source });
    }
    return out;
  }

  private namespacedGrants(entry: { namespaced: Map<string, Grant[]> }, user: UserInfo, ns: string): Grant[] {
    let grants = entry.namespaced.get(ns);
    if (grants) return grants;
    grants = [];
    for (const { obj } of this.store.list(this.def('rolebindings'), ns, () => true)) {
      const b = obj as Binding;
      const subject = b.subjects?.find((s) => appliesTo(s, user, ns));
      if (!subject) continue;
      const source = `RoleBinding "${b.metadata.name}/${ns}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(subject, ns)}`;
      for (const rule of this.rulesOf(b.roleRef.kind, b.roleRef.name, ns)) grants.push({ rule, source });
    }
    entry.namespaced.set(ns, grants);
    return grants;
  }
}

/** kube's describeSubject: `ServiceAccount "name/namespace"`, `Group "name"`, `User "name"`. */
function describeSubject(s: Subject, bindingNamespace: string): string {
  return s.kind === 'ServiceAccount' ? `${s.kind} "${s.name}/${s.namespace || bindingNamespace}"` : `${s.kind} "${s.name}"`;
}
