import { afterAll, beforeAll } from '@jest/globals';
/** Shared fixtures for the kube emulator tests: a small CRD and client factories. */
import * as k8s from '@kubernetes/client-node';
import { startKubeApi, type KubeApiOptions, type KubeApiServer } from '../../../lab/kube/index.js';
import { apiFetch } from '../../support/apiFetch.js';

export const GROUP = 'example.com';
export const VERSION = 'v1';
export const PLURAL = 'widgets';

export const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: PLURAL, singular: 'widget', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
    versions: [{
      name: VERSION,
      served: true,
      storage: true,
      subresources: { status: {} },
      additionalPrinterColumns: [
        { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
        { name: 'State', type: 'string', jsonPath: '.status.state' },
        { name: 'First', type: 'string', jsonPath: '.spec.parts[0].name' },
      ],
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              required: ['size'],
              properties: {
                size: { type: 'integer', minimum: 1, maximum: 100 },
                online: { type: 'boolean' },
                color: { type: 'string', enum: ['red', 'blue'], default: 'red' },
                code: { type: 'string', pattern: '^[a-z]+$' },
                note: { type: 'string', nullable: true },
                port: { 'x-kubernetes-int-or-string': true },
                parts: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
                extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                tags: { type: 'object', additionalProperties: { type: 'string' } },
                ports: {
                  type: 'array',
                  'x-kubernetes-list-type': 'map',
                  'x-kubernetes-list-map-keys': ['name'],
                  items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
                },
              },
            },
            status: { type: 'object', properties: { state: { type: 'string' }, count: { type: 'integer' } } },
          },
        },
      },
    }],
  },
};

export interface Clients {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  custom: k8s.CustomObjectsApi;
  ext: k8s.ApiextensionsV1Api;
}

export function clients(server: KubeApiServer): Clients {
  const kc = server.kubeConfig();
  return { kc, core: kc.makeApiClient(k8s.CoreV1Api), custom: kc.makeApiClient(k8s.CustomObjectsApi), ext: kc.makeApiClient(k8s.ApiextensionsV1Api) };
}

/** A server with no lab CRDs and the Widget CRD registered over HTTP. */
export async function startWithWidgets(opts: KubeApiOptions = {}): Promise<{ server: KubeApiServer } & Clients> {
  const server = await startKubeApi({ loadDefaultCrds: false, ...opts });
  const c = clients(server);
  await postRaw(server, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCrd);
  return { server, ...c };
}

/** A lab API server with the Widget CRD and its clients: `server` and the Clients, filled in before the tests run. */
export type WidgetsServer = { server: KubeApiServer } & Clients;

/**
 * Starts one server (startWithWidgets) for the tests of the file or describe block it is called in, runs
 * `setup` on it, and closes it after them. The object returned is filled in by the `beforeAll`.
 */
export function useWidgetsServer(opts: KubeApiOptions = {}, setup?: (c: WidgetsServer) => Promise<unknown>): WidgetsServer {
  const world = {} as WidgetsServer;
  beforeAll(async () => {
    Object.assign(world, await startWithWidgets(opts));
    await setup?.(world);
  });
  afterAll(async () => world.server?.close());
  return world;
}

/**
 * POSTs JSON as-is. client-node's typed models rename schema keys (`default` -> `_default`,
 * `x-kubernetes-*` -> camelCase) and drop the originals, so CRDs are sent raw.
 */
export async function postRaw(server: KubeApiServer, path: string, body: unknown): Promise<unknown> {
  const res = await apiFetch(server, path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function getRaw(server: KubeApiServer, path: string): Promise<unknown> {
  const res = await apiFetch(server, path);
  const json = await res.json();
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export const ns = (namespace: string) => ({ group: GROUP, version: VERSION, plural: PLURAL, namespace });

export const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
export const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);
export const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
export const apply = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);

/** The Status body of a failed client-node call. */
export async function failure(p: Promise<unknown>): Promise<{ code: number; reason: string; message: string; details?: { causes?: { field: string; message: string }[] }; headers?: Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: number; body?: string; headers?: Record<string, string> };
    if (typeof err.code !== 'number') throw e;
    const body = JSON.parse(err.body ?? '{}');
    return { ...body, code: err.code, headers: err.headers };
  }
  throw new Error('expected the call to fail');
}

export const widget = (name: string, spec: Record<string, unknown> = { size: 1 }, metadata: Record<string, unknown> = {}) => ({
  apiVersion: `${GROUP}/${VERSION}`, kind: 'Widget', metadata: { name, ...metadata }, spec,
});

