import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { KubeEventRecorder } from '../../../platform/observability/events.js';
import { createLogger, silentLogger } from '../../../platform/observability/logger.js';

describe('Kubernetes event recorder', () => {
  let api: KubeApiServer;
  let recorder: KubeEventRecorder;
  let core: CoreV1Api;
  let now = new Date('2026-11-24T10:00:00Z');

  beforeAll(async () => {
    api = await startKubeApi({ loadDefaultCrds: false });
    core = api.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'p-demo' } } });
    recorder = new KubeEventRecorder({ kubeConfig: api.kubeConfig(), logger: silentLogger(), clock: { now: () => now }, aggregationWindowMs: 60_000 });
  });
  afterAll(async () => {
    await recorder.stop();
    await api.close();
  });

  const claim = { apiVersion: 'management.loft.sh/v1', kind: 'NodeClaim', name: 'tenant-1-gpu-abcde', namespace: 'p-demo', uid: 'u-1' };
  const eventsOf = async (name: string) => (await core.listNamespacedEvent({ namespace: 'p-demo' })).items.filter((e) => e.involvedObject.name === name);

  it('returns before any API call and writes a core/v1 Event with source component', async () => {
    const t0 = Date.now();
    recorder.record(claim, 'Normal', 'Scheduled', 'scheduled on metal3-provider.gpu-h100');
    expect(await eventsOf(claim.name)).toHaveLength(0); // nothing written synchronously
    expect(Date.now() - t0).toBeLessThan(1000);
    await recorder.flush();
    const [event] = await eventsOf(claim.name);
    expect(event).toMatchObject({
      type: 'Normal', reason: 'Scheduled', message: 'scheduled on metal3-provider.gpu-h100', count: 1,
      involvedObject: { kind: 'NodeClaim', name: claim.name, namespace: 'p-demo', uid: 'u-1' },
      source: { component: 'metal3-provider-platform' },
    });
  });

  it('aggregates identical events within the window into a count, and starts a new Event after it', async () => {
    const other = { ...claim, name: 'tenant-1-gpu-fghij', uid: 'u-2' };
    recorder.record(other, 'Warning', 'InsufficientCapacity', 'no free host');
    recorder.record(other, 'Warning', 'InsufficientCapacity', 'no free host');
    now = new Date(now.getTime() + 10_000);
    recorder.record(other, 'Warning', 'InsufficientCapacity', 'no free host');
    await recorder.flush();
    let events = await eventsOf(other.name);
    expect(events).toHaveLength(1);
    expect(events[0].count).toBe(3);
    expect(new Date(events[0].lastTimestamp!).toISOString()).toBe(now.toISOString());

    now = new Date(now.getTime() + 120_000);
    recorder.record(other, 'Warning', 'InsufficientCapacity', 'no free host');
    await recorder.flush();
    events = await eventsOf(other.name);
    expect(events.map((e) => e.count).sort()).toEqual([1, 3]);
  });

  it('scrubs bootstrap tokens from messages', async () => {
    const third = { ...claim, name: 'tenant-2-cpu-xyz', uid: 'u-3' };
    recorder.record(third, 'Warning', 'JoinFailed', 'join with abcdef.0123456789abcdef refused');
    await recorder.flush();
    const [event] = await eventsOf(third.name);
    expect(event.message).toBe('join with [REDACTED] refused');
  });

  it('holds a write until giveWay resolves, and writes it then', async () => {
    let giveWay!: () => void;
    let asked = 0;
    const gate = () => { asked++; return new Promise<void>((resolve) => (giveWay = resolve)); };
    const yielding = new KubeEventRecorder({ kubeConfig: api.kubeConfig(), logger: silentLogger(), giveWay: gate });
    const pod = { apiVersion: 'v1', kind: 'Pod', name: 'job-1', namespace: 'p-demo', uid: 'u-4' };
    yielding.record(pod, 'Normal', 'Nominated', 'Pod should schedule on: nodeclaim/t1-burst-a');
    await new Promise((r) => setTimeout(r, 50));
    expect(asked).toBe(1);
    expect(await eventsOf(pod.name)).toHaveLength(0);
    giveWay();
    await yielding.flush();
    expect((await eventsOf(pod.name)).map((e) => e.reason)).toEqual(['Nominated']);
    expect(asked).toBe(1);
    await yielding.stop();
  });

  it('never throws to the caller when the API fails, and logs the failure without the message', async () => {
    const lines: string[] = [];
    const failing = new KubeEventRecorder({ kubeConfig: api.kubeConfig(), logger: createLogger({ destination: { write: (l: string) => lines.push(l) } }) });
    const missingNs = { ...claim, namespace: 'does-not-exist', name: 'x' };
    expect(() => failing.record(missingNs, 'Normal', 'Test', 'secret-ish detail')).not.toThrow();
    await failing.stop();
    expect(lines.join('')).toContain('could not write event');
    expect(lines.join('')).not.toContain('secret-ish detail');
  });
});
