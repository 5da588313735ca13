/**
 * Every authorization decision the API made, for tests (which rules were used, what was refused):
 * the user, verb, group, resource, subresource, namespace and name, or the path of a non-resource
 * request; `allowed` false for a 403. Kept as distinct tuples with a count, so a long run stays small.
 */
import type { Attributes } from './attributes.js';

export interface AuthzRecord {
  user: string;
  groups: string[];
  verb: string;
  allowed: boolean;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string;
  /** How many requests made this same decision. */
  count: number;
}

export class AuthorizationLog {
  private entries = new Map<string, AuthzRecord>();

  record(a: Attributes, allowed: boolean): void {
    const key = a.resourceRequest
      ? [a.user.username, a.verb, allowed, a.apiGroup, a.resource, a.subresource, a.namespace, a.name].join('\u0000')
      : [a.user.username, a.verb, allowed, a.path].join('\u0000');
    const seen = this.entries.get(key);
    if (seen) return void seen.count++;
    const base = { user: a.user.username, groups: a.user.groups, verb: a.verb, allowed, count: 1 };
    this.entries.set(key, a.resourceRequest
      ? { ...base, group: a.apiGroup, resource: a.resource, subresource: a.subresource, namespace: a.namespace, name: a.name }
      : { ...base, path: a.path });
  }

  /** The decisions so far, optionally only one user's. */
  records(user?: string): AuthzRecord[] {
    const all = [...this.entries.values()].map((e) => ({ ...e }));
    return user === undefined ? all : all.filter((e) => e.user === user);
  }

  denied(user?: string): AuthzRecord[] {
    return this.records(user).filter((e) => !e.allowed);
  }

  clear(): void {
    this.entries.clear();
  }
}
