/**
 * Nodes of one tenant: registration (the result of `kubeadm join`) and liveness. A registered node
 * gets a kubelet credential (only its SHA-256 is stored, as a Node annotation); kubelet heartbeats
 * carry it. Like the node lifecycle controller, a Node whose heartbeats stop for `graceMs` gets
 * Ready=Unknown ("NotReady"); the next heartbeat makes it Ready again.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Node, type V1NodeCondition, type V1Taint } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';
import { kubeletResources, type MachineFacts, type MachineLookup } from './machine.js';

export const CREDENTIAL_ANNOTATION = 'lab.vcluster.loft.sh/kubelet-credential-sha256';
const KUBELET_VERSION = 'v1.32.4';
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export class InvalidNodeRequestError extends Error {}

/** Parses `k=v,k2=v2` (kubelet's --node-labels form), naming the first bad label. */
export function parseNodeLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? '' : item.slice(eq + 1);
    if (!LABEL_NAME.test(key) || key.length > 316) throw new InvalidNodeRequestError(`invalid node label key "${key}"`);
    if (!LABEL_VALUE.test(value)) throw new InvalidNodeRequestError(`invalid value for node label "${key}"`);
    labels[key] = value;
  }
  return labels;
}

const TAINT_EFFECTS = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

/** Parses `key[=value]:Effect,...` (kubelet's --register-with-taints form), naming the first bad taint. */
export function parseNodeTaints(text: string): V1Taint[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean).map((item) => {
    const match = /^([^=:]+)(?:=([^:]*))?:([A-Za-z]+)$/.exec(item);
    if (!match || !LABEL_NAME.test(match[1]) || !LABEL_VALUE.test(match[2] ?? '') || !TAINT_EFFECTS.has(match[3])) {
      throw new InvalidNodeRequestError(`invalid node taint "${item}"`);
    }
    return match[2] ? { key: match[1], value: match[2], effect: match[3] } : { key: match[1], effect: match[3] };
  });
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function readyCondition(ready: boolean, now: Date): V1NodeCondition {
  return ready
    ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }
    : { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: now, lastTransitionTime: now };
}

export interface NodeRegistryOptions {
  core: CoreV1Api;
  logger?: Logger;
  /** Silence after which a Node goes NotReady. */
  graceMs: number;
  /** The machine behind a node: its kubelet reports capacity and allocatable from it on registration. */
  machines?: MachineLookup;
}

export class NodeRegistry {
  private readonly lastSeen = new Map<string, number>();
  private readonly notReady = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: NodeRegistryOptions) {
    this.timer = setInterval(() => void this.markSilentNodes(), Math.max(50, Math.floor(opts.graceMs / 4)));
    this.timer.unref();
  }

  /** Creates or updates the Node and returns a fresh kubelet credential. */
  async register(nodeName: string, labels: Record<string, string>, taints: V1Taint[] = []): Promise<string> {
    if (!NODE_NAME.test(nodeName) || nodeName.length > 253) throw new InvalidNodeRequestError(`invalid node name "${nodeName}"`);
    const credential = randomBytes(32).toString('hex');
    const metadata = {
      name: nodeName,
      labels: {
        ...labels,
        'kubernetes.io/hostname': nodeName,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
      },
      annotations: { [CREDENTIAL_ANNOTATION]: sha256(credential) },
    };
    try {
      await this.opts.core.createNode({ body: { apiVersion: 'v1', kind: 'Node', metadata, spec: { taints } } });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
      await this.opts.core.patchNode({ name: nodeName, body: { metadata, spec: { taints } } }, mergePatch);
    }
    await this.setReady(nodeName, true, await this.opts.machines?.(nodeName));
    this.lastSeen.set(nodeName, Date.now());
    this.opts.logger?.info({ node: nodeName }, 'node registered');
    return credential;
  }

  /** Records a heartbeat; false when the node or credential is unknown. */
  async heartbeat(nodeName: string, credential: string): Promise<boolean> {
    const node = await this.readNode(nodeName);
    const stored = node?.metadata?.annotations?.[CREDENTIAL_ANNOTATION];
    if (!stored || !timingSafeEqual(Buffer.from(stored), Buffer.from(sha256(credential)))) return false;
    this.lastSeen.set(nodeName, Date.now());
    if (this.notReady.has(nodeName) || !isReady(node)) await this.setReady(nodeName, true);
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async readNode(name: string): Promise<V1Node | undefined> {
    try {
      return await this.opts.core.readNode({ name });
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  private async setReady(name: string, ready: boolean, machine?: MachineFacts): Promise<void> {
    const now = new Date();
    const status = {
      ...(machine ? kubeletResources(machine) : {}),
      conditions: [readyCondition(ready, now)],
      nodeInfo: {
        kubeletVersion: KUBELET_VERSION, kubeProxyVersion: KUBELET_VERSION, containerRuntimeVersion: 'containerd://2.0.5',
        operatingSystem: 'linux', architecture: 'amd64', osImage: 'Ubuntu 24.04 LTS (lab)', kernelVersion: '6.8.0-lab',
        machineID: '', systemUUID: '', bootID: '',
      },
      addresses: [{ type: 'Hostname', address: name }],
    };
    await this.opts.core.patchNodeStatus({ name, body: { status } }, mergePatch);
    if (ready) this.notReady.delete(name);
    else this.notReady.add(name);
  }

  private async markSilentNodes(): Promise<void> {
    const deadline = Date.now() - this.opts.graceMs;
    for (const [name, seen] of this.lastSeen) {
      if (seen >= deadline || this.notReady.has(name)) continue;
      try {
        await this.setReady(name, false);
        this.opts.logger?.info({ node: name }, 'node stopped posting status: NotReady');
      } catch (err) {
        if ((err as { code?: number }).code === 404) this.lastSeen.delete(name);
        else this.opts.logger?.warn({ node: name, err: String(err) }, 'could not mark node NotReady');
      }
    }
  }
}

function isReady(node: V1Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
