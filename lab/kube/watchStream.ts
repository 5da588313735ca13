/**
 * One watch HTTP stream: initial state or replay from a resourceVersion, live events filtered by
 * namespace and selectors (an object leaving the selection is sent as DELETED), bookmarks,
 * timeoutSeconds, and 410 Expired when the requested version is no longer retained.
 */
import type { ServerResponse } from 'node:http';
import type { ObjectMatcher } from './selectors.js';
import type { ObjectStore } from './store.js';
import { toTable } from './table.js';
import { apiVersionOf, resourceKey, type KubeObject, type ResourceDef } from './types.js';
import type { EventType, WatchEvent } from './watch.js';

export interface WatchRequest {
  def: ResourceDef;
  namespace?: string;
  match: ObjectMatcher;
  resourceVersion?: string;
  bookmarks: boolean;
  timeoutSeconds?: number;
  dropAfterMs?: number;
  forceGone: boolean;
  asTable: boolean;
  bookmarkIntervalMs: number;
  onBytes(n: number): void;
}

export function expiredLine(message = 'too old resource version'): string {
  return JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 } }) + '\n';
}

/** Serves the stream until the client leaves, a timer fires, or `close()` is called; returns the closer. */
export function serveWatch(store: ObjectStore, res: ServerResponse, req: WatchRequest): () => void {
  const { def } = req;
  const resource = resourceKey(def);
  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = () => {};

  const write = (line: string) => {
    if (closed) return;
    req.onBytes(Buffer.byteLength(line));
    res.write(line);
  };
  const bookmark = () =>
    write(JSON.stringify({ type: 'BOOKMARK', object: { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: store.currentRv() } } }) + '\n');
  const close = () => {
    if (closed) return;
    if (req.bookmarks) bookmark();
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    res.end();
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  res.on('close', () => {
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
  });

  const rv = req.resourceVersion && req.resourceVersion !== '0' ? Number(req.resourceVersion) : undefined;
  if (req.forceGone || (rv !== undefined && (!Number.isFinite(rv) || store.hub.replay(resource, rv) === 'expired'))) {
    write(expiredLine(`too old resource version: ${req.resourceVersion} (${store.currentRv()})`));
    closed = true;
    res.end();
    return () => {};
  }

  const lineFor = (type: EventType, obj: KubeObject, event?: WatchEvent): string => {
    if (req.asTable) return JSON.stringify({ type, object: toTable(def, [obj], obj.metadata.resourceVersion ?? '', 'Object', false) }) + '\n';
    return event ? event.line(type) : JSON.stringify({ type, object: obj }) + '\n';
  };
  const deliver = (e: WatchEvent) => {
    if (req.namespace !== undefined && e.namespace !== req.namespace) return;
    const now = req.match(e.object);
    const before = e.previous ? req.match(e.previous) : false;
    if (e.type === 'DELETED') {
      if (before || now) write(lineFor('DELETED', e.object, e));
    } else if (e.type === 'ADDED') {
      if (now) write(lineFor('ADDED', e.object, e));
    } else if (now) write(lineFor(before ? 'MODIFIED' : 'ADDED', e.object, e));
    else if (before) write(lineFor('DELETED', e.object, e));
  };

  if (rv === undefined) {
    for (const item of store.list(def, req.namespace, req.match)) write(req.asTable ? lineFor('ADDED', item.obj) : `{"type":"ADDED","object":${item.json()}}\n`);
  } else {
    for (const e of store.hub.replay(resource, rv) as WatchEvent[]) deliver(e);
  }
  unsubscribe = store.hub.subscribe(resource, { namespace: req.namespace, deliver, end: close });

  if (req.bookmarks) {
    timers.push(setInterval(bookmark, req.bookmarkIntervalMs));
  }
  if (req.timeoutSeconds !== undefined && req.timeoutSeconds > 0) timers.push(setTimeout(close, req.timeoutSeconds * 1000));
  if (req.dropAfterMs !== undefined) timers.push(setTimeout(close, req.dropAfterMs));
  return close;
}
