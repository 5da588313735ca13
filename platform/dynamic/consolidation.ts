/**
 * Which nodes of a dynamic pool may go (pure). A node is a candidate once its pods have not changed
 * for `consolidateAfter`: Empty when no workload pod is left; Underutilized (policy
 * WhenEmptyOrUnderutilized) when all its pods fit on the other Ready nodes' free room. A pod
 * annotated `karpenter.sh/do-not-disrupt: "true"` (or the annotation on the Node or NodeClaim)
 * blocks the node. Replacing a node with a cheaper one is not done here (see README).
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import {
  addInto, fitsResources, matchesNodeSelection, nodeLabels, parseResources, podRequests, untoleratedTaints, type Resources,
} from '../../common/podFit.js';
import { DO_NOT_DISRUPT_ANNOTATION } from './names.js';

export interface NodeOnClaim {
  claimName: string;
  node: V1Node;
  /** Workload pods holding resources on the node (not DaemonSet or mirror pods). */
  pods: V1Pod[];
  /** When the node's pod set last changed (or it joined). */
  lastPodChangeMs: number;
  /** The claim or Node carries the do-not-disrupt annotation. */
  annotatedDoNotDisrupt: boolean;
}

export type Candidate = { claimName: string; reason: 'Empty' | 'Underutilized'; message: string };
export type Blocked = { claimName: string; pod?: V1Pod; message: string };

export function isWorkloadPod(pod: V1Pod): boolean {
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror']) return false;
  if ((pod.metadata?.ownerReferences ?? []).some((o) => o.kind === 'DaemonSet')) return false;
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

export function blocksDisruption(pod: V1Pod): boolean {
  return pod.metadata?.annotations?.[DO_NOT_DISRUPT_ANNOTATION] === 'true';
}

export function findCandidates(
  nodes: NodeOnClaim[], others: { node: V1Node; pods: V1Pod[] }[], policy: 'WhenEmpty' | 'WhenEmptyOrUnderutilized',
  consolidateAfterMs: number | undefined, nowMs: number,
): { candidates: Candidate[]; blocked: Blocked[] } {
  const candidates: Candidate[] = [];
  const blocked: Blocked[] = [];
  if (consolidateAfterMs === undefined) return { candidates, blocked };
  const after = `${Math.round(consolidateAfterMs / 1000)}s`;
  for (const n of nodes) {
    if (nowMs - n.lastPodChangeMs < consolidateAfterMs) continue;
    const name = n.node.metadata!.name!;
    if (n.pods.length === 0) {
      if (n.annotatedDoNotDisrupt) blocked.push({ claimName: n.claimName, message: `node ${name} is annotated ${DO_NOT_DISRUPT_ANNOTATION}` });
      else candidates.push({ claimName: n.claimName, reason: 'Empty', message: `node ${name} has had no pods for ${after}` });
      continue;
    }
    if (policy !== 'WhenEmptyOrUnderutilized') continue;
    const rest = [...nodes.filter((m) => m !== n).map((m) => ({ node: m.node, pods: m.pods })), ...others];
    if (!fitsElsewhere(n.pods, rest)) continue;
    const pinned = n.pods.find(blocksDisruption);
    if (pinned) {
      blocked.push({ claimName: n.claimName, pod: pinned, message: `pod ${pinned.metadata!.namespace}/${pinned.metadata!.name} on node ${name} is annotated ${DO_NOT_DISRUPT_ANNOTATION}` });
    } else if (n.annotatedDoNotDisrupt) {
      blocked.push({ claimName: n.claimName, message: `node ${name} is annotated ${DO_NOT_DISRUPT_ANNOTATION}` });
    } else {
      candidates.push({ claimName: n.claimName, reason: 'Underutilized', message: `the ${n.pods.length} pod(s) on node ${name} fit on the other nodes` });
    }
  }
  // Cheapest to move first: empty nodes, then the fewest pods.
  const podCount = (c: Candidate) => nodes.find((n) => n.claimName === c.claimName)!.pods.length;
  candidates.sort((a, b) => podCount(a) - podCount(b) || (a.claimName < b.claimName ? -1 : 1));
  return { candidates, blocked };
}

/** Whether every pod (largest first) finds room on a Ready, schedulable node of `rest`. */
export function fitsElsewhere(pods: V1Pod[], rest: { node: V1Node; pods: V1Pod[] }[]): boolean {
  const targets = rest
    .filter(({ node }) => !node.spec?.unschedulable && !node.metadata?.deletionTimestamp
      && node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map(({ node, pods: on }) => {
      const free = parseResources(node.status?.allocatable);
      for (const p of on) addInto(free, podRequests(p), -1);
      return { node, free };
    });
  const sorted = [...pods].sort((a, b) => (podRequests(b).cpu ?? 0) - (podRequests(a).cpu ?? 0));
  for (const pod of sorted) {
    const req: Resources = podRequests(pod);
    const target = targets.find(({ node, free }) =>
      untoleratedTaints(pod.spec?.tolerations, node.spec?.taints).length === 0
      && matchesNodeSelection(pod, nodeLabels(node.metadata?.labels)) && fitsResources(req, free));
    if (!target) return false;
    addInto(target.free, req, -1);
  }
  return true;
}
