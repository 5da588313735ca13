/**
 * One disruption pass for a tenant's dynamic pools (Karpenter semantics):
 * - expireAfter: a claim older than its pool's lifetime is deleted (forceful, as in Karpenter v1: not
 *   held by budgets; the drain still waits for `karpenter.sh/do-not-disrupt` pods up to the
 *   terminationGracePeriod); the provisioner replaces it for the pods that come back pending;
 * - consolidation (consolidation.ts): Empty nodes, and with WhenEmptyOrUnderutilized one node per pass
 *   whose pods fit elsewhere, once its pods have not changed for consolidateAfter;
 * - drift (disruptDrifted): a node whose claim no longer matches its pool, reason `Drifted`;
 * - budgets (budgets.ts) bound how many of the pool's nodes may be disrupted at once.
 * Every decision is an Event on the claim (Disrupting, DisruptionBlocked) or the pod that blocks it.
 * Deleting the claim hands it to the NodeClaim controller: drain, delete the Node, release the host.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { parseResources } from '../../common/podFit.js';
import { getCondition } from '../runtime/conditions.js';
import type { DisruptionReason, DynamicPool } from '../autoNodes/config.js';
import { findClaimNode } from '../nodeClaims/registration.js';
import { disruptClaim } from '../nodeClaims/disruptClaim.js';
import { claimRef, claimView, LABEL_POOL, LABEL_VCLUSTER, REPLACES_ANNOTATION, type NodeClaim } from '../nodeClaims/types.js';
import { allowedDisruptions, describeBudget } from './budgets.js';
import { blocksDisruption, findCandidates, fitsElsewhere, isWorkloadPod, type NodeOnClaim } from './consolidation.js';
import { podKey, podRef, type DynamicContext, type TenantState } from './context.js';
import { DO_NOT_DISRUPT_ANNOTATION } from './names.js';
import { STANDARD_RESOURCES } from './plan.js';
import { launchDriftReplacement } from './driftReplacement.js';
import { inFlight, nominatedPods, type DynamicPoolRef } from './poolView.js';

export async function disrupt(ctx: DynamicContext, t: TenantState): Promise<void> {
  const now = ctx.deps.clock.now();
  const claims = ctx.claims().filter((c) => c.metadata.namespace === t.vci.namespace && c.metadata.labels?.[LABEL_VCLUSTER] === t.vci.name);
  if (claims.length === 0) {
    // Nothing to disrupt: no Node watch on the tenant yet (a tenant's first pass should not share its window with one).
    t.podChanges.clear();
    return;
  }
  const nodes = await ctx.tenants.nodes(t.conn);
  const all = t.pods.list();
  const pods = all.filter((p) => p.spec?.nodeName && isWorkloadPod(p));
  const waiting = new Set(all.filter(awaitsBinding).map(podKey));
  const podsOn = (node: string) => pods.filter((p) => p.spec!.nodeName === node);
  const claimed = new Set<string>();
  const poolNodes: { ref: DynamicPool; poolRef: DynamicPoolRef; onClaims: NodeOnClaim[]; live: NodeClaim[]; disrupting: number }[] = [];

  for (const { entry, pool } of t.pools) {
    const provider = ctx.deps.providers.get(entry.provider);
    if (!provider) continue;
    const ofPool = claims.filter((c) => c.metadata.labels?.[LABEL_POOL] === pool.name);
    const live = ofPool.filter((c) => !c.metadata.deletionTimestamp);
    let disrupting = ofPool.length - live.length;
    const onClaims: NodeOnClaim[] = [];
    for (const c of live) {
      if (pool.expireAfterMs !== undefined && now.getTime() - created(c) >= pool.expireAfterMs) {
        await disruptClaim(ctx.custom, ctx.deps, c, 'Expired', `NodeClaim lived longer than expireAfter (${Math.round(pool.expireAfterMs / 1000)}s); replacing it`);
        disrupting += 1;
        continue;
      }
      if (c.status?.phase !== 'Available' || inFlight(c, now.getTime(), ctx.options.nominationGraceMs)) continue;
      if (awaitsNominatedPods(c, waiting, now.getTime(), ctx.options.nominationGraceMs + ctx.options.recheckMs)) continue;
      const state = await provider.getNode(claimView(c));
      const node = findClaimNode(nodes, c, state?.machine.name);
      if (!node || !initialized(node, c)) continue;
      claimed.add(node.metadata!.name!);
      const on = podsOn(node.metadata!.name!);
      onClaims.push({
        claimName: c.metadata.name!, node, pods: on, lastPodChangeMs: lastChange(t, c, on, now.getTime()),
        annotatedDoNotDisrupt: c.metadata.annotations?.[DO_NOT_DISRUPT_ANNOTATION] === 'true' || node.metadata?.annotations?.[DO_NOT_DISRUPT_ANNOTATION] === 'true',
      });
    }
    poolNodes.push({ ref: pool, poolRef: { entry, pool }, onClaims, live, disrupting });
  }

  const others = nodes.filter((n) => !claimed.has(n.metadata!.name!)).map((node) => ({ node, pods: podsOn(node.metadata!.name!) }));
  const gone = new Set<string>();
  for (const { ref: pool, poolRef, onClaims, live, disrupting } of poolNodes) {
    const { candidates, blocked } = findCandidates(
      onClaims.filter((n) => !gone.has(n.node.metadata!.name!)), others, pool.disruption.consolidationPolicy, pool.disruption.consolidateAfterMs, now.getTime(),
    );
    for (const b of blocked) {
      const claim = live.find((c) => c.metadata.name === b.claimName)!;
      ctx.deps.events.record(claimRef(claim), 'Normal', 'DisruptionBlocked', `cannot consolidate: ${b.message}`);
      if (b.pod) t.podEvents.record(podRef(b.pod as V1Pod), 'Normal', 'DisruptionBlocked', `pod blocks consolidation of node ${b.pod.spec?.nodeName}: ${DO_NOT_DISRUPT_ANNOTATION}`);
    }
    let inProgress = disrupting;
    let underutilizedDone = false;
    for (const cand of candidates) {
      if (cand.reason === 'Underutilized' && underutilizedDone) continue;
      const claim = live.find((c) => c.metadata.name === cand.claimName)!;
      const verdict = allowedDisruptions(pool.disruption.budgets, cand.reason as DisruptionReason, live.length + disrupting, inProgress, now);
      if (verdict.allowed <= 0) {
        ctx.deps.events.record(claimRef(claim), 'Normal', 'DisruptionBlocked',
          `${cand.reason}: ${cand.message}, but pool ${pool.name}'s disruption budget ${verdict.binding ? describeBudget(verdict.binding) : ''} allows no more now (${inProgress} being disrupted)`);
        continue;
      }
      const decided = onClaims.find((n) => n.claimName === cand.claimName)!;
      if (!(await stillHolds(t, decided))) continue;
      await disruptClaim(ctx.custom, ctx.deps, claim, cand.reason, `${cand.message} (consolidationPolicy ${pool.disruption.consolidationPolicy})`);
      inProgress += 1;
      const node = decided.node;
      gone.add(node.metadata!.name!);
      if (cand.reason === 'Underutilized') underutilizedDone = true;
    }
    inProgress = await disruptDrifted(ctx, t, poolRef, onClaims.filter((n) => !gone.has(n.node.metadata!.name!)), live, others, inProgress, disrupting, gone);
  }
  for (const name of [...t.podChanges.keys()]) if (!claims.some((c) => c.metadata.name === name)) t.podChanges.delete(name);
}

/**
 * Drift (Karpenter's reason `Drifted`, under the pool's budgets for it): a node whose claim no longer
 * matches its pool (NotDrifted=False, set by the NodeClaim controller) goes when it is empty or its pods
 * fit on the other Ready nodes, fewest pods first; a do-not-disrupt pod or annotation holds it. A busy
 * one gets a replacement first (driftReplacement.ts), counted as a disruption in progress, and goes once
 * its pods fit there; a Failed replacement is not retried, and when none can be created (pool limits,
 * no free host, the quota) nothing is deleted. Returns the disruptions in progress.
 */
async function disruptDrifted(
  ctx: DynamicContext, t: TenantState, ref: DynamicPoolRef, onClaims: NodeOnClaim[], live: NodeClaim[], others: { node: V1Node; pods: V1Pod[] }[],
  inProgress: number, disrupting: number, gone: Set<string>,
): Promise<number> {
  const { pool } = ref;
  const now = ctx.deps.clock.now();
  // A replacement in flight for a drifted claim of the pool is a disruption in progress.
  const liveNames = new Set(live.map((c) => c.metadata.name));
  inProgress += live.filter((c) => liveNames.has(c.metadata.annotations?.[REPLACES_ANNOTATION]) && c.status?.phase !== 'Available').length;
  const drifted = onClaims
    .map((n) => ({ n, claim: live.find((c) => c.metadata.name === n.claimName)! }))
    .filter(({ claim }) => getCondition(claim.status?.conditions, 'NotDrifted')?.status === 'False')
    .sort((a, b) => a.n.pods.length - b.n.pods.length || (a.n.claimName < b.n.claimName ? -1 : 1));
  for (const { n, claim } of drifted) {
    const name = n.node.metadata!.name!;
    const why = getCondition(claim.status?.conditions, 'NotDrifted')!.message;
    const pinned = n.pods.find(blocksDisruption);
    if (pinned || n.annotatedDoNotDisrupt) {
      const holder = pinned ? `pod ${pinned.metadata!.namespace}/${pinned.metadata!.name}` : `node ${name}`;
      ctx.deps.events.record(claimRef(claim), 'Normal', 'DisruptionBlocked', `Drifted: ${why}, but ${holder} is annotated ${DO_NOT_DISRUPT_ANNOTATION}`);
      continue;
    }
    const rest = [...onClaims.filter((m) => m !== n && !gone.has(m.node.metadata!.name!)).map((m) => ({ node: m.node, pods: m.pods })), ...others];
    const replacement = live.find((c) => c.metadata.annotations?.[REPLACES_ANNOTATION] === claim.metadata.name);
    if (n.pods.length > 0 && !fitsElsewhere(n.pods, rest)) {
      if (replacement) {
        // Its replacement is on the way (counted against the budget above), or Failed: that is not retried.
        if (replacement.status?.phase === 'Failed') {
          ctx.deps.events.record(claimRef(claim), 'Normal', 'DisruptionBlocked',
            `Drifted: ${why}, but its replacement NodeClaim ${replacement.metadata.name} failed; delete it to try again`);
        }
        continue;
      }
      const verdict = allowedDisruptions(pool.disruption.budgets, 'Drifted', live.length + disrupting, inProgress, now);
      if (verdict.allowed <= 0) {
        ctx.deps.events.record(claimRef(claim), 'Normal', 'DisruptionBlocked',
          `Drifted: ${why}, but pool ${pool.name}'s disruption budget ${verdict.binding ? describeBudget(verdict.binding) : ''} allows no more now (${inProgress} being disrupted)`);
        continue;
      }
      const launched = await launchDriftReplacement(ctx, t, ref, claim, n.pods);
      if ('refused' in launched) {
        ctx.deps.events.record(claimRef(claim), 'Normal', 'DisruptionBlocked',
          `Drifted: ${why}, but the ${n.pods.length} pod(s) on node ${name} fit on no other node and no replacement can be created: ${launched.refused}`);
        continue;
      }
      inProgress += 1;
      continue;
    }
    const verdict = allowedDisruptions(pool.disruption.budgets, 'Drifted', live.length + disrupting, inProgress - (replacement && replacement.status?.phase !== 'Available' ? 1 : 0), now);
    if (verdict.allowed <= 0) {
      ctx.deps.events.record(claimRef(claim), 'Normal', 'DisruptionBlocked',
        `Drifted: ${why}, but pool ${pool.name}'s disruption budget ${verdict.binding ? describeBudget(verdict.binding) : ''} allows no more now (${inProgress} being disrupted)`);
      continue;
    }
    await disruptClaim(ctx.custom, ctx.deps, claim, 'Drifted', `${why}; node ${name} ${n.pods.length ? 'has pods that fit on the other nodes' : 'is empty'}`);
    inProgress += 1;
    gone.add(name);
  }
  return inProgress;
}

/**
 * A pod the provisioner made this claim for that is still waiting to be bound keeps the node from looking
 * empty (Karpenter's nomination): the scheduler, or the device plugin advertising the GPUs, may come after
 * the grace. The hold ends `holdMs` after the join, when the provisioner has planned such pods again.
 */
function awaitsNominatedPods(claim: NodeClaim, waiting: Set<string>, nowMs: number, holdMs: number): boolean {
  const joined = getCondition(claim.status?.conditions, 'Joined')?.lastTransitionTime;
  if (joined && nowMs - new Date(joined).getTime() >= holdMs) return false;
  return nominatedPods(claim).some((key) => waiting.has(key));
}

function awaitsBinding(pod: V1Pod): boolean {
  return !pod.spec?.nodeName && !pod.metadata?.deletionTimestamp && (pod.status?.phase ?? 'Pending') === 'Pending';
}

/**
 * The decision is re-checked against the tenant API just before the claim is deleted, as Karpenter validates
 * a command before it runs: the pod cache may not have seen a pod bound to the node a moment ago, and deleting
 * the claim drains whatever runs there. The next pass sees the change and waits consolidateAfter again.
 */
async function stillHolds(t: TenantState, decided: NodeOnClaim): Promise<boolean> {
  const name = decided.node.metadata!.name!;
  const live = await t.conn.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` });
  const now = live.items.filter(isWorkloadPod).map(podKey).sort().join(',');
  return now === decided.pods.map(podKey).sort().join(',');
}

/** When the node's workload pods last changed (first seen: when the claim joined, or now). */
function lastChange(t: TenantState, claim: NodeClaim, pods: V1Pod[], nowMs: number): number {
  const signature = pods.map(podKey).sort().join(',');
  const seen = t.podChanges.get(claim.metadata.name!);
  if (seen && seen.signature === signature) return seen.at;
  const joined = claim.status?.conditions?.find((c) => c.type === 'Joined')?.lastTransitionTime;
  const at = seen ? nowMs : Math.min(nowMs, joined ? new Date(joined).getTime() : nowMs);
  t.podChanges.set(claim.metadata.name!, { signature, at });
  return at;
}

/** Karpenter's Initialized: every resource the claim was made for is registered on the Node (GPUs come later than cpu). */
function initialized(node: V1Node, claim: NodeClaim): boolean {
  const allocatable = parseResources(node.status?.allocatable);
  const extended = Object.keys(claim.spec.desiredCapacity ?? {}).filter((k) => !STANDARD_RESOURCES.has(k));
  return (allocatable.cpu ?? 0) > 0 && extended.every((k) => (allocatable[k] ?? 0) > 0);
}

function created(c: NodeClaim): number {
  return new Date(c.metadata.creationTimestamp ?? Date.now()).getTime();
}

