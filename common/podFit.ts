/**
 * Does a pod fit a node? The scheduling predicates kube-scheduler applies and Karpenter simulates:
 * resource requests (cpu, memory, extended resources such as `nvidia.com/gpu`, one pod slot) against
 * what is free, `nodeSelector`, required node affinity, and taints against tolerations. Shared by
 * the lab's scheduler stand-in (real Nodes) and the host's provisioner (Nodes that do not exist yet:
 * a label may offer several values, or `*` for any). Pure.
 */
import type { V1Pod, V1Taint, V1Toleration } from '@kubernetes/client-node';
import { parseQuantity } from './quantity.js';

/** Quantities in base units: cpu in cores, memory in bytes, `pods` in slots. */
export type Resources = Record<string, number>;

/** The values a node offers for a label key: one for a real Node, several or `*` for a node type. */
export type LabelSource = (key: string) => string[] | undefined;

export const WILDCARD = '*';
/** kubelet's default `--max-pods`: the pod slots of a node whose type does not say. */
export const MAX_PODS = 110;

export function parseResources(map: Record<string, string | number> | undefined): Resources {
  const out: Resources = {};
  for (const [k, v] of Object.entries(map ?? {})) out[k] = parseQuantity(v) ?? 0;
  return out;
}

/**
 * A pod's effective requests: per resource the larger of the sum over containers and the largest
 * init container (as kube-scheduler computes them), plus one pod slot.
 */
export function podRequests(pod: V1Pod): Resources {
  const sum: Resources = {};
  for (const c of pod.spec?.containers ?? []) addInto(sum, parseResources(c.resources?.requests as Record<string, string>));
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries(parseResources(c.resources?.requests as Record<string, string>))) sum[k] = Math.max(sum[k] ?? 0, v);
  }
  sum.pods = 1;
  return sum;
}

export function addInto(target: Resources, add: Resources, sign = 1): Resources {
  for (const [k, v] of Object.entries(add)) target[k] = (target[k] ?? 0) + sign * v;
  return target;
}

export function subtract(a: Resources, b: Resources): Resources {
  return addInto({ ...a }, b, -1);
}

/** The resources `requests` asks for that `free` cannot give (a node that does not count pods has room for any). */
export function shortfall(requests: Resources, free: Resources): string[] {
  return Object.entries(requests)
    .filter(([k, v]) => v > 0 && !(k === 'pods' && free.pods === undefined) && v > (free[k] ?? 0) + 1e-9)
    .map(([k]) => k);
}

/** shortfall(...) is empty, without building it (the provisioner asks this per pod × node type). */
export function fitsResources(requests: Resources, free: Resources): boolean {
  for (const k in requests) {
    const v = requests[k];
    if (v > 0 && !(k === 'pods' && free.pods === undefined) && v > (free[k] ?? 0) + 1e-9) return false;
  }
  return true;
}

/** Taints that keep the pod off the node (NoSchedule and NoExecute ones it does not tolerate). */
export function untoleratedTaints(tolerations: V1Toleration[] | undefined, taints: V1Taint[] | undefined): V1Taint[] {
  return (taints ?? []).filter((t) => t.effect !== 'PreferNoSchedule' && !(tolerations ?? []).some((tol) => tolerates(tol, t)));
}

function tolerates(tol: V1Toleration, taint: V1Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.operator === 'Exists') return !tol.key || tol.key === taint.key;
  return tol.key === taint.key && (tol.value ?? '') === (taint.value ?? '');
}

/** Whether the node's labels satisfy the pod's nodeSelector and required node affinity. */
export function matchesNodeSelection(pod: V1Pod, labels: LabelSource): boolean {
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (!offers(labels(k), v)) return false;
  }
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  return terms.some((term) => (term.matchExpressions ?? []).every((e) => matchExpression(labels(e.key), e.operator, e.values ?? [])));
}

/** Labels of a real Node as a LabelSource. */
export function nodeLabels(labels: Record<string, string> | undefined): LabelSource {
  return (key) => (labels && key in labels ? [labels[key]] : undefined);
}

function offers(values: string[] | undefined, want: string): boolean {
  return !!values && (values.includes(WILDCARD) || values.includes(want));
}

function matchExpression(values: string[] | undefined, operator: string, wanted: string[]): boolean {
  switch (operator) {
    case 'In': return !!values && wanted.some((w) => offers(values, w));
    case 'NotIn': return !values || values.includes(WILDCARD) || values.some((v) => !wanted.includes(v));
    case 'Exists': return !!values;
    case 'DoesNotExist': return !values;
    case 'Gt':
    case 'Lt': {
      if (!values) return false;
      if (values.includes(WILDCARD)) return true;
      const bound = Number(wanted[0]);
      return values.some((v) => /^-?\d+$/.test(v) && (operator === 'Gt' ? Number(v) > bound : Number(v) < bound));
    }
    default: return false;
  }
}
