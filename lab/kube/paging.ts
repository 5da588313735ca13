/**
 * `limit`/`continue` list paging, as kube-apiserver over etcd3 serves it ("Retrieving large results sets
 * in chunks"). Items come in key order (namespace/name). A partial page carries `metadata.continue` and,
 * when the list has no label or field selector, `metadata.remainingItemCount`. Every page of one list is
 * served from the snapshot the first page was read at and reports its resourceVersion: stored objects are
 * never mutated (store.ts), so a snapshot is an array of references, kept like etcd's old revisions until
 * the next compaction (kube-apiserver compacts every 5 minutes). A token whose snapshot was compacted gets
 * 410 `Expired`, with an "inconsistent" token (resourceVersion -1) in the Status' `metadata.continue` that
 * continues at the latest state; a token that does not decode gets 400 BadRequest. The token is the real
 * one's shape: base64url JSON `{"v":"meta.k8s.io/v1","rv":N,"start":"<next key>"}`.
 */
import { ApiError, errors } from './status.js';
import type { KubeObject } from './types.js';

/** kube-apiserver's default --etcd-compaction-interval. */
export const COMPACTION_INTERVAL_MS = 5 * 60_000;
/** Snapshots kept at most (the oldest go first), so a client that pages many lists never fills memory. */
const MAX_SNAPSHOTS = 64;
const TOKEN_VERSION = 'meta.k8s.io/v1';
/** etcd3's message (storage/etcd3 store.go `inconsistentContinue`). */
const INCONSISTENT_CONTINUE = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export interface Listed {
  obj: KubeObject;
  json: () => string;
}

export interface Paged<T> {
  items: T[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface PageRequest {
  /** The list's scope: resource and namespace ('' for all namespaces or cluster-scoped). */
  scope: string;
  /** Whether keys include the namespace (an all-namespaces list of a namespaced resource). */
  keyedByNamespace: boolean;
  limit: string | null;
  continueToken: string | null;
  resourceVersion: string | null;
  resourceVersionMatch: string | null;
  /** True when a label or field selector narrows the list (no remainingItemCount then, as etcd3). */
  filtered: boolean;
  matches: (o: KubeObject) => boolean;
}

interface Token {
  v: string;
  rv: number;
  start: string;
}

interface Snapshot {
  rv: number;
  takenAt: number;
  entries: Listed[];
  keys: string[];
}

function encode(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv, start } satisfies Token)).toString('base64url');
}

/** storage.DecodeContinue, wrapped as ValidateListOptions does. */
function decode(token: string): Token {
  const invalid = (why: string) => errors.badRequest(`invalid continue token: continue key is not valid: ${why}`);
  let t: Partial<Token>;
  try {
    t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Token>;
  } catch (e) {
    throw invalid((e as Error).message.split('\n')[0]);
  }
  if (t === null || typeof t !== 'object' || t.v !== TOKEN_VERSION) throw invalid('server does not recognize this encoded version');
  if (typeof t.rv !== 'number' || !Number.isInteger(t.rv) || (t.rv <= 0 && t.rv !== -1)) throw invalid(`incorrect encoded start resourceVersion (version ${TOKEN_VERSION})`);
  if (typeof t.start !== 'string' || t.start === '') throw invalid('encoded start key empty');
  return t as Token;
}

function keyOf(o: KubeObject, keyedByNamespace: boolean): string {
  return keyedByNamespace ? `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}` : (o.metadata.name ?? '');
}

/** First index whose key is >= start (keys are sorted). */
function lowerBound(keys: string[], start: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The list snapshots of one store: taken when a first page leaves items for later, dropped at
 * compaction (see expire(), or `compact()`).
 */
export class ListSnapshots {
  private snapshots = new Map<string, Snapshot>();
  private compactedAt: number;

  constructor(
    private readonly intervalMs = COMPACTION_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.compactedAt = now();
  }

  /** Drops every snapshot, as an etcd compaction at the current revision: their continue tokens expire. */
  compact(): void {
    this.snapshots.clear();
    this.compactedAt = this.now();
  }

  /**
   * kube-apiserver compacts every interval at the revision of the previous compaction, so a snapshot
   * lives at least one interval and at most two.
   */
  private expire(): void {
    const now = this.now();
    if (now - this.compactedAt < this.intervalMs) return;
    for (const [key, s] of this.snapshots) if (s.takenAt < this.compactedAt) this.snapshots.delete(key);
    this.compactedAt = now;
  }

  /**
   * One page of `all` (the scope's objects now, at `currentRv`, unfiltered and in key order) or, with a
   * continue token, of the snapshot the token's first page was read at.
   */
  page(req: PageRequest, currentRv: string, all: () => Listed[]): Paged<Listed> {
    const limit = req.limit ? Number(req.limit) : 0;
    if (!Number.isInteger(limit) || limit < 0) throw errors.badRequest(`limit must be a non-negative integer, got ${JSON.stringify(req.limit)}`);
    this.expire();
    let snapshot: Snapshot;
    let start = '';
    if (req.continueToken) {
      const token = decode(req.continueToken);
      if (req.resourceVersion && req.resourceVersion !== '0') throw errors.badRequest('specifying resource version is not allowed when using continue');
      if (req.resourceVersionMatch) throw listOptionsInvalid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
      start = token.start;
      const kept = token.rv === -1 ? undefined : this.snapshots.get(`${req.scope}@${token.rv}`);
      if (token.rv !== -1 && !kept) throw continueExpired(encode(-1, start));
      snapshot = kept ?? this.take(req, currentRv, all);
    } else {
      snapshot = this.take(req, currentRv, all);
    }
    const items: Listed[] = [];
    let i = lowerBound(snapshot.keys, start);
    for (; i < snapshot.entries.length && (limit === 0 || items.length < limit); i++) {
      if (req.matches(snapshot.entries[i].obj)) items.push(snapshot.entries[i]);
    }
    const rv = String(snapshot.rv);
    if (i >= snapshot.entries.length) return { items, resourceVersion: rv };
    this.keep(req.scope, snapshot);
    const next = `${snapshot.keys[i - 1]}\u0000`;
    return {
      items,
      resourceVersion: rv,
      continueToken: encode(snapshot.rv, next),
      remainingItemCount: req.filtered ? undefined : snapshot.entries.length - i,
    };
  }

  private take(req: PageRequest, currentRv: string, all: () => Listed[]): Snapshot {
    const rv = Number(currentRv);
    const kept = this.snapshots.get(`${req.scope}@${rv}`);
    if (kept) return kept;
    const entries = all();
    return { rv, takenAt: this.now(), entries, keys: entries.map((e) => keyOf(e.obj, req.keyedByNamespace)) };
  }

  private keep(scope: string, snapshot: Snapshot): void {
    const key = `${scope}@${snapshot.rv}`;
    if (this.snapshots.has(key)) return;
    if (this.snapshots.size >= MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value!);
    this.snapshots.set(key, snapshot);
  }
}

/** 410 Expired with the token that continues at the latest state (etcd3 handleCompactedErrorForPaging). */
function continueExpired(inconsistentToken: string): ApiError {
  return new ApiError(410, 'Expired', INCONSISTENT_CONTINUE, undefined, {}, { continue: inconsistentToken });
}

/** metainternalversion ValidateListOptions: a 422 on the ListOptions "object". */
function listOptionsInvalid(field: string, detail: string): ApiError {
  return new ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${field}: Forbidden: ${detail}`, {
    group: 'meta.k8s.io', kind: 'ListOptions', causes: [{ reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` }],
  });
}
