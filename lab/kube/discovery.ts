/** Discovery documents (legacy, non-aggregated) so kubectl and KubernetesObjectApi find resources. */
import type { ResourceRegistry } from './registry.js';
import type { ResourceDef } from './types.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function versionInfo(): object {
  return {
    major: '1', minor: '32', gitVersion: 'v1.32.0-lab', gitCommit: 'lab', gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23', compiler: 'gc', platform: 'linux/amd64',
  };
}

export function coreVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(name: string, versions: string[]): object {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function groupList(registry: ResourceRegistry): object {
  const groups = [...registry.groups()].filter(([g]) => g !== '').sort(([a], [b]) => a.localeCompare(b));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(([name, versions]) => groupEntry(name, versions)) };
}

export function groupInfo(registry: ResourceRegistry, group: string): object | undefined {
  const versions = registry.groups().get(group);
  if (!versions || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, versions) };
}

export function resourceList(registry: ResourceRegistry, group: string, version: string): object | undefined {
  const defs = registry.all().filter((d) => d.group === group && d.version === version).sort((a, b) => a.plural.localeCompare(b.plural));
  if (defs.length === 0) return undefined;
  const resources: object[] = [];
  for (const d of defs) {
    resources.push(entry(d));
    if (d.hasStatus) resources.push({ name: `${d.plural}/status`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: ['get', 'patch', 'update'] });
    for (const s of d.subresources ?? []) resources.push({ singularName: '', namespaced: d.namespaced, ...s });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function entry(d: ResourceDef): object {
  const e: Record<string, unknown> = { name: d.plural, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: d.verbs ?? VERBS };
  if (d.shortNames.length) e.shortNames = d.shortNames;
  if (d.categories.length) e.categories = d.categories;
  return e;
}
