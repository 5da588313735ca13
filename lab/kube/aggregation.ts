/**
 * kube-controller-manager's ClusterRole aggregation: a ClusterRole with `aggregationRule.clusterRoleSelectors`
 * gets the rules of every other ClusterRole those selectors match (by name order, duplicates dropped).
 */
import type { ObjectService } from './objects.js';
import type { PolicyRule } from './rbac.js';
import { labelSelectorMatcher, type LabelSelector } from './selectors.js';
import type { ObjectStore } from './store.js';
import type { KubeObject, ResourceDef } from './types.js';

export const AGGREGATION_MANAGER = 'clusterrole-aggregation-controller';

export function aggregateClusterRoles(store: ObjectStore, service: ObjectService, def: ResourceDef): void {
  const roles = store.list(def, undefined, () => true).map((e) => e.obj);
  for (const role of roles) {
    const selectors = (role.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined)?.clusterRoleSelectors;
    if (!selectors || role.metadata.deletionTimestamp) continue;
    const matchers = selectors.map(labelSelectorMatcher);
    const rules: PolicyRule[] = [];
    const seen = new Set<string>();
    for (const other of roles) {
      if (other.metadata.name === role.metadata.name || !matchers.some((m) => m(other))) continue;
      for (const rule of (other.rules as PolicyRule[] | undefined) ?? []) {
        const key = JSON.stringify(rule);
        if (seen.has(key)) continue;
        seen.add(key);
        rules.push(rule);
      }
    }
    if (JSON.stringify(role.rules ?? []) === JSON.stringify(rules)) continue;
    const current = store.get(def, '', role.metadata.name!) as KubeObject;
    service.writeAs(AGGREGATION_MANAGER, def, current, { ...current, rules });
  }
}
