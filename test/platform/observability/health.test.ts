/** /healthz and /readyz beside /metrics: liveness while serving, readiness once every check passes. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { PlatformMetrics } from '../../../platform/observability/metrics.js';

describe('platform health endpoints', () => {
  const metrics = new PlatformMetrics();
  afterAll(async () => metrics.stop());

  it('answers /healthz at once and /readyz only when every readiness check passes, naming what is missing', async () => {
    const base = (await metrics.listen(0)).replace('/metrics', '');
    let pluginActive = false;
    metrics.health.add('plugins', () => (pluginActive ? undefined : 'not active: metal3-provider'));
    metrics.health.add('informers', () => undefined);

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toBe('not ready:\nplugins: not active: metal3-provider\n');

    pluginActive = true;
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ok\n']);
  });

  it('treats a check that throws as not ready', async () => {
    const other = new PlatformMetrics();
    const base = (await other.listen(0)).replace('/metrics', '');
    other.health.add('informers', () => {
      throw new Error('watch failed');
    });
    try {
      const res = await fetch(`${base}/readyz`);
      expect([res.status, await res.text()]).toEqual([503, 'not ready:\ninformers: watch failed\n']);
    } finally {
      await other.stop();
    }
  });
});
