/**
 * The pools of every VirtualClusterInstance, as the NodeClaim controller needs them to tell whether a
 * claim still matches its pool (drift.ts): one VCI informer, each VCI's vcluster.yaml parsed once per
 * resourceVersion. A VCI whose autoNodes config is invalid, or that is being deleted, has no pools
 * here: its claims are not judged until it is fixed.
 */
import type { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';
import type { AutoNodesConfig } from '../autoNodes/config.js';
import { poolDesire, type PoolDesire } from '../autoNodes/poolMatch.js';
import { parseAutoNodesFromValues } from '../autoNodes/validate.js';
import type { Vci } from '../autoNodes/vciStatus.js';
import type { ResourceInformer } from '../runtime/informer.js';
import { startPlatformInformer } from '../runtime/platformInformer.js';
import { GROUP, LABEL_POOL, LABEL_VCLUSTER, VCIS, VERSION, type NodeClaim } from './types.js';

export class PoolDirectory {
  private informer?: ResourceInformer<Vci & { metadata: { name: string } }>;
  private custom?: CustomObjectsApi;
  private readonly parsed = new Map<string, { resourceVersion?: string; config?: AutoNodesConfig }>();

  /** `onChange` hears of every VCI whose spec changed (its claims should be judged again). */
  async start(kubeConfig: KubeConfig, custom: CustomObjectsApi, logger: Logger, onChange: (namespace: string, name: string) => void): Promise<void> {
    this.custom = custom;
    const seen = new Map<string, string>();
    this.informer = await startPlatformInformer<Vci & { metadata: { name: string } }>(VCIS, {
      kubeConfig,
      onChange: (vci, kind) => {
        const key = `${vci.metadata.namespace}/${vci.metadata.name}`;
        const fingerprint = kind === 'delete' ? '' : JSON.stringify([vci.spec, vci.metadata.deletionTimestamp]);
        if (seen.get(key) === fingerprint) return;
        seen.set(key, fingerprint);
        if (kind === 'delete') this.parsed.delete(key);
        if (kind !== 'add') onChange(vci.metadata.namespace!, vci.metadata.name);
      },
      logger,
    });
  }

  async stop(): Promise<void> {
    await this.informer?.stop();
  }

  /** What the claim's pool wants now (from the informer's cache); undefined for a claim of no pool, or a pool no valid config has. */
  poolOf(claim: NodeClaim): PoolDesire | undefined {
    const vciName = claim.metadata.labels?.[LABEL_VCLUSTER];
    if (!vciName || !claim.metadata.labels?.[LABEL_POOL]) return undefined;
    const vci = this.informer?.list().find((v) => v.metadata.namespace === claim.metadata.namespace && v.metadata.name === vciName);
    return vci ? this.find(claim, this.configOf(vci)) : undefined;
  }

  /** poolOf from a live read of the VCI: a drift verdict is confirmed this way before it is acted on (the cache may lag). */
  async poolOfLive(claim: NodeClaim): Promise<PoolDesire | undefined> {
    const vciName = claim.metadata.labels?.[LABEL_VCLUSTER];
    if (!vciName || !claim.metadata.labels?.[LABEL_POOL] || !this.custom) return undefined;
    try {
      const vci = (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: claim.metadata.namespace!, plural: VCIS, name: vciName })) as Vci;
      return this.find(claim, this.configOf(vci));
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  private find(claim: NodeClaim, config: AutoNodesConfig | undefined): PoolDesire | undefined {
    const poolName = claim.metadata.labels?.[LABEL_POOL];
    if (!config) return undefined;
    for (const [i, entry] of config.entries.entries()) {
      if (entry.provider !== claim.spec.providerRef) continue;
      const s = entry.static.findIndex((p) => p.name === poolName);
      if (s >= 0) return poolDesire(entry, entry.static[s], `privateNodes.autoNodes[${i}].static[${s}]`);
      const d = entry.dynamic.findIndex((p) => p.name === poolName);
      if (d >= 0) return poolDesire(entry, entry.dynamic[d], `privateNodes.autoNodes[${i}].dynamic[${d}]`, 'dynamic');
    }
    return undefined;
  }

  private configOf(vci: Vci): AutoNodesConfig | undefined {
    if (vci.metadata.deletionTimestamp) return undefined;
    const key = `${vci.metadata.namespace}/${vci.metadata.name}`;
    const cached = this.parsed.get(key);
    if (cached && cached.resourceVersion === vci.metadata.resourceVersion) return cached.config;
    const result = parseAutoNodesFromValues(vci.spec?.template?.helmRelease?.values);
    const config = result.ok ? result.config : undefined;
    this.parsed.set(key, { resourceVersion: vci.metadata.resourceVersion, config });
    return config;
  }
}
