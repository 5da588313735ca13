/**
 * The pod side of the lab kubelet: a pod bound to a Ready Node starts Running (Ready=True), and ends
 * when its spec says so:
 * - annotation `lab.vcluster.loft.sh/run-for: "<duration>"` (e.g. "20s"): the workload exits 0 after that
 *   long → phase `Succeeded` (Ready=False, reason PodCompleted), as a finished Job pod does; the annotation
 *   is read on every pass, so setting it to "0s" on a Running pod ends the workload on demand (tests do);
 * - `spec.activeDeadlineSeconds`: the kubelet stops it then → phase `Failed`, reason `DeadlineExceeded`.
 * Pods without either run until deleted. Pods of a Node that is gone are deleted (the pod GC's job).
 */
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { parseDurationMs } from '../../platform/autoNodes/validate.js';
import type { Watched } from './workloads.js';
import type { Logger } from '../../plugin/contract.js';
import { isNodeReady } from './scheduler.js';

export const RUN_FOR_ANNOTATION = 'lab.vcluster.loft.sh/run-for';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const TICK_MS = 100;

export class PodRunner {
  private readonly timer: NodeJS.Timeout;
  /** Pods already started or finished by this runner (the informer may lag one write behind). */
  private readonly handled = new Map<string, 'Running' | 'Done'>();
  private busy = false;
  private stopped = false;

  constructor(
    private readonly core: CoreV1Api, private readonly pods: Watched<V1Pod>, private readonly nodes: Watched<V1Node>,
    private readonly logger?: Logger,
  ) {
    this.nodes.on('delete', (node) => void this.collectFrom(node.metadata?.name));
    this.pods.on('delete', (pod) => this.handled.delete(pod.metadata?.uid ?? ''));
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const nodes = new Map(this.nodes.list().map((n) => [n.metadata!.name!, n]));
      const now = Date.now();
      for (const pod of this.pods.list()) {
        if (this.stopped) return;
        const nodeName = pod.spec?.nodeName;
        if (!nodeName || pod.metadata?.deletionTimestamp) continue;
        const node = nodes.get(nodeName);
        const seen = this.handled.get(pod.metadata!.uid!);
        if (!node || seen === 'Done') continue;
        if (!seen && (pod.status?.phase ?? 'Pending') === 'Pending' && isNodeReady(node)) await this.run(pod, now);
        else if (pod.status?.phase === 'Running') await this.maybeFinish(pod, now);
      }
    } catch (err) {
      this.logger?.warn({ err: String((err as Error)?.message ?? err) }, 'pod runner pass failed');
    } finally {
      this.busy = false;
    }
  }

  private async run(pod: V1Pod, now: number): Promise<void> {
    this.handled.set(pod.metadata!.uid!, 'Running');
    const at = new Date(now);
    const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: at });
    await this.patchStatus(pod, {
      phase: 'Running', startTime: at,
      conditions: [cond('PodScheduled'), cond('Initialized'), cond('ContainersReady'), cond('Ready')],
      containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
        name: c.name, image: c.image ?? '', imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: at } },
      })),
    });
  }

  private async maybeFinish(pod: V1Pod, now: number): Promise<void> {
    const started = new Date(pod.status?.startTime ?? now).getTime();
    const runFor = pod.metadata?.annotations?.[RUN_FOR_ANNOTATION];
    const runMs = runFor ? parseDurationMs(runFor) : undefined;
    const deadline = pod.spec?.activeDeadlineSeconds;
    const at = new Date(now);
    const notReady = (reason: string) => (pod.status?.conditions ?? []).map((c) =>
      (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason, lastTransitionTime: at } : c));
    const done = () => this.handled.set(pod.metadata!.uid!, 'Done');
    if (deadline !== undefined && now >= started + deadline * 1000 && (runMs === undefined || runMs > deadline * 1000)) {
      done();
      await this.patchStatus(pod, {
        phase: 'Failed', reason: 'DeadlineExceeded', message: `Pod was active on the node longer than the specified deadline`,
        conditions: notReady('PodFailed'),
      });
    } else if (runMs !== undefined && now >= started + runMs) {
      done();
      await this.patchStatus(pod, {
        phase: 'Succeeded', conditions: notReady('PodCompleted'),
        containerStatuses: (pod.status?.containerStatuses ?? []).map((c) => ({
          ...c, ready: false, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: pod.status?.startTime, finishedAt: at } },
        })),
      });
    }
  }

  /** The pod GC: pods bound to a deleted Node are deleted. */
  private async collectFrom(nodeName: string | undefined): Promise<void> {
    for (const pod of this.pods.list().filter((p) => nodeName && p.spec?.nodeName === nodeName)) {
      try {
        await this.core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace! });
      } catch (err) {
        if ((err as { code?: number }).code !== 404) this.logger?.warn({ pod: pod.metadata?.name, err: String(err) }, 'pod GC failed');
      }
    }
  }

  private async patchStatus(pod: V1Pod, status: object): Promise<void> {
    try {
      await this.core.patchNamespacedPodStatus({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { status } }, MERGE);
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
}
