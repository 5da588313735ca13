/**
 * Seeded churn on dynamic pools: three tenants (each a lab API with the scheduler and kubelet
 * stand-ins) whose pods come and go (created with random requests, some finishing on their own,
 * some deleted), while the host's provisioner and consolidation run. Sampled throughout: no claim
 * beyond a pool's `limits.nodes`, no Node backed by two claims' hosts. At the end, every pending pod
 * that fits a node type is served (Running) without any claim beyond the limits.
 *
 * The seeded chaos run (scenario.ts) has dynamic tenants too, on the real plugin and servers, but can
 * only afford one GPU and one CPU pod per tenant at a time; this keeps the heavier churn (up to six pods
 * per tenant, several nodes each, the 3-node limit under pressure) on a fake provider.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aPod, createPod } from '../support/workloads.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { startDynamicWorld, type DynamicWorld, type TenantUnderTest } from '../platform/dynamic/dynamicWorld.js';
import { Rng } from './prng.js';

const SEED = Number(process.env.CHAOS_SEED ?? 1414);
const LIMIT = 3;
const STEPS = 40;

describe(`dynamic pools under seeded churn (seed ${SEED})`, () => {
  let w: DynamicWorld;
  beforeAll(async () => { w = await startDynamicWorld(); });
  afterAll(async () => { await w?.stop(); });

  it('keeps every pool within its limits, never backs a node twice, and eventually serves every pod that fits', async () => {
    const rng = new Rng(SEED);
    const tenants: TenantUnderTest[] = [];
    for (const name of ['churn-a', 'churn-b', 'churn-c']) {
      const t = await w.tenant(name);
      await t.setPools([{
        name: 'burst', limits: { nodes: String(LIMIT) },
        nodeTypeSelector: [{ property: 'vcluster.com/node-type', operator: 'NotIn', values: ['m3.dgx'] }],
        disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1s' },
      }]);
      tenants.push(t);
    }
    const violations: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const t of tenants) {
          const live = await t.claims('burst');
          if (live.length > LIMIT) violations.push(`${t.name}: ${live.length} live claims > limits.nodes=${LIMIT}`);
        }
        const hosts = new Map<string, string>();
        for (const s of w.provider.nodes.values()) {
          const other = hosts.get(s.machine.name);
          if (other && other !== s.claimUid) violations.push(`host ${s.machine.name} held by claims ${other} and ${s.claimUid}`);
          hosts.set(s.machine.name, s.claimUid);
        }
        await sleep(200);
      }
    })();

    // At most 6 live pods of at most 6 cpu per tenant: always within 3 cpu-large nodes (48 cpu).
    const live = new Map<string, string[]>(tenants.map((t) => [t.name, []]));
    let seq = 0;
    for (let i = 0; i < STEPS; i++) {
      const t = rng.pick(tenants);
      const pods = live.get(t.name)!;
      if (pods.length < 6 && (pods.length === 0 || rng.chance(0.65))) {
        const name = `p${seq++}`;
        const cpu = `${rng.int(1, 12) * 500}m`;
        await createPod(t.core, aPod(name, { requests: { cpu, memory: `${rng.int(1, 8)}Gi` }, ...(rng.chance(0.4) ? { runFor: `${rng.int(1, 4)}s` } : {}) }));
        pods.push(name);
      } else {
        const name = pods.splice(rng.int(0, pods.length - 1), 1)[0];
        await t.core.deleteNamespacedPod({ name, namespace: 'default' }).catch(() => undefined);
      }
      await sleep(rng.int(100, 400));
    }

    // Quiet: every pod still there is Running, Succeeded or was evicted by consolidation (its controller would recreate it).
    for (const t of tenants) {
      await waitFor(async () => {
        const list = await t.core.listNamespacedPod({ namespace: 'default' });
        return list.items.every((p) => p.status?.phase === 'Running' || p.status?.phase === 'Succeeded');
      }, { what: `every pod of ${t.name} served`, timeoutMs: 40_000, everyMs: 250 });
    }
    sampling = false;
    await sampler;
    expect(violations).toEqual([]);
  }, 120_000);
});
