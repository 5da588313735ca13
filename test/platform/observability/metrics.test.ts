import { afterAll, describe, expect, it } from '@jest/globals';
import { PlatformMetrics } from '../../../platform/observability/metrics.js';
import { promtoolCheckMetrics } from '../../support/promtool.js';

describe('platform metrics endpoint', () => {
  const a = new PlatformMetrics();
  const b = new PlatformMetrics();
  afterAll(async () => {
    await a.stop();
    await b.stop();
  });

  it('serves claim, capacity and provider-call metrics on /metrics from a per-instance registry', async () => {
    const url = await a.listen(0);
    a.setClaimsByPhase('metal3-provider', { Pending: 2, Available: 1 });
    a.observeClaimDuration('provisioned', 'gpu-h100', 240);
    a.setNodeTypeCapacity('metal3-provider.gpu-h100', { total: 4, claimed: 3 });
    a.countProviderCall('metal3-provider', 'createNode', 'ok');
    a.countProviderCall('metal3-provider', 'createNode', 'InsufficientCapacity');

    const res = await fetch(url);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('metal3_platform_nodeclaims{provider="metal3-provider",phase="Pending"} 2');
    expect(text).toContain('metal3_platform_nodeclaims{provider="metal3-provider",phase="Failed"} 0');
    expect(text).toContain('metal3_platform_nodeclaim_duration_seconds_bucket{le="300",step="provisioned",node_type="gpu-h100"} 1');
    expect(text).toContain('metal3_platform_nodetype_capacity{node_type="metal3-provider.gpu-h100",kind="claimed"} 3');
    expect(text).toContain('metal3_platform_provider_calls_total{provider="metal3-provider",method="createNode",outcome="InsufficientCapacity"} 1');

    const other = await fetch(url.replace('/metrics', '/other'));
    expect(other.status).toBe(404);
    await other.text();
  });

  it('passes promtool check metrics, with duration buckets from seconds to hours', async () => {
    const m = new PlatformMetrics();
    m.setClaimsByPhase('metal3-provider', { Pending: 1, Available: 3, Failed: 1 });
    m.observeClaimDuration('scheduled', 'gpu-h100', 2);
    m.observeClaimDuration('provisioned', 'gpu-h100', 14 * 60);
    m.observeClaimDuration('joined', 'gpu-h100', 25 * 60);
    m.setNodeTypeCapacity('metal3-provider.gpu-h100', { total: 4, claimed: 3 });
    m.countProviderCall('metal3-provider', 'deleteNode', 'ok');
    m.countReload('metal3-provider', 'failed');
    const text = await m.registry.metrics();
    expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
    const bounds = [...text.matchAll(/nodeclaim_duration_seconds_bucket\{le="([^"]+)",step="joined"/g)].map((x) => x[1]);
    expect(bounds).toEqual(['5', '15', '30', '60', '120', '300', '600', '900', '1800', '3600', '7200', '+Inf']);
  });

  it('promtool catches what it should (the check can fail)', async () => {
    const bad = '# HELP metal3_platform_claims_count Claims\n# TYPE metal3_platform_claims_count counter\nmetal3_platform_claims_count 3\n';
    const result = await promtoolCheckMetrics(bad);
    expect(result.output).toContain('counter metrics should have "_total" suffix');
  });

  it('keeps two instances apart (no global registry)', async () => {
    const url = await b.listen(0);
    const text = await (await fetch(url)).text();
    expect(text).toContain('# HELP metal3_platform_nodeclaims');
    expect(text).not.toContain('gpu-h100');
  });
});
