/**
 * Which granted permissions a run actually used: every (verb, group, resource[/subresource], name)
 * a Role or ClusterRole bound to a subject grants, checked against the lab API's decision log. A
 * grant no allowed request matched is unused; tests fail on it unless it is a documented exception.
 */
import { parseAllDocuments } from 'yaml';
import type { AuthzRecord } from '../../lab/kube/index.js';

interface Rule { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }
interface RbacObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

/** One granted permission, e.g. `update management.loft.sh/nodeclaims/status in *`. */
export interface Grant {
  role: string;
  /** Where it applies: the RoleBinding's namespace, or `*` for a ClusterRoleBinding. */
  namespace: string;
  verb: string;
  group: string;
  /** `plural` or `plural/subresource`. */
  resource: string;
  resourceNames: string[];
}

export const describeGrant = (g: Grant) =>
  `${g.verb} ${g.group || 'core'}/${g.resource}${g.resourceNames.length ? `[${g.resourceNames.join(',')}]` : ''} in ${g.namespace} (${g.role})`;

export function rbacObjects(renderedYaml: string): RbacObject[] {
  return parseAllDocuments(renderedYaml).map((d) => d.toJS() as RbacObject)
    .filter((o) => o && ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(o.kind));
}

/** Every permission the rendered RBAC grants ServiceAccount `namespace/name`. */
export function grantsTo(objects: RbacObject[], sa: { namespace: string; name: string }): Grant[] {
  const roles = new Map(objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
    .map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
  const out: Grant[] = [];
  for (const b of objects.filter((o) => o.kind.endsWith('Binding'))) {
    if (!b.subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === sa.name && (s.namespace ?? b.metadata.namespace) === sa.namespace)) continue;
    const namespace = b.kind === 'RoleBinding' ? b.metadata.namespace! : '*';
    const role = roles.get(`${b.roleRef!.kind}/${b.roleRef!.kind === 'Role' ? namespace : ''}/${b.roleRef!.name}`);
    if (!role) throw new Error(`${b.kind} ${b.metadata.name} refers to ${b.roleRef!.kind} ${b.roleRef!.name}, which deploy/ does not define`);
    for (const rule of role.rules ?? []) {
      for (const verb of rule.verbs) for (const group of rule.apiGroups ?? []) for (const resource of rule.resources ?? []) {
        out.push({ role: `${role.kind} ${role.metadata.name}`, namespace, verb, group, resource, resourceNames: rule.resourceNames ?? [] });
      }
    }
  }
  return out;
}

export function grantUsed(g: Grant, records: AuthzRecord[]): boolean {
  return records.some((r) => r.allowed && r.verb === g.verb && r.group === g.group
    && (r.subresource ? `${r.resource}/${r.subresource}` : r.resource) === g.resource
    && (g.namespace === '*' || r.namespace === g.namespace)
    && (g.resourceNames.length === 0 || g.resourceNames.includes(r.name ?? '')));
}

/** Grants nothing used, minus the documented `exceptions` (matched by describeGrant text). */
export function unusedGrants(grants: Grant[], records: AuthzRecord[], exceptions: Record<string, string>): string[] {
  return grants.filter((g) => !grantUsed(g, records)).map(describeGrant).filter((d) => !(d in exceptions));
}

/** Exceptions whose grant was used after all (the list must shrink with the code). */
export function staleExceptions(grants: Grant[], records: AuthzRecord[], exceptions: Record<string, string>): string[] {
  return grants.filter((g) => grantUsed(g, records)).map(describeGrant).filter((d) => d in exceptions);
}
