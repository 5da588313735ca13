/** Kubernetes `Status` failures, thrown by handlers and rendered by the router. */
import type { Cause } from '../../common/schemaValidate.js';
import type { Attributes } from './attributes.js';
import type { ResourceDef } from './types.js';
import { qualifiedResource } from './types.js';

export type { Cause } from '../../common/schemaValidate.js';

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  /** ListMeta: only a 410 Expired continue carries one (`continue`, the inconsistent token). */
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: Cause[]; retryAfterSeconds?: number };
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusBody['details'],
    readonly headers: Record<string, string> = {},
    readonly listMeta: { continue?: string } = {},
  ) {
    super(message);
  }

  toStatus(): StatusBody {
    const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: { ...this.listMeta }, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) body.details = this.details;
    return body;
  }
}

function detailsFor(def: ResourceDef, name?: string): StatusBody['details'] {
  return { name, group: def.group, kind: def.plural };
}

export const errors = {
  notFound: (def: ResourceDef, name: string) =>
    new ApiError(404, 'NotFound', `${qualifiedResource(def)} "${name}" not found`, detailsFor(def, name)),
  namespaceNotFound: (ns: string) =>
    new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' }),
  alreadyExists: (def: ResourceDef, name: string) =>
    new ApiError(409, 'AlreadyExists', `${qualifiedResource(def)} "${name}" already exists`, detailsFor(def, name)),
  conflict: (def: ResourceDef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": ${why}`, detailsFor(def, name)),
  invalid: (def: ResourceDef, name: string, causes: Cause[]) =>
    new ApiError(
      422,
      'Invalid',
      `${def.kind}.${def.group || 'core'} "${name}" is invalid: ${causes.map((c) => c.message.startsWith(c.field) ? c.message : `${c.field}: ${c.message}`).join(', ')}`,
      { name, group: def.group, kind: def.kind, causes },
    ),
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  methodNotAllowed: (message: string) => new ApiError(405, 'MethodNotAllowed', message),
  unsupportedMediaType: (type: string) => new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${JSON.stringify(type)})`),
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (a: Attributes, why = '') => {
    const msg = forbiddenMessage(a) + (why ? `: ${why}` : '');
    if (!a.resourceRequest) return new ApiError(403, 'Forbidden', `forbidden: ${msg}`, {});
    const resource = qualifiedResource({ group: a.apiGroup, plural: a.resource });
    const subject = a.name ? `${resource} "${a.name}"` : resource;
    return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${msg}`, { name: a.name || undefined, group: a.apiGroup, kind: a.resource });
  },
  pathNotFound: (path: string) => new ApiError(404, 'NotFound', `the server could not find the requested resource (${path})`, { causes: [{ reason: 'UnexpectedServerResponse', field: '', message: '404 page not found' }] }),
};

/**
 * Why a body failed to parse, without echoing any of it: JSON.parse and YAML errors quote the
 * input, and bodies may carry Secret data.
 */
export function decodeFailure(e: unknown): string {
  const msg = (e as Error)?.message ?? '';
  const pos = /position (\d+)/.exec(msg) ?? /at line (\d+)/.exec(msg);
  const where = pos ? (msg.includes('line') && !msg.includes('position') ? ` at line ${pos[1]}` : ` at byte ${pos[1]}`) : '';
  return `malformed body${where}`;
}

/** kube-apiserver's forbiddenMessage (responsewriters/errors.go), word for word. */
function forbiddenMessage(a: Attributes): string {
  const user = a.user.username;
  if (!a.resourceRequest) return `User "${user}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${user}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${where}`;
}
