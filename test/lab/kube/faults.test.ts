import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { clients, failure, type Clients } from './helpers.js';

let server: KubeApiServer;
let c: Clients;

beforeAll(async () => {
  server = await startKubeApi({ loadDefaultCrds: false });
  c = clients(server);
});
afterAll(async () => server.close());

describe('fault injection', () => {
  it('is off by default and injects 500 InternalError per verb when asked', async () => {
    await c.core.listNamespacedConfigMap({ namespace: 'default' });
    server.faults.set({ errorRate: { LIST: 1 } });
    const e = await failure(c.core.listNamespacedConfigMap({ namespace: 'default' }));
    expect([e.code, e.reason]).toMatchObject([500, 'InternalError']);
    await c.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'still-writable' } } });
    server.faults.clear();
    await c.core.listNamespacedConfigMap({ namespace: 'default' });
  });

  it('throttles with 429 and Retry-After: 1, and times out with 504', async () => {
    server.faults.set({ throttleRate: 1 });
    const t = await failure(c.core.readNamespace({ name: 'default' }));
    expect([t.code, t.reason, t.headers?.['retry-after']]).toEqual([429, 'TooManyRequests', '1']);
    server.faults.set({ timeoutRate: 1 });
    const o = await failure(c.core.readNamespace({ name: 'default' }));
    expect([o.code, o.reason]).toEqual([504, 'Timeout']);
    server.faults.clear();
  });

  it('adds latency and restricts faults with match', async () => {
    server.faults.set({ latencyMs: { min: 150, max: 200 }, match: (r) => r.resource === 'configmaps' });
    let t0 = Date.now();
    await c.core.listNamespacedConfigMap({ namespace: 'default' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    t0 = Date.now();
    await c.core.listNamespacedSecret({ namespace: 'default' });
    expect(Date.now() - t0).toBeLessThan(140);
    server.faults.clear();
  });

  it('is deterministic for a seed', async () => {
    const outcomes = async () => {
      server.faults.set({ seed: 42, errorRate: { GET: 0.5 } });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push(await c.core.readNamespace({ name: 'default' }).then(() => 200, (e: { code: number }) => e.code));
      return out;
    };
    const a = await outcomes();
    expect(await outcomes()).toEqual(a);
    expect(new Set(a)).toEqual(new Set([200, 500]));
    server.faults.clear();
  });
});

describe('watch faults', () => {
  it('closes watches after watchDropAfterMs, server-side', async () => {
    server.faults.set({ watchDropAfterMs: 100 });
    const t0 = Date.now();
    const ended = await new Promise((resolve) => {
      void new k8s.Watch(c.kc).watch('/api/v1/namespaces/default/configmaps', {}, () => {}, (err) => resolve(err ?? null));
    });
    expect(ended).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    server.faults.clear();
  });

  it('answers a watch with ERROR 410 Expired at goneRate 1', async () => {
    server.faults.set({ goneRate: 1 });
    const events: { type: string; obj: { code?: number } }[] = [];
    await new Promise((resolve) => {
      void new k8s.Watch(c.kc).watch('/api/v1/namespaces/default/configmaps', {}, (type, obj) => events.push({ type, obj }), resolve);
    });
    expect(events).toEqual([{ type: 'ERROR', obj: expect.objectContaining({ code: 410, reason: 'Expired' }) }]);
    server.faults.clear();
  });
});

describe('stats', () => {
  it('counts requests by verb and bytes sent, and resets', async () => {
    server.stats.reset();
    await c.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'counted' } } });
    await c.core.readNamespacedConfigMap({ name: 'counted', namespace: 'default' });
    await c.core.listNamespacedConfigMap({ namespace: 'default' });
    const s = server.stats.snapshot();
    expect(s.requests).toMatchObject({ CREATE: 1, GET: 1, LIST: 1, PATCH: 0 });
    expect(s.totalRequests).toBe(3);
    expect(s.bytesSent).toBeGreaterThan(100);
    expect(s.handlerMs).toBeGreaterThan(0);
    server.stats.reset();
    expect(server.stats.snapshot().totalRequests).toBe(0);
  });
});
