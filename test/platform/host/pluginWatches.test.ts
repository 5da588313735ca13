/**
 * The watches the host lends a plugin (`PluginHost.watches`, contract 2.1): the host's one informer on the
 * management cluster or a connected one, with its restart policy: a refusal is one `Forbidden` Warning
 * Event on the NodeProvider and a retry with backoff, and a connected cluster that turns ready again
 * restarts the refused watch at once instead of after that backoff.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi, type KubeConfig, type KubernetesListObject } from '@kubernetes/client-node';
import type { ConnectedCluster, ConnectedClusters, ResourceWatch } from '../../../plugin/contract.js';
import { pluginWatches, type PluginWatches } from '../../../platform/host/pluginWatches.js';
import { RecordingLogger, type RecordedEvent } from '../../providers/helpers.js';
import { startTestLab, type TestLab } from '../../support/lab.js';
import { createAll, role, roleBinding, saSubject, serviceAccountKubeConfig } from '../../support/rbac.js';
import { waitFor } from '../../support/waitFor.js';
import type { BareMetalHost } from '../../../providers/metal3/types.js';

const BMH = { group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts' };
const PROVIDER = { apiVersion: 'management.loft.sh/v1', kind: 'NodeProvider', name: 'metal3-provider' };

/** The host's directory of connected clusters as the plugin sees it: one cluster whose readiness the test sets. */
class OneCluster implements ConnectedClusters {
  private readonly listeners = new Set<(name: string) => void>();
  ready = false;
  constructor(readonly name: string, private readonly kubeConfig: KubeConfig) {}
  get(name: string): ConnectedCluster {
    if (name !== this.name) return { name, ready: false, generation: 0, reason: 'ClusterNotFound', message: `Cluster ${name}: not found` };
    return { name, ready: this.ready, kubeConfig: this.kubeConfig, generation: 1, ...(this.ready ? {} : { reason: 'CredentialsRefused' as const }) };
  }
  onChange(listener: (name: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  turnReady(): void {
    this.ready = true;
    for (const listener of this.listeners) listener(this.name);
  }
}

describe('the watches the host lends a plugin', () => {
  let lab: TestLab;

  beforeAll(async () => {
    lab = await startTestLab({ namespace: 'watched-hosts' });
  });

  afterAll(async () => {
    await lab?.close();
  });

  const hostsOf = (kubeConfig: KubeConfig) => () =>
    kubeConfig.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ ...BMH, namespace: lab.namespace }) as Promise<KubernetesListObject<BareMetalHost>>;
  const path = () => `/apis/${BMH.group}/${BMH.version}/namespaces/${lab.namespace}/${BMH.plural}`;
  /** The service for one plugin version, with the Events it records. */
  const lend = (clusters?: ConnectedClusters) => {
    const events: RecordedEvent[] = [];
    const record = (object: RecordedEvent['object'], type: string, reason: string, message: string) => void events.push({ object, type, reason, message });
    const watches: PluginWatches = pluginWatches({ kubeConfig: lab.kc, clusters, logger: new RecordingLogger(), events: { record }, provider: PROVIDER });
    return { watches, events };
  };
  const names = (watch: ResourceWatch<BareMetalHost>) => watch.list().map((h) => h.metadata.name).sort();

  it('lists the collection, then passes on every change; whenSynced resolves once the first list is in', async () => {
    await lab.createHost('listed-1');
    const { watches } = lend();
    const seen: string[] = [];
    try {
      const watch = watches.watch<BareMetalHost>({ path: path(), list: hostsOf(lab.kc), onChange: (host, kind) => seen.push(`${kind} ${host.metadata.name}`) });
      await watch.whenSynced();
      expect([watch.synced(), names(watch), seen]).toEqual([true, ['listed-1'], ['add listed-1']]);
      await lab.createHost('listed-2');
      await lab.deleteHost('listed-1');
      await waitFor(() => seen.includes('delete listed-1'), { what: 'the delete of listed-1' });
      // createHost writes the status after the object: an update of listed-2 may come in between.
      expect(seen.filter((e) => !e.startsWith('update'))).toEqual(['add listed-1', 'add listed-2', 'delete listed-1']);
      expect(names(watch)).toEqual(['listed-2']);
    } finally {
      await watches.stop();
      await lab.deleteHost('listed-2');
    }
  });

  it('names the Cluster when a connected cluster has no client configuration', () => {
    const { watches } = lend(new OneCluster('site-a', lab.kc));
    expect(() => watches.watch<BareMetalHost>({ cluster: 'site-z', path: path(), list: hostsOf(lab.kc), onChange: () => undefined }))
      .toThrow('Cluster site-z: no client configuration: Cluster site-z: not found');
  });

  // A plugin's client may wrap client-node's error in its own (the metal3 provider's does, with the original as `cause`).
  const wrapped = (list: () => Promise<KubernetesListObject<BareMetalHost>>) => () =>
    list().catch((err: unknown) => { throw new Error('list BareMetalHosts: HTTP 403 Forbidden', { cause: err }); });
  it.each([
    ['client-node\'s own error', 'site-reader', (list: () => Promise<KubernetesListObject<BareMetalHost>>) => list],
    ['the plugin\'s error wrapping it as its cause', 'site-reader-wrapped', wrapped],
  ] as const)('reports a refusal (%s) once as a Forbidden Event on the NodeProvider, and restarts at once when the cluster turns ready again', async (_shape, reader, shape) => {
    await lab.createHost(`refused-${reader}`);
    const siteKc = await serviceAccountKubeConfig(lab.api, lab.namespace, reader);
    const cluster = new OneCluster('site-a', siteKc);
    const { watches, events } = lend(cluster);
    const refusals = () => lab.api.authz.denied(`system:serviceaccount:${lab.namespace}:${reader}`)
      .filter((r) => r.resource === 'baremetalhosts' && r.verb === 'list').reduce((n, r) => n + r.count, 0);
    try {
      const watch = watches.watch<BareMetalHost>({ cluster: 'site-a', path: path(), list: shape(hostsOf(siteKc)), onChange: () => undefined });
      // Refused three times (retries after 1 s and 2 s): the next retry waits 4 s, so a sync within 3 s is the restart.
      await waitFor(() => refusals() >= 3, { what: 'three refused lists', timeoutMs: 20_000 });
      const beforeNextRetry = Date.now() + 3000;
      expect(watch.synced()).toBe(false);
      const forbidden = events.filter((e) => e.reason === 'Forbidden');
      expect(forbidden).toEqual([{
        object: PROVIDER, type: 'Warning', reason: 'Forbidden',
        message: expect.stringContaining(`cannot list resource "baremetalhosts" in API group "metal3.io" in the namespace "${lab.namespace}"`),
      }]);

      await createAll(lab.kc, [
        role(lab.namespace, reader, [{ apiGroups: ['metal3.io'], resources: ['baremetalhosts'], verbs: ['list', 'watch'] }]),
        roleBinding(lab.namespace, reader, { kind: 'Role', name: reader }, [saSubject(lab.namespace, reader)]),
      ]);
      cluster.turnReady();
      await watch.whenSynced();
      expect(Date.now()).toBeLessThan(beforeNextRetry);
      expect(names(watch)).toEqual([`refused-${reader}`]);
      expect(events.filter((e) => e.reason === 'Forbidden')).toHaveLength(1);
    } finally {
      await watches.stop();
      await lab.deleteHost(`refused-${reader}`);
    }
  });
});
