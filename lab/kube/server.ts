/** HTTP front: routing, body reading, fault injection, stats, and rendering results or Status errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { AccessControl } from './access.js';
import { resourceAttributes } from './attributes.js';
import { coreVersions, groupInfo, groupList, resourceList, versionInfo } from './discovery.js';
import { bindPod } from './binding.js';
import { evictPod } from './eviction.js';
import type { FaultInjector } from './faults.js';
import { openApiGroupVersion, openApiIndex } from './openapi.js';
import { OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_ACCEPT, openApiV2, openApiV2Protobuf } from './openapiV2.js';
import { decodeProtobufObject } from './protobuf.js';
import type { DeleteOptions, ObjectService } from './objects.js';
import type { ResourceRegistry } from './registry.js';
import { isReview } from './reviews.js';
import { parseRoute, type Route } from './route.js';
import { combine, parseFieldSelector, parseLabelSelector, type ObjectMatcher } from './selectors.js';
import type { ApiStats } from './stats.js';
import { ApiError, decodeFailure, errors } from './status.js';
import type { ObjectStore } from './store.js';
import { partialMetadata, partialMetadataList, wantsPartialMetadata, type MetadataVersion } from './partialMetadata.js';
import { toTable, wantsTable } from './table.js';
import { apiVersionOf, type KubeObject, type ResourceDef, type Verb } from './types.js';
import type { UserInfo } from './users.js';
import { serveWatch } from './watchStream.js';

export interface HttpDeps {
  store: ObjectStore;
  registry: ResourceRegistry;
  service: ObjectService;
  faults: FaultInjector;
  stats: ApiStats;
  access: AccessControl;
  serverAddress: () => string;
  bookmarkIntervalMs: number;
  /** Registers an open watch so dropWatches()/close() can end it. */
  trackWatch(close: () => void, res: ServerResponse): void;
}

type ResourceRoute = Extract<Route, { kind: 'resource' }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isWatch(q: URLSearchParams, route: ResourceRoute): boolean {
  const w = q.get('watch');
  return route.legacyWatch || w === 'true' || w === '1';
}

function verbOf(method: string, route: ResourceRoute, q: URLSearchParams): Verb {
  switch (method) {
    case 'GET': return isWatch(q, route) ? 'WATCH' : route.name ? 'GET' : 'LIST';
    case 'POST': return 'CREATE';
    case 'PUT': return 'UPDATE';
    case 'PATCH': return 'PATCH';
    case 'DELETE': return 'DELETE';
    default: throw errors.methodNotAllowed(`the server does not allow this method on the requested resource (${method})`);
  }
}

export class HttpFront {
  constructor(private readonly d: HttpDeps) {}

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.serve(req, res).catch((e: unknown) => this.fail(res, e));
  };

  private send(res: ServerResponse, code: number, body: string | object, headers: Record<string, string> = {}): void {
    if (res.headersSent) return void res.end();
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const length = Buffer.byteLength(text, 'utf8');
    this.d.stats.countBytes(length);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': String(length), ...headers });
    // A string body goes out in one write with the head (a Buffer would be a second chunk, a second TLS record).
    res.end(text, 'utf8');
  }

  private fail(res: ServerResponse, e: unknown): void {
    const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error)?.message ?? String(e)}`);
    this.send(res, err.code, err.toStatus(), err.headers);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://lab');
    const route = parseRoute(url.pathname);
    const method = req.method ?? 'GET';
    const q = url.searchParams;
    const user = this.d.access.identify(req, url.pathname);
    this.d.access.authorize(route?.kind === 'resource'
      ? {
        user, resourceRequest: true,
        ...resourceAttributes({
          method, group: route.group, version: route.version, plural: route.plural, namespace: route.namespace, name: route.name,
          subresource: route.subresource, watch: isWatch(q, route), fieldSelector: q.get('fieldSelector'),
        }),
      }
      : { user, resourceRequest: false, verb: method.toLowerCase(), path: url.pathname });
    const raw = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
    if (!route) throw errors.pathNotFound(url.pathname);
    if (route.kind === 'openapiV2') return this.openApiV2(req, res);
    if (route.kind !== 'resource') return this.discovery(res, route);
    const verb = verbOf(method, route, q);
    this.d.stats.countRequest(verb, route.plural);
    const faultReq = { verb, path: url.pathname, resource: route.plural };
    const delay = this.d.faults.latencyFor(faultReq);
    if (delay > 0) await sleep(delay);
    const injected = this.d.faults.failureFor(faultReq);
    if (injected) throw injected;
    const started = process.hrtime.bigint();
    try {
      this.resource(req, res, route, verb, q, raw, faultReq, user);
    } finally {
      this.d.stats.addHandlerTime(started);
    }
  }

  /** kubectl asks for protobuf; anything else gets the JSON document. */
  private openApiV2(req: IncomingMessage, res: ServerResponse): void {
    const doc = openApiV2(this.d.registry);
    if (!OPENAPI_V2_PROTOBUF_ACCEPT.test(req.headers.accept ?? '')) return this.send(res, 200, doc);
    const body = openApiV2Protobuf(doc);
    this.d.stats.countBytes(body.length);
    res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF, 'Content-Length': String(body.length) });
    res.end(body);
  }

  private discovery(res: ServerResponse, route: Exclude<Route, ResourceRoute | { kind: 'openapiV2' }>): void {
    const { registry } = this.d;
    switch (route.kind) {
      case 'version': return this.send(res, 200, versionInfo());
      case 'health': return this.send(res, 200, 'ok', { 'Content-Type': 'text/plain' });
      case 'openapiV3': return this.send(res, 200, openApiIndex(registry));
      case 'openapiV3GroupVersion': {
        const doc = openApiGroupVersion(registry, route.group, route.version);
        if (!doc) throw errors.pathNotFound(`openapi/v3/${route.group}/${route.version}`);
        return this.send(res, 200, doc);
      }
      case 'api': return this.send(res, 200, coreVersions(this.d.serverAddress()));
      case 'apis': return this.send(res, 200, groupList(registry));
      case 'group': {
        const g = groupInfo(registry, route.group);
        if (!g) throw errors.pathNotFound(`/apis/${route.group}`);
        return this.send(res, 200, g);
      }
      case 'groupVersion': {
        const list = resourceList(registry, route.group, route.version);
        if (!list) throw errors.pathNotFound(route.group ? `/apis/${route.group}/${route.version}` : `/api/${route.version}`);
        return this.send(res, 200, list);
      }
    }
  }

  private resolve(route: ResourceRoute): ResourceDef {
    const def = this.d.registry.lookup(route.group, route.version, route.plural);
    if (!def) throw errors.pathNotFound(`${route.group ? route.group + '/' : ''}${route.version}, Resource=${route.plural}`);
    if (route.namespace !== undefined && !def.namespaced) throw errors.pathNotFound(`${route.plural} is cluster-scoped`);
    return def;
  }

  private resource(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, verb: Verb, q: URLSearchParams, raw: Buffer, faultReq: { verb: Verb; path: string; resource?: string }, user: UserInfo): void {
    const def = this.resolve(route);
    const ns = def.namespaced ? route.namespace : '';
    const { service, store } = this.d;
    const asTable = wantsTable(req.headers.accept);
    const asMetadata = wantsPartialMetadata(req.headers.accept);
    const manager = q.get('fieldManager') ?? (req.headers['user-agent'] ?? 'unknown').split('/')[0];
    const warnings: string[] = [];
    const opts = {
      subresource: route.subresource, fieldManager: manager, fieldManagerGiven: q.has('fieldManager'), force: q.get('force') === 'true',
      fieldValidation: q.get('fieldValidation') ?? 'Warn', warnings, dryRun: q.getAll('dryRun').includes('All'),
    };
    const sendWritten = (code: number, obj: KubeObject) =>
      this.send(res, code, asMetadata ? partialMetadata(obj, asMetadata) : store.jsonOf(def, obj), warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } : {});
    const body = raw.toString('utf8');
    const parseJson = (): unknown => {
      const type = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim();
      if (type === 'application/vnd.kubernetes.protobuf') return decodeProtobufObject(raw);
      if (verb !== 'DELETE' && type !== 'application/json' && type !== 'application/yaml') {
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got ${JSON.stringify(type)})`);
      }
      try {
        return type === 'application/yaml' ? parseYaml(body) : JSON.parse(body);
      } catch (e) {
        throw errors.badRequest(`error decoding request body: ${decodeFailure(e)}`);
      }
    };
    const needNs = () => {
      if (ns === undefined) throw errors.methodNotAllowed(`${route.plural} is namespaced: use /namespaces/<ns>/${route.plural}`);
      return ns;
    };
    if (isReview(def)) {
      if (verb !== 'CREATE' || route.name) throw errors.methodNotAllowed(`the server does not allow this method on the requested resource (${req.method} ${def.plural})`);
      return this.send(res, 201, this.d.access.review(def, ns ?? '', parseJson(), user));
    }
    if (route.subresource === 'token') {
      if (def.group !== '' || def.plural !== 'serviceaccounts') throw errors.pathNotFound(`${route.plural}/token`);
      if (verb !== 'CREATE') throw errors.methodNotAllowed(`the server does not allow this method on the requested resource (${req.method} serviceaccounts/token)`);
      return this.send(res, 201, this.d.access.tokenRequest(def, service.get(def, needNs(), route.name!), parseJson()));
    }
    if (route.subresource === 'eviction') {
      if (def.group !== '' || def.plural !== 'pods') throw errors.pathNotFound(`${route.plural}/eviction`);
      if (verb !== 'CREATE') throw errors.methodNotAllowed(`the server does not allow this method on the requested resource (${req.method} pods/eviction)`);
      return this.send(res, 201, evictPod(this.d, def, needNs(), route.name!, parseJson()));
    }
    if (route.subresource === 'binding') {
      if (def.group !== '' || def.plural !== 'pods' || verb !== 'CREATE') throw errors.methodNotAllowed(`the server does not allow this method on the requested resource (${req.method} ${route.plural}/binding)`);
      return this.send(res, 201, bindPod(this.d.service, def, needNs(), route.name!, parseJson()));
    }
    switch (verb) {
      case 'GET': {
        const obj = service.get(def, needNs(), route.name!);
        if (route.subresource && !(route.subresource === 'status' && def.hasStatus)) throw errors.pathNotFound(`${route.plural}/${route.subresource}`);
        if (asTable) return this.send(res, 200, toTable(def, [obj], store.currentRv(), q.get('includeObject')));
        if (asMetadata) return this.send(res, 200, partialMetadata(obj, asMetadata));
        return this.send(res, 200, store.json(def, ns!, route.name!) ?? obj);
      }
      case 'LIST': return this.list(res, def, ns, q, asTable, asMetadata);
      case 'WATCH': return this.watch(res, def, ns, route, q, asTable, faultReq);
      case 'CREATE': {
        if (route.name) throw errors.methodNotAllowed('POST is not allowed on a named object');
        return sendWritten(201, service.create(def, needNs(), parseJson(), opts));
      }
      case 'UPDATE': return sendWritten(200, service.update(def, needNs(), route.name!, parseJson(), opts));
      case 'PATCH': {
        const existed = !!store.get(def, needNs(), route.name!);
        const obj = service.patch(def, needNs(), route.name!, req.headers['content-type'] ?? '', body, opts);
        return sendWritten(existed ? 200 : 201, obj);
      }
      case 'DELETE': {
        const delOpts = (body.trim() ? parseJson() : {}) as DeleteOptions;
        // DeleteOptions may also come as query parameters (client-node sends them that way).
        if (q.has('propagationPolicy')) delOpts.propagationPolicy = q.get('propagationPolicy')!;
        if (q.has('orphanDependents')) delOpts.orphanDependents = q.get('orphanDependents') === 'true';
        if (q.has('dryRun')) delOpts.dryRun = q.getAll('dryRun');
        if (!route.name) return this.deleteCollection(res, def, needNs(), q, delOpts);
        return this.send(res, 200, service.delete(def, needNs(), route.name, delOpts));
      }
    }
  }

  private matcher(def: ResourceDef, q: URLSearchParams, name?: string): ObjectMatcher {
    const m = combine(parseLabelSelector(q.get('labelSelector')), parseFieldSelector(q.get('fieldSelector'), def.kind));
    return name ? combine(m, (o) => o.metadata.name === name) : m;
  }

  private list(res: ServerResponse, def: ResourceDef, ns: string | undefined, q: URLSearchParams, asTable: boolean, asMetadata: MetadataVersion | undefined): void {
    const store = this.d.store;
    const page = store.snapshots.page({
      scope: `${def.group}/${def.plural}/${ns ?? ''}`,
      keyedByNamespace: def.namespaced && ns === undefined,
      limit: q.get('limit'),
      continueToken: q.get('continue'),
      resourceVersion: q.get('resourceVersion'),
      resourceVersionMatch: q.get('resourceVersionMatch'),
      filtered: Boolean(q.get('labelSelector') || q.get('fieldSelector')),
      matches: this.matcher(def, q),
    }, store.currentRv(), () => store.list(def, ns, () => true));
    const meta: Record<string, unknown> = { resourceVersion: page.resourceVersion };
    if (page.continueToken) Object.assign(meta, { continue: page.continueToken, remainingItemCount: page.remainingItemCount });
    if (asTable) {
      const table = toTable(def, page.items.map((i) => i.obj), page.resourceVersion, q.get('includeObject')) as { metadata: object };
      table.metadata = meta;
      return this.send(res, 200, table);
    }
    if (asMetadata) return this.send(res, 200, partialMetadataList(page.items.map((i) => i.obj), meta, asMetadata));
    const head = `{"kind":"${def.listKind}","apiVersion":"${apiVersionOf(def)}","metadata":${JSON.stringify(meta)},"items":[`;
    this.send(res, 200, head + page.items.map((i) => i.json()).join(',') + ']}');
  }

  private watch(res: ServerResponse, def: ResourceDef, ns: string | undefined, route: ResourceRoute, q: URLSearchParams, asTable: boolean, faultReq: { verb: Verb; path: string; resource?: string }): void {
    const timeout = q.get('timeoutSeconds');
    const close = serveWatch(this.d.store, res, {
      def,
      namespace: ns,
      match: this.matcher(def, q, route.name),
      resourceVersion: q.get('resourceVersion') ?? undefined,
      bookmarks: q.get('allowWatchBookmarks') === 'true',
      timeoutSeconds: timeout ? Number(timeout) : undefined,
      dropAfterMs: this.d.faults.watchDropAfterMs(faultReq),
      forceGone: this.d.faults.watchGone(faultReq),
      asTable,
      bookmarkIntervalMs: this.d.bookmarkIntervalMs,
      onBytes: (n) => this.d.stats.countBytes(n),
    });
    this.d.trackWatch(close, res);
  }

  private deleteCollection(res: ServerResponse, def: ResourceDef, ns: string, q: URLSearchParams, opts: DeleteOptions): void {
    const deleted: KubeObject[] = [];
    for (const { obj } of this.d.store.list(def, def.namespaced ? ns : undefined, this.matcher(def, q))) {
      deleted.push(this.d.service.delete(def, obj.metadata.namespace ?? '', obj.metadata.name!, opts));
    }
    this.send(res, 200, { kind: def.listKind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: this.d.store.currentRv() }, items: deleted });
  }
}

