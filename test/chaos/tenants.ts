/** Tenant clusters as the chaos run drives them: VirtualClusterInstances with static or dynamic autoNodes pools. */
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { PROVIDER_NAME } from '../../lab/world.js';

const LOFT = { group: 'management.loft.sh', version: 'v1', plural: 'virtualclusterinstances' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface Pool { name: string; quantity: number; nodeType: string }

/** A dynamic pool (Karpenter NodePool) over every node type of the provider, in every site. */
export interface DynamicPool {
  name: string;
  limits: Record<string, string>;
  consolidationPolicy: 'WhenEmpty' | 'WhenEmptyOrUnderutilized';
  consolidateAfter: string;
}

function values(pools: Pool[], dynamic: DynamicPool[] = []): string {
  return stringify({
    privateNodes: {
      enabled: true,
      autoNodes: [{
        provider: PROVIDER_NAME,
        static: pools.map((p) => ({ name: p.name, quantity: p.quantity, nodeTypeSelector: [{ property: 'vcluster.com/node-type', value: p.nodeType }] })),
        ...(dynamic.length > 0 ? {
          dynamic: dynamic.map((d) => ({
            name: d.name, limits: d.limits, disruption: { consolidationPolicy: d.consolidationPolicy, consolidateAfter: d.consolidateAfter },
          })),
        } : {}),
      }],
    },
  });
}

/** Retries through injected API faults (5xx, 429, 504); a 409 on create / 404 on delete means done. */
export async function persist<T>(what: string, call: () => Promise<T>, tries = 40): Promise<T | undefined> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      return await call();
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 409 || code === 404) return undefined;
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${what}: ${(last as Error)?.message ?? String(last)}`);
}

export class TenantDriver {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;

  constructor(kubeConfig: KubeConfig, readonly namespace: string) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async ensureNamespace(): Promise<void> {
    await persist(`create namespace ${this.namespace}`, () => this.core.createNamespace({ body: { metadata: { name: this.namespace } } }));
  }

  async create(name: string, pools: Pool[], dynamic: DynamicPool[] = []): Promise<void> {
    await persist(`create VirtualClusterInstance ${name}`, () => this.custom.createNamespacedCustomObject({
      ...LOFT, namespace: this.namespace,
      body: { apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name }, spec: { template: { helmRelease: { values: values(pools, dynamic) } } } },
    }));
  }

  async scale(name: string, pools: Pool[]): Promise<void> {
    await persist(`scale VirtualClusterInstance ${name}`, () => this.custom.patchNamespacedCustomObject({
      ...LOFT, namespace: this.namespace, name, body: { spec: { template: { helmRelease: { values: values(pools) } } } },
    }, MERGE));
  }

  async delete(name: string): Promise<void> {
    await persist(`delete VirtualClusterInstance ${name}`, () => this.custom.deleteNamespacedCustomObject({ ...LOFT, namespace: this.namespace, name }));
  }

  /** The operator's retry of a Failed claim: delete it (the pool then gets a fresh one). */
  async deleteClaim(name: string): Promise<void> {
    await persist(`delete NodeClaim ${name}`, () => this.custom.deleteNamespacedCustomObject({ group: LOFT.group, version: LOFT.version, plural: 'nodeclaims', namespace: this.namespace, name }));
  }

  async vciExists(name: string): Promise<boolean> {
    const found = await persist(`read VirtualClusterInstance ${name}`, () => this.custom.getNamespacedCustomObject({ ...LOFT, namespace: this.namespace, name }));
    return found !== undefined;
  }
}
