/** Who a request comes from, as kube-apiserver's authenticators describe a user. */

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const GROUP = {
  masters: 'system:masters',
  authenticated: 'system:authenticated',
  unauthenticated: 'system:unauthenticated',
  serviceAccounts: 'system:serviceaccounts',
} as const;

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: [GROUP.unauthenticated] };

const SA_PREFIX = 'system:serviceaccount:';

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

/** `system:serviceaccount:NS:NAME` -> {namespace, name}; undefined for any other user name. */
export function parseServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SA_PREFIX)) return undefined;
  const [namespace, name, ...rest] = username.slice(SA_PREFIX.length).split(':');
  return namespace && name && rest.length === 0 ? { namespace, name } : undefined;
}

/** The groups every ServiceAccount user has (besides system:authenticated). */
export function serviceAccountGroups(namespace: string): string[] {
  return [GROUP.serviceAccounts, `${GROUP.serviceAccounts}:${namespace}`];
}

/** Adds system:authenticated, as kube's authenticator union does for every authenticated user. */
export function authenticated(user: UserInfo): UserInfo {
  return user.groups.includes(GROUP.authenticated) ? user : { ...user, groups: [...user.groups, GROUP.authenticated] };
}
