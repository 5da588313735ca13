/**
 * `limit`/`continue` list paging. Lists are ordered by namespace/name, so a continue token is the
 * last key served plus the list's resourceVersion (later pages report that first resourceVersion,
 * as the real API does; they are not a snapshot of it).
 */
import { errors } from './status.js';
import type { KubeObject } from './types.js';

interface Token {
  rv: string;
  after: [string, string];
}

export interface Paged<T> {
  items: T[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

function decode(token: string): Token {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Token;
    if (typeof t.rv !== 'string' || !Array.isArray(t.after)) throw new Error('bad shape');
    return t;
  } catch {
    throw errors.badRequest(`continue key is not valid: ${JSON.stringify(token)}`);
  }
}

const after = (o: KubeObject, key: [string, string]) => {
  const ns = o.metadata.namespace ?? '';
  return ns > key[0] || (ns === key[0] && (o.metadata.name ?? '') > key[1]);
};

export function paginate<T extends { obj: KubeObject }>(all: T[], currentRv: string, limitParam: string | null, continueParam: string | null): Paged<T> {
  let items = all;
  let rv = currentRv;
  if (continueParam) {
    const t = decode(continueParam);
    rv = t.rv;
    items = items.filter((i) => after(i.obj, t.after));
  }
  const limit = limitParam ? Number(limitParam) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw errors.badRequest(`limit must be a non-negative integer, got ${JSON.stringify(limitParam)}`);
  if (limit === 0 || items.length <= limit) return { items, resourceVersion: rv };
  const page = items.slice(0, limit);
  const last = page[page.length - 1].obj.metadata;
  const token: Token = { rv, after: [last.namespace ?? '', last.name ?? ''] };
  return { items: page, resourceVersion: rv, continueToken: Buffer.from(JSON.stringify(token)).toString('base64url'), remainingItemCount: items.length - limit };
}
