import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import type { MachineFacts } from '../../../lab/vcluster/machine.js';
import { startTenant, type Tenant } from '../../../lab/vcluster/tenant.js';
import { waitFor } from '../../support/waitFor.js';
import { aPod, createPod, createReadyNode, podScheduled, readPod } from '../../support/workloads.js';

const DGX: MachineFacts = { cpus: 224, memoryMebibytes: 2_097_152, gpus: 8 };

describe('the lab tenant scheduler and kubelet stand-ins', () => {
  let tenant: Tenant;
  let core: CoreV1Api;

  beforeAll(async () => {
    tenant = await startTenant({ name: 'sched', machines: async (name) => (name.startsWith('dgx') ? DGX : undefined) });
    core = tenant.api.kubeConfig().makeApiClient(CoreV1Api);
    await createReadyNode(core, 'cpu-1', { allocatable: { cpu: '4', memory: '16Gi' }, labels: { pool: 'cpu' } });
    await createReadyNode(core, 'tainted-1', {
      allocatable: { cpu: '64', memory: '256Gi' }, labels: { pool: 'special' }, taints: [{ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }],
    });
  });
  afterAll(async () => { await tenant?.close(); });

  it('binds a pod that fits to a Ready node and starts it Running', async () => {
    await createPod(core, aPod('fits', { requests: { cpu: '2', memory: '4Gi' } }));
    const pod = await waitFor(async () => {
      const p = await readPod(core, 'fits');
      return p?.status?.phase === 'Running' && p;
    });
    expect(pod.spec?.nodeName).toBe('cpu-1');
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('counts what is already bound: a second pod that no longer fits stays Pending as Unschedulable', async () => {
    await createPod(core, aPod('too-big', { requests: { cpu: '3', memory: '1Gi' } }));
    const cond = await waitFor(async () => podScheduled(await readPod(core, 'too-big'))?.reason === 'Unschedulable' && podScheduled(await readPod(core, 'too-big')));
    expect(cond.status).toBe('False');
    expect(cond.message).toBe('0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: ml}.');
    expect((await readPod(core, 'too-big'))?.spec?.nodeName).toBeUndefined();
  });

  it('places a pod that tolerates the taint and selects the pool on the tainted node', async () => {
    await createPod(core, aPod('tolerant', {
      requests: { cpu: '8', memory: '8Gi' }, nodeSelector: { pool: 'special' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }],
    }));
    const pod = await waitFor(async () => (await readPod(core, 'tolerant'))?.spec?.nodeName);
    expect(pod).toBe('tainted-1');
  });

  it('refuses nodes that do not match required node affinity', async () => {
    await createPod(core, aPod('affine', { requests: { cpu: '100m' }, requiredIn: { pool: ['gpu'] } }));
    const cond = await waitFor(async () => podScheduled(await readPod(core, 'affine'))?.reason === 'Unschedulable' && podScheduled(await readPod(core, 'affine')));
    expect(cond.message).toContain("1 node(s) didn't match Pod's node affinity/selector");
  });

  it('advertises nvidia.com/gpu through the GPU device plugin, and a GPU pod then fits', async () => {
    await createPod(core, aPod('train', { requests: { cpu: '16', memory: '64Gi', 'nvidia.com/gpu': '8' }, runFor: '300ms' }));
    const cond = await waitFor(async () => podScheduled(await readPod(core, 'train'))?.reason === 'Unschedulable' && podScheduled(await readPod(core, 'train')));
    expect(cond.message).toContain('Insufficient nvidia.com/gpu');
    // The kubelet reports cpu and memory; the device plugin adds the GPUs.
    await createReadyNode(core, 'dgx-1', { allocatable: { cpu: '224', memory: '2097152Mi' } });
    const node = await waitFor(async () => {
      const n = await core.readNode({ name: 'dgx-1' });
      return n.status?.allocatable?.['nvidia.com/gpu'] ? n : undefined;
    });
    expect(node.status?.capacity?.['nvidia.com/gpu']).toBe('8');
    expect((await waitFor(async () => (await readPod(core, 'train'))?.spec?.nodeName))).toBe('dgx-1');
  });

  it('finishes a pod when its run time is over (phase Succeeded) and frees its room', async () => {
    const done = await waitFor(async () => {
      const p = await readPod(core, 'train');
      return p?.status?.phase === 'Succeeded' && p;
    });
    expect(done.status?.containerStatuses?.[0].state?.terminated?.exitCode).toBe(0);
    await createPod(core, aPod('train-2', { requests: { 'nvidia.com/gpu': '8' } }));
    expect(await waitFor(async () => (await readPod(core, 'train-2'))?.spec?.nodeName)).toBe('dgx-1');
  });

  it('fails a pod past its activeDeadlineSeconds with reason DeadlineExceeded', async () => {
    const pod = aPod('deadline', { requests: { cpu: '100m' } });
    pod.spec!.activeDeadlineSeconds = 1;
    await createPod(core, pod);
    const failed = await waitFor(async () => {
      const p = await readPod(core, 'deadline');
      return p?.status?.phase === 'Failed' && p;
    });
    expect(failed.status?.reason).toBe('DeadlineExceeded');
  });

  it('answers 409 when a bound pod is bound again', async () => {
    const err = await core.createNamespacedPodBinding({
      name: 'fits', namespace: 'default', body: { metadata: { name: 'fits' }, target: { kind: 'Node', name: 'tainted-1' } },
    }).catch((e: unknown) => e as { code?: number });
    expect((err as { code?: number }).code).toBe(409);
  });
});
