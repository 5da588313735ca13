/**
 * Sets a claim's labels and taints on its tenant Node and takes startup taints off once the Node is
 * Ready. One merge patch guarded by the Node's resourceVersion (taints are a whole list in a merge
 * patch, so a concurrent change gets 409 and the next reconcile starts from the new Node).
 */
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Node, type V1Taint } from '@kubernetes/client-node';
import type { Taint } from '../autoNodes/config.js';
import type { NodeMetadata } from '../nodeClaims/nodeMetadata.js';

export interface MetadataChange {
  labels: string[];
  addedTaints: string[];
  removedTaints: string[];
}

/** registering: startup taints are added; ready: they are taken off; joined: left as they are. */
export type NodeStage = 'registering' | 'ready' | 'joined';

export function metadataChange(node: V1Node, want: NodeMetadata, stage: NodeStage): { change: MetadataChange; taints: V1Taint[] } {
  const labels = node.metadata?.labels ?? {};
  const changedLabels = Object.entries(want.labels).filter(([k, v]) => labels[k] !== v).map(([k]) => k);
  const current = node.spec?.taints ?? [];
  const required = stage === 'registering' ? [...want.taints, ...want.startupTaints] : want.taints;
  const added = required.filter((t) => !current.some((c) => sameTaint(c, t)));
  const removable = stage === 'ready' ? want.startupTaints.filter((s) => !want.taints.some((t) => sameTaint(t, s))) : [];
  const kept = current.filter((c) => !removable.some((s) => sameTaint(c, s)));
  return {
    change: {
      labels: changedLabels,
      addedTaints: added.map(taintText),
      removedTaints: current.filter((c) => !kept.includes(c)).map(taintText),
    },
    taints: [...kept, ...added.map(({ key, value, effect }) => ({ key, effect, ...(value ? { value } : {}) }))],
  };
}

/** Applies what is missing; returns what changed (empty lists when the Node already matched). */
export async function applyNodeMetadata(core: CoreV1Api, node: V1Node, want: NodeMetadata, stage: NodeStage): Promise<MetadataChange> {
  const { change, taints } = metadataChange(node, want, stage);
  const taintsChanged = change.addedTaints.length > 0 || change.removedTaints.length > 0;
  if (change.labels.length === 0 && !taintsChanged) return change;
  const body: Record<string, unknown> = { metadata: { resourceVersion: node.metadata?.resourceVersion, labels: pick(want.labels, change.labels) } };
  if (taintsChanged) body.spec = { taints };
  await core.patchNode({ name: node.metadata!.name!, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  return change;
}

function sameTaint(a: V1Taint | Taint, b: V1Taint | Taint): boolean {
  return a.key === b.key && a.effect === b.effect && (a.value ?? '') === (b.value ?? '');
}

function taintText(t: V1Taint | Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

function pick(map: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, map[k]]));
}
