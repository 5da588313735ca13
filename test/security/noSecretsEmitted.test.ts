/**
 * Secrets never leave Secrets: a full lifecycle (claim → provisioned → release) against the Metal3
 * simulator, plus failing claims whose bad input carries secret-looking content, with EVERYTHING
 * the plugin emits captured — pino log lines (debug level), recorded events, thrown error messages,
 * every Event object in the API, every non-Secret object the plugin wrote — and searched for the join
 * token, its secret part, a distinctive line of the user data and the BMC password. The Secrets
 * themselves are checked to hold what was searched for, so the search cannot pass vacuously.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { JoinSpec, Logger, NodeClaimView, PluginActivation, PluginHost } from '../../plugin/contract.js';
import { activate } from '../../plugin/index.js';
import { applyFleet, makeFleet } from '../../lab/fleet/index.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { providerConfig, recordingHost, seedPlatformObjects } from '../providers/helpers.js';
import { expectReleased, readCluster } from '../reliability/invariants.js';
import { waitFor } from '../support/waitFor.js';
import { aClaim, aNodeType, JOIN } from '../support/builders.js';

const TOKEN_SECRET = 'q7w8e9r0t1y2u3i4';
const JOIN_A: JoinSpec = { ...JOIN, token: `k3x9pq.${TOKEN_SECRET}` };
const JOIN_B: JoinSpec = { ...JOIN, token: 'z1z2z3.a9b8c7d6e5f4g3h2' };
const USER_DATA_MARKER = 'marker-7c1f-do-not-leak';
const USER_DATA = `#cloud-config\nwrite_files:\n  - path: /etc/lab-marker\n    content: ${USER_DATA_MARKER}\n`;

describe('no secret is ever emitted', () => {
  let lab: TestLab;
  let activation: PluginActivation;
  const logLines: string[] = [];
  const errors: string[] = [];
  let host: PluginHost & { events: ReturnType<typeof recordingHost>['events'] };
  let bmcPasswords: string[] = [];

  beforeAll(async () => {
    lab = await startTestLab({ simulator: true });
    await seedPlatformObjects(lab);
    const fleet = makeFleet(2, { 'cpu-epyc': 1 }, { namespace: lab.namespace });
    await applyFleet(lab.kc, fleet);
    bmcPasswords = fleet.secrets.map((s) => Buffer.from(String((s as { data: { password: string } }).data.password), 'base64').toString());
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
    host = { ...recordingHost(lab.kc), logger: logger as unknown as Logger };
    activation = await activate(host);
    await activation.provider.configure(providerConfig(lab.namespace, {
      properties: { 'vcluster.com/os-image': 'ubuntu-noble', 'vcluster.com/ssh-keys': 'ops', 'metal3.vcluster.com/network-cidr': '10.80.0.1/24' },
      nodeTypes: [aNodeType({ resources: { cpu: '64', memory: '512Gi' }, matchLabels: { 'node-role': 'cpu-worker' } })],
    }));
    await waitFor(async () => (await activation.provider.nodeTypes())[0].capacity.total === 2, { timeoutMs: 15000 });
  }, 30000);

  afterAll(async () => {
    await activation?.dispose();
    await lab?.close();
  });

  const release = (claim: NodeClaimView) => waitFor(async () => (await activation.provider.deleteNode(claim)).phase === 'Released', { timeoutMs: 20_000 });

  it('a full lifecycle and failing claims emit neither token, user data nor BMC password', async () => {
    const a = aClaim({ properties: { 'vcluster.com/user-data': USER_DATA } });
    const b = aClaim({ vClusterRef: 'tenant-b' });
    const stateA = await activation.provider.createNode(a, JOIN_A);
    const stateB = await activation.provider.createNode(b, JOIN_B);
    await waitFor(async () => (await activation.provider.getNode(a))?.phase === 'Provisioned', { timeoutMs: 10000 });

    // Per-claim tokens: each claim's user data Secret holds its own token and not the other's.
    const userDataOf = async (claim: NodeClaimView, hostName: string) => {
      const ref = (await lab.getHost(hostName)).spec.userData!;
      const secret = await lab.core.readNamespacedSecret({ namespace: ref.namespace ?? lab.namespace, name: ref.name });
      expect(secret.metadata?.labels).toMatchObject({ 'metal3.vcluster.com/node-claim': claim.uid, 'app.kubernetes.io/managed-by': 'metal3-provider' });
      return Buffer.from(secret.data!.userData, 'base64').toString();
    };
    const userDataA = await userDataOf(a, stateA.machine.name);
    const userDataB = await userDataOf(b, stateB.machine.name);
    expect(userDataA).toContain(JOIN_A.token);
    expect(userDataA).toContain(USER_DATA_MARKER);
    expect(userDataA).not.toContain(JOIN_B.token);
    expect(userDataB).toContain(JOIN_B.token);
    expect(userDataB).not.toContain(TOKEN_SECRET);

    // Failing claims whose input carries secret-looking content: errors must not echo it.
    const bad = [
      aClaim({ properties: { 'vcluster.com/user-data': `runcmd:\n  - echo ${USER_DATA_MARKER}\n` } }),
      aClaim({ properties: { 'vcluster.com/user-data': `#cloud-config\n: [${USER_DATA_MARKER}` } }),
      aClaim({ properties: { 'metal3.vcluster.com/network-data': `{"links": [${USER_DATA_MARKER}` } }),
      aClaim({ properties: { 'vcluster.com/ssh-keys': 'ghost' } }),
    ];
    for (const claim of bad) {
      const err = await activation.provider.createNode(claim, JOIN_A).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      errors.push(`${(err as Error).message} ${String((err as Error).stack)}`);
    }

    await release(a);
    await release(b);
    for (const claim of [a, b, ...bad]) expectReleased(await readCluster(lab), claim.uid);

    const events = await lab.core.listEventForAllNamespaces();
    const configMaps = await lab.core.listConfigMapForAllNamespaces();
    const hosts = (await readCluster(lab)).hosts;
    const emitted = [
      ...logLines,
      ...errors,
      ...host.events.recorded.map((e) => JSON.stringify(e)),
      JSON.stringify(events.items),
      JSON.stringify(configMaps.items),
      JSON.stringify(hosts),
    ].join('\n');
    expect(logLines.length).toBeGreaterThan(5);
    expect(host.events.recorded.length).toBeGreaterThan(3);
    for (const secret of [JOIN_A.token, TOKEN_SECRET, JOIN_B.token, 'a9b8c7d6e5f4g3h2', USER_DATA_MARKER, ...bmcPasswords]) {
      expect({ secret, found: emitted.includes(secret) }).toEqual({ secret, found: false });
    }
  }, 30000);
});
