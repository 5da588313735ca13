/**
 * What the authorizer decides on, as kube-apiserver's RequestInfo gives it: the user, a lowercase verb
 * (get/list/watch/create/update/patch/delete/deletecollection for resources, the HTTP method for other
 * paths), and the resource (group, resource, subresource, namespace, name) or the path.
 */
import type { UserInfo } from './users.js';

export interface ResourceAttributes {
  verb: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export type Attributes = { user: UserInfo } & (
  | ({ resourceRequest: true } & ResourceAttributes)
  | { resourceRequest: false; verb: string; path: string }
);

export interface ResourceRequestInfo {
  method: string;
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  watch: boolean;
  fieldSelector: string | null;
}

/** RequestInfo for a resource path, e.g. DELETE without a name is `deletecollection`. */
export function resourceAttributes(r: ResourceRequestInfo): ResourceAttributes {
  let name = r.name ?? '';
  let verb: string;
  switch (r.method) {
    case 'POST': verb = 'create'; break;
    case 'PUT': verb = 'update'; break;
    case 'PATCH': verb = 'patch'; break;
    case 'DELETE': verb = name ? 'delete' : 'deletecollection'; break;
    default: verb = r.watch ? 'watch' : name ? 'get' : 'list';
  }
  // A list or watch of one object by metadata.name is authorized against that name (resourceNames).
  const single = /^metadata\.name==?([^,]+)$/.exec(r.fieldSelector ?? '');
  if ((verb === 'list' || verb === 'watch') && !name && single) name = single[1];
  // A namespace's own path (/api/v1/namespaces/NAME) is in that namespace, as kube's RequestInfo has it.
  const namespace = r.group === '' && r.plural === 'namespaces' && r.name ? r.name : r.namespace ?? '';
  return { verb, apiGroup: r.group, apiVersion: r.version, resource: r.plural, subresource: r.subresource ?? '', namespace, name };
}
