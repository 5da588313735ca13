/**
 * One provisioning pass for a tenant, run when a batch window closes: the tenant's unschedulable pods
 * not already served by a claim in flight are planned (plan.ts) against its dynamic pools; new
 * NodeClaims are created tagged with their pool, room taken on claims in flight is recorded on them,
 * and every decision is an Event: on the pod (Nominated, FailedScheduling) and on the claim (Created).
 */
import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { GROUP, LABEL_POOL, LABEL_VCLUSTER, NODECLAIMS, VERSION, claimRef, type NodeClaim } from '../nodeClaims/types.js';
import { environmentForClaims } from '../autoNodes/nodeEnvironment.js';
import { Quota } from '../autoNodes/quota.js';
import { isProvisionable, podKey, podRef, type DynamicContext, type TenantState } from './context.js';
import { claimForPlannedNode } from './dynamicClaim.js';
import { NOMINATED_PODS_ANNOTATION } from './names.js';
import { planBatch, type InFlightClaim, type PendingPod, type Plan, type PoolOption } from './plan.js';
import { claimsPerType, inFlight, inFlightClaim, nominatedPods, poolOption } from './poolView.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface ProvisionResult {
  plan?: Plan;
  created: NodeClaim[];
}

export async function provision(ctx: DynamicContext, t: TenantState): Promise<ProvisionResult> {
  const allPods = t.pods.list();
  const pending = allPods.filter(isProvisionable);
  if (pending.length === 0) return { created: [] };
  const now = ctx.deps.clock.now().getTime();
  // The informer's claims and this controller's creates it does not list yet: the last pass's claims
  // count even before their watch events arrive (no live LIST per pass).
  const all = ctx.claims();
  const mine = all.filter((c) => c.metadata.namespace === t.vci.namespace && c.metadata.labels?.[LABEL_VCLUSTER] === t.vci.name);
  const types = await ctx.nodeTypes();
  const held = claimsPerType(all.filter((c) => !c.metadata.deletionTimestamp));
  const podsByKey = new Map(allPods.map((p) => [podKey(p), p]));

  const served = new Set<string>();
  const pools: PoolOption[] = [];
  const rooms: InFlightClaim[] = [];
  const claimsByName = new Map<string, NodeClaim>();
  for (const ref of t.pools) {
    if (!ctx.deps.providers.get(ref.entry.provider)) continue;
    const ofPool = mine.filter((c) => c.metadata.labels?.[LABEL_POOL] === ref.pool.name && c.status?.phase !== 'Failed');
    pools.push(poolOption(ref, types, ofPool, held));
    for (const c of ofPool.filter((c) => inFlight(c, now, ctx.options.nominationGraceMs))) {
      for (const k of nominatedPods(c)) served.add(k);
      const room = inFlightClaim(ref, c, types, podsByKey);
      if (room) rooms.push(room);
      claimsByName.set(c.metadata.name!, c);
    }
  }
  const toPlan: PendingPod[] = pending.filter((p) => !served.has(podKey(p))).map((pod) => ({ key: podKey(pod), pod }));
  if (toPlan.length === 0 || pools.length === 0) return { created: [] };

  const plan = planBatch(toPlan, pools, rooms);
  const providerOf = (pool: string) => t.pools.find((r) => r.pool.name === pool)!.entry.provider;
  // Every claim names its tenant cluster's NodeEnvironment of the provider (created on first use, as for
  // static claims). It is ensured for every provider the plan asks a machine of, while the Project's
  // quota is read: two round trips at once instead of one after the other before the creates.
  const environments = new Map<string, string>();
  const [quota] = await Promise.all([
    // The Project's machine quota counts dynamic claims as it counts static ones.
    Quota.of(ctx.projects, ctx.custom, t.vci.namespace),
    ...[...new Set(plan.claims.map((planned) => providerOf(planned.pool)))].map(async (provider) => {
      environments.set(provider, await environmentForClaims(ctx.custom, ctx.deps.events, t.vci, provider));
    }),
  ]);
  const admitted = plan.claims.filter((planned) => {
    if (quota.admit(providerOf(planned.pool), `dynamic pool ${planned.pool}`)) return true;
    for (const p of planned.pods) plan.unschedulable.push({ pod: p, message: quota.refusal?.message ?? 'project quota reached' });
    return false;
  });
  // Claims are independent writes: create them together, then say so on each claim and pod.
  const created = await Promise.all(admitted.map(async (planned) => {
    const ref = t.pools.find((r) => r.pool.name === planned.pool)!;
    const type = types.find((x) => x.name === planned.type.name)!;
    const keys = planned.pods.map((p) => p.key);
    const claim = (await ctx.custom.createNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace: t.vci.namespace, plural: NODECLAIMS,
      body: claimForPlannedNode(t.vci, ref, type, keys, planned.requests, environments.get(ref.entry.provider)),
    })) as NodeClaim;
    ctx.created(claim);
    ctx.deps.events.record(claimRef(claim), 'Normal', 'Created',
      `dynamic pool ${planned.pool}: node type ${type.name} (cheapest of ${planned.alternatives} that fit) for ${keys.length} pending pod(s): ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', ...' : ''}`);
    for (const p of planned.pods) {
      t.podEvents.record(podRef(p.pod), 'Normal', 'Nominated', `Pod should schedule on: nodeclaim/${claim.metadata.name} (pool ${planned.pool}, node type ${type.name})`);
    }
    return claim;
  }));
  for (const [name, pods] of plan.nominations) {
    const claim = claimsByName.get(name)!;
    const list = [...new Set([...nominatedPods(claim), ...pods.map((p) => p.key)])];
    await ctx.custom.patchNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace: claim.metadata.namespace!, plural: NODECLAIMS, name,
      body: { metadata: { annotations: { [NOMINATED_PODS_ANNOTATION]: JSON.stringify(list) } } },
    }, MERGE);
    for (const p of pods) {
      t.podEvents.record(podRef(p.pod), 'Normal', 'Nominated', `Pod should schedule on: nodeclaim/${name} (in flight, pool ${claim.metadata.labels?.[LABEL_POOL]})`);
    }
  }
  for (const { pod, message } of plan.unschedulable) {
    t.podEvents.record(podRef(pod.pod as V1Pod), 'Warning', 'FailedScheduling', `no dynamic pool can serve the pod: ${message}`);
  }
  if (created.length || plan.unschedulable.length) {
    ctx.deps.logger.info({ tenant: t.key, pods: toPlan.length, created: created.length, nominated: plan.nominations.size, unschedulable: plan.unschedulable.length }, 'dynamic provisioning pass');
  }
  return { plan, created };
}
