/**
 * kube-scheduler stand-in for a lab tenant: binds each pending pod (no `spec.nodeName`) to a Ready,
 * schedulable Node that fits it (common/podFit.ts: requests against allocatable minus what is bound,
 * nodeSelector, required node affinity, taints), through the pods/binding subresource. A pod that fits
 * nowhere gets `PodScheduled=False`, reason `Unschedulable`, with kube-scheduler's style of message
 * ("0/3 nodes are available: 2 Insufficient nvidia.com/gpu, 1 node(s) were unschedulable."), which is
 * what Karpenter (the host's provisioner) watches for. Oldest pods go first; among fitting Nodes the
 * least allocated wins (kube-scheduler's default score), ties by name.
 */
import {
  PatchStrategy, setHeaderOptions,
  type CoreV1Api, type V1Node, type V1Pod, type V1PodCondition,
} from '@kubernetes/client-node';
import {
  addInto, matchesNodeSelection, nodeLabels, parseResources, podRequests, shortfall, subtract, untoleratedTaints, type Resources,
} from '../../common/podFit.js';
import type { Watched } from './workloads.js';
import type { Logger } from '../../plugin/contract.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const PASS_DEBOUNCE_MS = 20;

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Pods that hold resources on their node: bound and neither Succeeded nor Failed. */
export function holdsResources(pod: V1Pod): boolean {
  return !!pod.spec?.nodeName && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

export function podScheduledCondition(pod: V1Pod): V1PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
}

export class PodScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly core: CoreV1Api, private readonly pods: Watched<V1Pod>, private readonly nodes: Watched<V1Node>,
    private readonly logger?: Logger,
  ) {
    for (const inf of [this.pods, this.nodes] as Watched<never>[]) {
      for (const ev of ['add', 'update', 'delete'] as const) inf.on(ev, () => this.kick());
    }
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((err) => this.logger?.warn({ err: String((err as Error)?.message ?? err) }, 'scheduler pass failed'))
        .finally(() => {
          this.running = undefined;
          if (this.again) {
            this.again = false;
            this.kick();
          }
        });
    }, PASS_DEBOUNCE_MS);
  }

  /** One scheduling pass over every pending pod. */
  private async pass(): Promise<void> {
    const pods = this.pods.list();
    const nodes = this.nodes.list().filter((n) => !n.metadata?.deletionTimestamp);
    const free = new Map<string, Resources>();
    for (const n of nodes) free.set(n.metadata!.name!, parseResources(n.status?.allocatable));
    for (const p of pods.filter(holdsResources)) {
      const room = free.get(p.spec!.nodeName!);
      if (room) addInto(room, podRequests(p), -1);
    }
    const pending = pods
      .filter((p) => !p.spec?.nodeName && !p.metadata?.deletionTimestamp && (p.status?.phase ?? 'Pending') === 'Pending')
      .sort((a, b) => created(a) - created(b) || (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
    for (const pod of pending) {
      if (this.stopped) return;
      const { node, reasons } = chooseNode(pod, nodes, free);
      if (node) {
        await this.bind(pod, node);
        addInto(free.get(node)!, podRequests(pod), -1);
      } else {
        await this.markUnschedulable(pod, describeReasons(nodes.length, reasons));
      }
    }
  }

  private async bind(pod: V1Pod, node: string): Promise<void> {
    const { name, namespace } = pod.metadata!;
    try {
      await this.core.createNamespacedPodBinding({
        name: name!, namespace: namespace!,
        body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
      });
      this.logger?.debug({ pod: `${namespace}/${name}`, node }, 'pod bound');
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code !== 404 && code !== 409) throw err;
    }
  }

  private async markUnschedulable(pod: V1Pod, message: string): Promise<void> {
    const current = podScheduledCondition(pod);
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const condition: V1PodCondition = {
      type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: undefined,
      lastTransitionTime: current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : new Date(),
    };
    const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), condition];
    try {
      await this.core.patchNamespacedPodStatus({
        name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { status: { conditions } },
      }, MERGE);
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
}

/** The Node the pod goes to (least allocated cpu share, then name), or why every Node refused it. */
export function chooseNode(pod: V1Pod, nodes: V1Node[], free: Map<string, Resources>): { node?: string; reasons: string[] } {
  const requests = podRequests(pod);
  const reasons: string[] = [];
  let best: { name: string; score: number } | undefined;
  for (const n of nodes) {
    const name = n.metadata!.name!;
    if (!isNodeReady(n)) { reasons.push('node(s) were not ready'); continue; }
    if (n.spec?.unschedulable) { reasons.push('node(s) were unschedulable'); continue; }
    const taint = untoleratedTaints(pod.spec?.tolerations, n.spec?.taints)[0];
    if (taint) { reasons.push(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`); continue; }
    if (!matchesNodeSelection(pod, nodeLabels(n.metadata?.labels))) { reasons.push("node(s) didn't match Pod's node affinity/selector"); continue; }
    const room = free.get(name) ?? {};
    const missing = shortfall(requests, room);
    if (missing.length) { reasons.push(...missing.map((r) => (r === 'pods' ? 'Too many pods' : `Insufficient ${r}`))); continue; }
    const alloc = parseResources(n.status?.allocatable);
    const score = alloc.cpu ? subtract(room, requests).cpu / alloc.cpu : 0;
    if (!best || score > best.score || (score === best.score && name < best.name)) best = { name, score };
  }
  return { node: best?.name, reasons };
}

/** "0/3 nodes are available: 2 Insufficient nvidia.com/gpu, 1 node(s) were unschedulable." */
export function describeReasons(total: number, reasons: string[]): string {
  if (total === 0) return 'no nodes available to schedule pods';
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([r, n]) => `${n} ${r}`);
  return `0/${total} nodes are available: ${parts.join(', ')}.`;
}

function created(pod: V1Pod): number {
  return new Date(pod.metadata?.creationTimestamp ?? 0).getTime();
}
