/**
 * A lab world for the dashboard tests: test timings except for provisioning and cleaning, which take
 * long enough (1.5 s each) for a browser to see every step, the Netris fabric on, and the dashboard
 * served from a bundle built here exactly as `npm run build` builds it.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { bundleDashboard } from '../../scripts/bundleDashboard.mjs';
import { SERVER_CLUSTER_PROPERTY, startWorld, type World } from '../../lab/world.js';
import { REPO_ROOT } from '../platform/host/helpers.js';
import { waitFor } from '../support/waitFor.js';

const LOFT = { group: 'management.loft.sh', version: 'v1' };
export const PROJECT = 'p-demo';
export const STEP_MS = 1500;

export interface DashboardWorld {
  world: World;
  dir: string;
  assetsDir: string;
  url: string;
  stop(): Promise<void>;
}

export async function startDashboardWorld(): Promise<DashboardWorld> {
  await mkdir(join(REPO_ROOT, '.lab'), { recursive: true });
  const dir = await mkdtemp(join(REPO_ROOT, '.lab', 'dashboard-'));
  const assetsDir = await bundleDashboard(join(dir, 'public'));
  const world = await startWorld({
    dir, timings: 'test', metal3Timings: { provisioning: STEP_MS, deprovisioning: STEP_MS }, dashboard: { assetsDir },
  });
  await world.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: PROJECT } } });
  return {
    world, dir, assetsDir, url: world.platform.dashboardUrl!,
    async stop() {
      await world.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Pool { name: string; quantity: number; nodeType: string }

/** Creates or updates the tenant's VirtualClusterInstance with these static pools (on its own network when the world has a fabric). */
export async function applyTenant(world: World, tenant: string, pools: Pool[]): Promise<void> {
  const serverCluster = world.fabric?.serverClusterFor(`${PROJECT}/${tenant}`).name;
  const values = stringify({
    privateNodes: {
      enabled: true,
      autoNodes: [{
        provider: 'metal3-provider',
        ...(serverCluster ? { properties: { [SERVER_CLUSTER_PROPERTY]: serverCluster } } : {}),
        static: pools.map((p) => ({ name: p.name, quantity: p.quantity, nodeTypeSelector: [{ property: 'vcluster.com/node-type', value: p.nodeType }] })),
      }],
    },
  });
  const custom = world.kubeConfig.makeApiClient(CustomObjectsApi);
  const spec = { template: { helmRelease: { values } } };
  try {
    await custom.createNamespacedCustomObject({
      ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances',
      body: { apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name: tenant }, spec },
    });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
    await custom.patchNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances', name: tenant, body: { spec } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  }
}

export async function deleteTenant(world: World, tenant: string): Promise<void> {
  await world.kubeConfig.makeApiClient(CustomObjectsApi)
    .deleteNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances', name: tenant })
    .catch((err: { code?: number }) => {
      if (err.code !== 404) throw err;
    });
}

/** Resolves once no NodeClaim exists and every host is available and unclaimed (nothing reconciles, nothing provisions). */
export async function untilQuiet(world: World): Promise<void> {
  const custom = world.kubeConfig.makeApiClient(CustomObjectsApi);
  await waitFor(async () => {
    const claims = (await custom.listClusterCustomObject({ ...LOFT, plural: 'nodeclaims' })) as { items: unknown[] };
    const hosts = (await custom.listNamespacedCustomObject({ group: 'metal3.io', version: 'v1alpha1', namespace: 'metal3-system', plural: 'baremetalhosts' })) as {
      items: { spec?: { consumerRef?: unknown }; status?: { provisioning?: { state?: string } } }[];
    };
    return claims.items.length === 0 && hosts.items.every((h) => h.status?.provisioning?.state === 'available' && !h.spec?.consumerRef);
  }, { what: 'a quiet world (no claims, every host available)', timeoutMs: 60_000 });
}
