/**
 * Builders for tenant workloads: pods with requests, selectors, tolerations and a run time, and
 * Ready Nodes with allocatable resources (what a joined kubelet reports), written over HTTP.
 */
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Node, type V1Pod, type V1Taint, type V1Toleration } from '@kubernetes/client-node';
import { RUN_FOR_ANNOTATION } from '../../lab/vcluster/podRunner.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface PodOptions {
  namespace?: string;
  requests?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  /** Required node affinity: one term with these In expressions. */
  requiredIn?: Record<string, string[]>;
  tolerations?: V1Toleration[];
  /** How long the workload runs once started (the pod then Succeeds). */
  runFor?: string;
  annotations?: Record<string, string>;
}

export function aPod(name: string, opts: PodOptions = {}): V1Pod {
  const annotations = { ...(opts.annotations ?? {}), ...(opts.runFor ? { [RUN_FOR_ANNOTATION]: opts.runFor } : {}) };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: opts.namespace ?? 'default', ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      containers: [{ name: 'main', image: 'busybox', resources: { requests: opts.requests ?? { cpu: '1', memory: '1Gi' } } }],
      ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}),
      ...(opts.tolerations ? { tolerations: opts.tolerations } : {}),
      ...(opts.requiredIn ? {
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{
          matchExpressions: Object.entries(opts.requiredIn).map(([key, values]) => ({ key, operator: 'In', values })),
        }] } } },
      } : {}),
    },
  };
}

export async function createPod(core: CoreV1Api, pod: V1Pod): Promise<V1Pod> {
  return core.createNamespacedPod({ namespace: pod.metadata!.namespace!, body: pod });
}

/**
 * Ends a running pod's workload now, when the test says so rather than on a timer: its run-for becomes
 * 0s, so the lab kubelet (lab/vcluster/podRunner.ts) Succeeds it on its next pass, as a Job pod that exits 0.
 */
export async function endPod(core: CoreV1Api, name: string, namespace = 'default'): Promise<void> {
  await core.patchNamespacedPod({ name, namespace, body: { metadata: { annotations: { [RUN_FOR_ANNOTATION]: '0s' } } } }, MERGE);
}

export async function readPod(core: CoreV1Api, name: string, namespace = 'default'): Promise<V1Pod | undefined> {
  try {
    return await core.readNamespacedPod({ name, namespace });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

export interface NodeOptions {
  allocatable?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: V1Taint[];
}

/** A Node that is Ready with the given allocatable resources, as a registered kubelet leaves it. */
export async function createReadyNode(core: CoreV1Api, name: string, opts: NodeOptions = {}): Promise<V1Node> {
  await core.createNode({ body: { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } }, spec: { taints: opts.taints ?? [] } } });
  const allocatable = { pods: '110', ...(opts.allocatable ?? { cpu: '8', memory: '32Gi' }) };
  return core.patchNodeStatus({
    name, body: { status: {
      capacity: allocatable, allocatable,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    } },
  }, MERGE);
}

export const podScheduled = (pod: V1Pod | undefined) => pod?.status?.conditions?.find((c) => c.type === 'PodScheduled');
