import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { apiFetch } from '../../support/apiFetch.js';

const MGMT = { group: 'management.loft.sh', version: 'v1' };

describe('lab CRDs', () => {
  let api: KubeApiServer;
  let custom: CustomObjectsApi;
  beforeAll(async () => {
    api = await startKubeApi({ port: 0 });
    custom = api.kubeConfig().makeApiClient(CustomObjectsApi);
    await api.kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'p-default' } } });
  });
  afterAll(async () => {
    await api.close();
  });

  const roundTrip = async (plural: string, body: { spec: unknown } & Record<string, unknown>, namespace?: string) => {
    const created = namespace
      ? await custom.createNamespacedCustomObject({ ...MGMT, plural, namespace, body })
      : await custom.createClusterCustomObject({ ...MGMT, plural, body });
    expect(created.spec).toEqual(body.spec);
    return created;
  };

  it('stores the management.loft.sh objects of the flow without pruning their fields', async () => {
    await roundTrip('nodeproviders', {
      apiVersion: 'management.loft.sh/v1', kind: 'NodeProvider', metadata: { name: 'metal3-provider' },
      spec: {
        displayName: 'Metal3', properties: { 'vcluster.com/os-image': 'ubuntu-noble' },
        metal3: {
          clusterRef: { cluster: 'loft-cluster', namespace: 'metal3-system' },
          deploy: { metal3: { enabled: false }, dhcp: { enabled: false, helmValues: 'vip: 10.0.0.4/24\n' }, multus: { enabled: false } },
          nodeTypes: [{
            name: 'gpu-h100', displayName: 'DGX H100', properties: { 'metal3.vcluster.com/network-cidr': '10.0.0.1/24' },
            resources: { cpu: '224', memory: '2Ti', 'nvidia.com/gpu': '8' }, overhead: { kubeReserved: { cpu: '100m' } }, cost: 0,
            metadata: { labels: { tier: 'gpu' } },
            bareMetalHosts: { selector: { matchLabels: { 'gpu-model': 'h100' }, matchExpressions: [{ key: 'rack', operator: 'In', values: ['r01'] }] } },
          }],
          netris: { secretRef: { name: 'netris', namespace: 'loft' } }, neutronEnabled: false,
        },
      },
    });
    await roundTrip('nodetypes', {
      apiVersion: 'management.loft.sh/v1', kind: 'NodeType', metadata: { name: 'metal3-provider.gpu-h100' },
      spec: { providerRef: 'metal3-provider', properties: { a: 'b' }, resources: { cpu: '224' }, cost: 12, displayName: 'x' },
    });
    await roundTrip('nodeclaims', {
      apiVersion: 'management.loft.sh/v1', kind: 'NodeClaim', metadata: { name: 'one-abcde' },
      spec: {
        providerRef: 'metal3-provider', typeRef: 'metal3-provider.gpu-h100', vClusterRef: 'one', controlPlane: false,
        properties: { 'metal3.vcluster.com/server-name': 'gpu-h100-01' }, desiredCapacity: { cpu: '120m', pods: '5' },
        requirements: [{ key: 'vcluster.com/node-type', operator: 'In', values: ['gpu-h100'] }],
        taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }], kubeletArgs: { 'max-pods': '200' }, power: { state: 'On' },
      },
    }, 'p-default');
    await roundTrip('nodeenvironments', {
      apiVersion: 'management.loft.sh/v1', kind: 'NodeEnvironment', metadata: { name: 'env' },
      spec: { providerRef: 'metal3-provider', properties: { 'metal3.vcluster.com/dns-servers': '1.1.1.1' } },
    }, 'p-default');
    await roundTrip('osimages', {
      apiVersion: 'management.loft.sh/v1', kind: 'OSImage', metadata: { name: 'ubuntu-noble' },
      spec: { properties: { 'metal3.vcluster.com/image-url': 'http://x/y.qcow2' } },
    });
    await roundTrip('sshkeys', {
      apiVersion: 'management.loft.sh/v1', kind: 'SSHKey', metadata: { name: 'demo' }, spec: { publicKey: 'ssh-ed25519 AAAA demo' },
    });
    await roundTrip('virtualclusterinstances', {
      apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name: 'one' },
      spec: {
        clusterRef: { cluster: 'loft-cluster', namespace: 'p-default-v-one' },
        template: { helmRelease: { chart: { version: '0.31.0' }, values: 'privateNodes:\n  enabled: true\n' } },
      },
    }, 'p-default');
  });

  it('rejects a NodeClaim without providerRef and a bad requirement operator, naming the field', async () => {
    const create = (spec: Record<string, unknown>) => custom.createNamespacedCustomObject({
      ...MGMT, plural: 'nodeclaims', namespace: 'p-default',
      body: { apiVersion: 'management.loft.sh/v1', kind: 'NodeClaim', metadata: { generateName: 'bad-' }, spec },
    }).then(() => undefined, (e: { code: number; body: string }) => e);
    const missing = await create({ typeRef: 'x' });
    expect(missing?.code).toBe(422);
    expect(missing?.body).toContain('spec.providerRef');
    const badOp = await create({ providerRef: 'p', requirements: [{ key: 'k', operator: 'Near' }] });
    expect(badOp?.code).toBe(422);
    expect(badOp?.body).toContain('spec.requirements[0].operator');
  });

  it('serves BareMetalHost and NodeClaim printer columns as in the real CRDs', async () => {
    const table = async (path: string) => {
      const res = await apiFetch(api, path, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
      const body = await res.json() as { columnDefinitions: Array<{ name: string; priority?: number }> };
      return body.columnDefinitions.map((c) => `${c.name}${c.priority ? `:${c.priority}` : ''}`);
    };
    expect(await table('/apis/metal3.io/v1alpha1/namespaces/p-default/baremetalhosts')).toEqual(
      ['Name', 'Status:1', 'State', 'Consumer', 'BMC:1', 'Online', 'Error', 'Age']);
    expect(await table('/apis/management.loft.sh/v1/namespaces/p-default/nodeclaims')).toEqual(
      ['Name', 'Status', 'VCluster', 'Type', 'Age']);
  });
});
