/**
 * OpenAPI v3 as kubectl reads it: an index of group-versions and, per group-version, `components.schemas`
 * (what `kubectl explain` walks) plus PATCH operations tagged with their GVK that declare the
 * `fieldValidation` query parameter, so kubectl leaves field validation to the server, as with a real one.
 */
import { componentSchemas } from './openapiSchemas.js';
import type { ResourceRegistry } from './registry.js';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiIndex(registry: ResourceRegistry): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [group, versions] of registry.groups()) {
    for (const v of versions) paths[gvPath(group, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, v)}` };
  }
  return { paths };
}

export function openApiGroupVersion(registry: ResourceRegistry, group: string, version: string): object | undefined {
  const defs = registry.all().filter((d) => d.group === group && d.version === version);
  if (defs.length === 0) return undefined;
  const paths: Record<string, object> = {};
  for (const d of defs) {
    const prefix = `/${gvPath(group, version)}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.plural}/{name}`;
    paths[prefix] = {
      patch: {
        operationId: `patch${d.kind}`,
        parameters: [
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
        ],
        responses: {},
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: d.kind },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes (lab)', version: 'v1.32.0' }, paths, components: { schemas: componentSchemas(defs) } };
}
