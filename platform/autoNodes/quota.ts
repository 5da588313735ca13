/**
 * The machine quota of one reconcile: the namespace's Project rules and its live NodeClaims, counted
 * up as claims are created. The first refusal is kept for the VCI's `WithinQuota` condition.
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, NODECLAIMS, VERSION, type NodeClaim } from '../nodeClaims/types.js';
import { quotaRefusal, type ProjectRules } from '../projects/project.js';
import type { ProjectStore } from '../projects/projectStore.js';

export const QUOTA_CONDITION = 'WithinQuota';

export class Quota {
  refusal?: { reason: 'QuotaExceeded' | 'InvalidProject'; message: string };

  private constructor(private readonly rules: ProjectRules | undefined, private readonly live: NodeClaim[]) {}

  static async of(projects: ProjectStore, custom: CustomObjectsApi, namespace: string): Promise<Quota> {
    const rules = await projects.forNamespace(namespace);
    const limited = rules && (rules.nodeClaims !== undefined || rules.nodeClaimsByProvider.size > 0);
    if (!limited) return new Quota(rules, []);
    const list = (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: NODECLAIMS })) as { items: NodeClaim[] };
    return new Quota(rules, list.items.filter((c) => !c.metadata.deletionTimestamp));
  }

  /** Whether the Project has machine quotas (or is invalid): only then does a VCI get the condition. */
  get applies(): boolean {
    return !!this.rules && (this.rules.errors.length > 0 || this.rules.nodeClaims !== undefined || this.rules.nodeClaimsByProvider.size > 0);
  }

  /** True when one more claim of `provider` fits (and counts it); otherwise records why not. */
  admit(provider: string, context: string): boolean {
    if (!this.rules) return true;
    if (this.rules.errors.length > 0) {
      this.refusal ??= { reason: 'InvalidProject', message: `no NodeClaim is created until the Project is fixed: ${this.rules.errors.join('; ')}` };
      return false;
    }
    const counts = { total: this.live.length, ofProvider: this.live.filter((c) => c.spec?.providerRef === provider).length };
    const refused = quotaRefusal(this.rules, counts, provider);
    if (refused) {
      this.refusal ??= { reason: 'QuotaExceeded', message: `${refused} (${context})` };
      return false;
    }
    this.live.push({ metadata: {}, spec: { providerRef: provider } });
    return true;
  }
}
