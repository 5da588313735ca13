/**
 * CRD parity with Metal3: where ../shared/upstream/metal3/crds is present (every checkout and CI), the lab serves
 * BMO's own BareMetalHost and HardwareData CRDs; its fallback copies in lab/crds must be structurally the same,
 * apart from the short allow-list below.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { startKubeApi, upstreamMetal3CrdDir, type KubeApiServer } from '../../../lab/kube/index.js';
import { REPO_ROOT } from '../../platform/host/helpers.js';
import { getRaw } from '../kube/helpers.js';

const FILES = ['metal3.io_baremetalhosts.yaml', 'metal3.io_hardwaredata.yaml'];

/**
 * Differences the fallback may have, each with its reason. Nothing else may differ.
 * - field `description`s: the fallback is a structural copy; kubectl explain shows upstream's text where it is served.
 * - `metadata.annotations`: controller-gen's version stamp, not part of the API.
 */
const ALLOWED: { matches: (p: string) => boolean; why: string }[] = [
  { matches: (p) => /(^|\.)description$/.test(p) && !/\.properties\.description$/.test(p), why: 'field descriptions are left out of the fallback' },
  { matches: (p) => p.startsWith('metadata.annotations'), why: 'controller-gen version annotation' },
];

/** Every path where `a` and `b` differ (a key missing on one side, or a different leaf). */
function differences(a: unknown, b: unknown, at = ''): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => differences(a[k], b[k], at ? `${at}.${k}` : k));
}

const readYaml = async (file: string) => parse(await readFile(file, 'utf8')) as Record<string, unknown>;

describe('Metal3 CRD parity', () => {
  const upstream = upstreamMetal3CrdDir();

  it('finds the upstream CRDs beside the checkout', () => {
    expect(upstream).toBeDefined();
  });

  it.each(FILES)('keeps the fallback lab/crds/%s structurally equal to upstream', async (file) => {
    const ours = await readYaml(path.join(REPO_ROOT, 'lab/crds', file));
    const theirs = await readYaml(path.join(upstream!, file));
    const unexplained = differences(ours, theirs).filter((p) => !ALLOWED.some((a) => a.matches(p)));
    expect(unexplained).toEqual([]);
  });

  it('notices a difference outside the allow-list (the comparison can fail)', async () => {
    const ours = await readYaml(path.join(REPO_ROOT, 'lab/crds', FILES[0]!));
    const changed = structuredClone(ours) as { spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, unknown> } } } } }[] } };
    changed.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties.bootMode = { type: 'string', default: 'UEFI' };
    expect(differences(ours, changed).sort()).toEqual(['spec.versions.0.schema.openAPIV3Schema.properties.spec.properties.bootMode.default', 'spec.versions.0.schema.openAPIV3Schema.properties.spec.properties.bootMode.enum']);
  });

  describe('the fallback, served where upstream is absent', () => {
    let api: KubeApiServer;
    beforeAll(async () => {
      api = await startKubeApi({ port: 0, preferUpstreamCrds: false });
    });
    afterAll(async () => {
      await api.close();
    });

    it('loads lab/crds and admits upstream\'s example host with the same defaults', async () => {
      for (const file of FILES) expect(api.crdFiles).toContain(path.join(REPO_ROOT, 'lab/crds', file));
      const custom = api.kubeConfig().makeApiClient(CustomObjectsApi);
      await api.kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'fallback' } } });
      const docs = parseAllDocuments(await readFile(path.join(path.dirname(upstream!), 'examples/example-host.yaml'), 'utf8')).map((d) => d.toJS());
      const body = docs.find((d) => d.kind === 'BareMetalHost');
      const created = (await custom.createNamespacedCustomObject({ group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', namespace: 'fallback', body })) as { spec: Record<string, unknown> };
      expect(created.spec).toEqual({ ...body.spec, automatedCleaningMode: 'metadata' });
    });
  });

  describe('served by the lab', () => {
    let api: KubeApiServer;
    beforeAll(async () => {
      api = await startKubeApi({ port: 0 });
    });
    afterAll(async () => {
      await api.close();
    });

    it('loads the upstream files, not the fallback', () => {
      for (const file of FILES) expect(api.crdFiles).toContain(path.join(upstream!, file));
      expect(api.crdFiles.some((f) => f.startsWith(path.join(REPO_ROOT, 'lab/crds')))).toBe(false);
    });

    it.each(FILES)('serves %s with upstream\'s spec, descriptions included', async (file) => {
      const theirs = (await readYaml(path.join(upstream!, file))) as { metadata: { name: string }; spec: object };
      const served = (await getRaw(api, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${theirs.metadata.name}`)) as { spec: object };
      expect(served.spec).toEqual(theirs.spec);
    });
  });
});
