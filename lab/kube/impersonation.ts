/**
 * kube-apiserver's impersonation filter: `Impersonate-User`, `Impersonate-Group` (repeatable),
 * `Impersonate-Uid` and `Impersonate-Extra-<key>` replace the requester by another user, when the
 * requester may `impersonate` users (or that ServiceAccount), groups, uids and userextras/<key>.
 */
import type { IncomingMessage } from 'node:http';
import type { Attributes } from './attributes.js';
import { errors } from './status.js';
import { ANONYMOUS, GROUP, parseServiceAccountUsername, serviceAccountGroups, type UserInfo } from './users.js';

const EXTRA_PREFIX = 'impersonate-extra-';

/** Checks one impersonation step; throws the 403 when refused. */
export type ImpersonationCheck = (a: Attributes) => void;

function impersonateAttrs(requester: UserInfo, apiGroup: string, resource: string, name: string, namespace = '', subresource = ''): Attributes {
  return { user: requester, resourceRequest: true, verb: 'impersonate', apiGroup, apiVersion: 'v1', resource, subresource, namespace, name };
}

/** The effective user of a request: the requester, or whom it impersonates (each step authorized by `check`). */
export function impersonatedUser(req: IncomingMessage, requester: UserInfo, check: ImpersonationCheck): UserInfo {
  // Most requests impersonate nobody: skip building headersDistinct (a fresh object of arrays) for them.
  if (!Object.keys(req.headers).some((k) => k.startsWith('impersonate-'))) return requester;
  const h = req.headersDistinct;
  const username = h['impersonate-user']?.[0];
  const groups = h['impersonate-group'] ?? [];
  const uid = h['impersonate-uid']?.[0];
  const extraKeys = Object.keys(h).filter((k) => k.startsWith(EXTRA_PREFIX));
  if (username === undefined) {
    if (groups.length || uid !== undefined || extraKeys.length) {
      throw errors.badRequest('requested impersonation of groups, uid or extra without impersonating a user');
    }
    return requester;
  }
  const sa = parseServiceAccountUsername(username);
  check(sa
    ? impersonateAttrs(requester, '', 'serviceaccounts', sa.name, sa.namespace)
    : impersonateAttrs(requester, '', 'users', username));
  for (const g of groups) check(impersonateAttrs(requester, '', 'groups', g));
  if (uid !== undefined) check(impersonateAttrs(requester, 'authentication.k8s.io', 'uids', uid));
  const extra: Record<string, string[]> = {};
  for (const k of extraKeys) {
    const key = decodeURIComponent(k.slice(EXTRA_PREFIX.length));
    for (const v of h[k] ?? []) check(impersonateAttrs(requester, 'authentication.k8s.io', 'userextras', v, '', key));
    extra[key] = h[k] ?? [];
  }
  const resultGroups = [...groups];
  if (sa && groups.length === 0) resultGroups.push(...serviceAccountGroups(sa.namespace));
  if (username === ANONYMOUS.username) {
    if (!resultGroups.includes(GROUP.unauthenticated)) resultGroups.push(GROUP.unauthenticated);
  } else if (!resultGroups.includes(GROUP.authenticated) && !resultGroups.includes(GROUP.unauthenticated)) {
    resultGroups.push(GROUP.authenticated);
  }
  return { username, uid, groups: resultGroups, ...(extraKeys.length ? { extra } : {}) };
}
