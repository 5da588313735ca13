/**
 * The lab's NodeProvider CRD accepts what the plugin's manifest schema (and its contract) accepts:
 * `clusterRef` with only a namespace (the lab has no connected clusters), `allowUncleanedReuse`, and
 * the lab world's own NodeProvider; and rejects, naming the field, what the plugin cannot run with.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../lab/kube/index.js';
import { nodeProviderSpec } from '../../lab/world.js';

const LOFT = { group: 'management.loft.sh', version: 'v1', plural: 'nodeproviders' };

describe('NodeProvider CRD of the lab', () => {
  let api: KubeApiServer;
  let custom: CustomObjectsApi;
  beforeAll(async () => {
    api = await startKubeApi({ port: 0 });
    custom = api.kubeConfig().makeApiClient(CustomObjectsApi);
  });
  afterAll(async () => {
    await api.close();
  });

  const create = (name: string, spec: Record<string, unknown>) =>
    custom.createClusterCustomObject({ ...LOFT, body: { apiVersion: 'management.loft.sh/v1', kind: 'NodeProvider', metadata: { name }, spec } });
  /** The 422 message of a rejected create. */
  const rejection = async (name: string, spec: Record<string, unknown>) => {
    const err = await create(name, spec).then(() => undefined, (e: { code?: number; body?: string }) => e);
    expect(err?.code).toBe(422);
    return String((JSON.parse(err!.body ?? '{}') as { message?: string }).message);
  };

  it('stores the world\'s NodeProvider (netris, namespace-only clusterRef) and allowUncleanedReuse unpruned', async () => {
    const spec = nodeProviderSpec('metal3-system', { netrisSecret: 'netris' });
    const metal3 = spec.metal3 as Record<string, unknown>;
    expect(metal3.clusterRef).toEqual({ namespace: 'metal3-system' });
    const withReuse = { ...spec, metal3: { ...metal3, allowUncleanedReuse: true } };
    const created = await create('lab', withReuse) as { spec: unknown };
    expect(created.spec).toEqual(withReuse);
  });

  it('requires clusterRef.namespace and a netris secretRef name', async () => {
    expect(await rejection('no-namespace', { metal3: { clusterRef: { cluster: 'c1' }, nodeTypes: [] } })).toMatch(/spec\.metal3\.clusterRef\.namespace/);
    expect(await rejection('empty-namespace', { metal3: { clusterRef: { namespace: '' }, nodeTypes: [] } })).toMatch(/spec\.metal3\.clusterRef\.namespace/);
    expect(await rejection('no-secret-name', { metal3: { clusterRef: { namespace: 'ns' }, netris: { secretRef: {} } } }))
      .toMatch(/spec\.metal3\.netris\.secretRef\.name/);
    expect(await rejection('reuse-not-bool', { metal3: { clusterRef: { namespace: 'ns' }, allowUncleanedReuse: 'yes' } }))
      .toMatch(/spec\.metal3\.allowUncleanedReuse/);
  });
});
