/**
 * A lab world stopped while its servers run (a tenant node joined, its boot script alive) holds nothing
 * afterwards: no server, socket, child process, pipe or timer of it is left, so Jest can exit on its own.
 * The count is taken within one second of stop() (Jest reports "did not exit" after one second).
 */
import { describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { startE2eWorld } from './labWorld.js';
import { vciValues } from './vci.js';
import { sleep, waitFor } from '../support/waitFor.js';

const PROJECT = 'p-stop';
const LOFT = { group: 'management.loft.sh', version: 'v1' };
const EXIT_GRACE_MS = 1000;

function countResources(): Record<string, number> {
  const byType: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) byType[kind] = (byType[kind] ?? 0) + 1;
  return byType;
}

/** Per resource type, what there is beyond `before`. */
function beyond(before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(countResources())
    .map(([kind, n]) => [kind, n - (before[kind] ?? 0)] as const)
    .filter(([, extra]) => extra > 0));
}

describe('stopping the lab world', () => {
  it('leaves no active handle behind, even with a joined server still running', async () => {
    await sleep(200);
    const before = countResources();
    const lab = await startE2eWorld(PROJECT, {}, 'stop-');
    try {
      await lab.custom.createNamespacedCustomObject({
        ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances',
        body: {
          apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name: 'tenant-stop' },
          spec: { template: { helmRelease: { values: vciValues([{ name: 'cpu', quantity: 1, type: 'cpu' }]) } } },
        },
      });
      await waitFor(async () => {
        const core = lab.world.tenants.get(PROJECT, 'tenant-stop')?.api.kubeConfig().makeApiClient(CoreV1Api);
        const nodes = core ? (await core.listNode()).items : [];
        return nodes.some((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      }, { what: 'a Ready tenant node', timeoutMs: 90_000, everyMs: 200 });
      // Its kubelet stand-in heartbeats from the server's process group: the server is up, not powered off.
      expect(lab.world.farm.servers().filter((s) => s.phase === 'Booting' || s.phase === 'Running')).toHaveLength(1);
    } finally {
      await lab.stop();
    }
    await waitFor(() => Object.keys(beyond(before)).length === 0, { what: 'no handles beyond those before the world', timeoutMs: EXIT_GRACE_MS, everyMs: 20 })
      .catch(() => undefined);
    expect(beyond(before)).toEqual({});
  }, 150_000);
});
