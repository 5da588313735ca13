/**
 * The bad-input catalogue (docs/bad-input.md), proven through the real plugin over HTTP: every entry
 * fails with exactly the catalogued error (object, field, message) and disturbs nothing else — a
 * claim held from the start keeps its host untouched, the failed claims keep no host, IP or Secret,
 * and a good claim still succeeds afterwards. Odd hardware data is skipped with a reason in the
 * capacity explanation instead of crashing selection.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  isInsufficientCapacity,
  
  
  type NodeClaimView,
  type NodeProvider,
  type PluginActivation,
} from '../../plugin/contract.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, CPU_HOST, providerConfig, seedPlatformObjects, type Metal3ProviderConfig } from '../providers/helpers.js';
import { expectClusterConsistent, expectHeld, expectReleased, readCluster } from '../reliability/invariants.js';
import { aClaim, JOIN } from '../support/builders.js';
import { expectRejectsWith } from '../support/expectations.js';
import { waitFor } from '../support/waitFor.js';

const NP = 'NodeProvider metal3-provider';
const prop = (key: string) => `spec.properties["${key}"]`;
const claimProps = (name: string) => `NodeClaim p-default/${name} spec.properties`;
const CIDR = 'metal3.vcluster.com/network-cidr';
const RANGE = 'metal3.vcluster.com/network-ip-range';
const USER_DATA = 'vcluster.com/user-data';
const NETWORK_DATA = 'metal3.vcluster.com/network-data';
const CHECKSUM = 'metal3.vcluster.com/image-checksum';
const CHECKSUM_TYPE = 'metal3.vcluster.com/image-checksum-type';

function baseConfig(namespace: string): Metal3ProviderConfig {
  return providerConfig(namespace, {
    properties: { 'vcluster.com/os-image': 'ubuntu-noble', [CIDR]: '10.90.0.1/24' },
    nodeTypes: [
      { name: 'cpu-node', resources: { cpu: '16', memory: '64Gi' }, bareMetalHosts: { selector: { matchLabels: { 'hardware-class': 'cpu' } } } },
      { name: 'odd-node', resources: { cpu: '1', memory: '1Gi' }, bareMetalHosts: { selector: { matchLabels: { 'hardware-class': 'odd' } } } },
    ],
  });
}

interface ConfigCase { input: string; mutate: (c: Metal3ProviderConfig) => void; field: string; message: string }

const configCases: ConfigCase[] = [
  { input: 'missing clusterRef.namespace', mutate: (c) => (c.spec.metal3!.clusterRef = { namespace: '' }), field: 'spec.metal3.clusterRef.namespace', message: 'is required' },
  { input: 'duplicate node type names', mutate: (c) => c.spec.metal3!.nodeTypes.push({ name: 'cpu-node' }), field: 'spec.metal3.nodeTypes[2].name', message: 'duplicate node type name "cpu-node"' },
  {
    input: 'bad selector operator',
    mutate: (c) => (c.spec.metal3!.nodeTypes[0].bareMetalHosts = { selector: { matchExpressions: [{ key: 'a', operator: 'Gt' as never, values: ['1'] }] } }),
    field: 'spec.metal3.nodeTypes[0].bareMetalHosts.selector.matchExpressions[0].operator',
    message: '"Gt" is not one of In, NotIn, Exists, DoesNotExist',
  },
  { input: 'unparsable resources', mutate: (c) => (c.spec.metal3!.nodeTypes[0].resources = { memory: '12 GB' }), field: 'spec.metal3.nodeTypes[0].resources[memory]', message: '' },
  { input: 'negative cost', mutate: (c) => (c.spec.metal3!.nodeTypes[0].cost = -1), field: 'spec.metal3.nodeTypes[0].cost', message: 'must be a number >= 0, got -1' },
];

interface ClaimCase { input: string; name: string; properties?: Record<string, string>; object: string; field: string; message: string }

const claimCases: ClaimCase[] = [
  { input: 'OSImage without checksum', name: 'bad-os-nosum', properties: { 'vcluster.com/os-image': 'no-checksum' }, object: 'OSImage no-checksum', field: prop(CHECKSUM), message: 'is required for a non-OCI image' },
  { input: 'OSImage with malformed checksum', name: 'bad-os-sum', properties: { 'vcluster.com/os-image': 'bad-checksum' }, object: 'OSImage bad-checksum', field: prop(CHECKSUM), message: 'must be hexadecimal digits or an http(s) URL of a checksum file' },
  { input: 'OSImage with unknown checksum type', name: 'bad-os-type', properties: { 'vcluster.com/os-image': 'crc-checksum' }, object: 'OSImage crc-checksum', field: prop(CHECKSUM_TYPE), message: '"crc32" is not one of md5, sha256, sha512, auto' },
  { input: 'malformed CIDR', name: 'bad-cidr', properties: { [CIDR]: '10.0.0.300/24' }, object: claimProps('bad-cidr'), field: prop(CIDR), message: '"10.0.0.300/24" is not <gateway IPv4>/<prefix length>, e.g. 10.0.0.1/24' },
  { input: 'CIDR whose host part is the network address', name: 'bad-gw', properties: { [CIDR]: '10.0.0.0/24' }, object: claimProps('bad-gw'), field: prop(CIDR), message: 'the host part is the gateway: 10.0.0.0 is the network address (write e.g. 10.0.0.1/24)' },
  { input: 'malformed IP range', name: 'bad-range', properties: { [RANGE]: '10.90.0.10..10.90.0.20' }, object: claimProps('bad-range'), field: prop(RANGE), message: '"10.90.0.10..10.90.0.20" is not <IPv4>-<IPv4>' },
  { input: 'IP range outside the CIDR', name: 'bad-outside', properties: { [RANGE]: '10.91.0.10-10.91.0.20' }, object: claimProps('bad-outside'), field: prop(RANGE), message: `"10.91.0.10-10.91.0.20" is not inside 10.90.0.0/24 (${CIDR})` },
  { input: 'user data without #cloud-config', name: 'bad-ud-header', properties: { [USER_DATA]: 'runcmd:\n  - echo hi\n' }, object: claimProps('bad-ud-header'), field: prop(USER_DATA), message: 'must start with a "#cloud-config" line' },
  { input: 'user data that is not YAML', name: 'bad-ud-yaml', properties: { [USER_DATA]: '#cloud-config\nruncmd: [echo\n' }, object: claimProps('bad-ud-yaml'), field: prop(USER_DATA), message: 'is not valid YAML (line 3, column 1: BAD_INDENT)' },
  { input: 'user data that is a list', name: 'bad-ud-list', properties: { [USER_DATA]: '#cloud-config\n- a\n' }, object: claimProps('bad-ud-list'), field: prop(USER_DATA), message: 'must be a YAML map of cloud-config keys, not a list' },
  { input: 'oversized user data', name: 'bad-ud-big', properties: { [USER_DATA]: `#cloud-config\nwrite_files:\n  - path: /big\n    content: ${'x'.repeat(70_000)}\n` }, object: claimProps('bad-ud-big'), field: prop(USER_DATA), message: 'rendered user data is ' },
  { input: 'unknown SSHKey', name: 'bad-ssh', properties: { 'vcluster.com/ssh-keys': 'ops,ghost' }, object: claimProps('bad-ssh'), field: prop('vcluster.com/ssh-keys'), message: 'failed to get SSHKey "ghost": not found' },
  { input: 'unknown NodeEnvironment', name: 'bad-env', properties: { 'vcluster.com/network-environment': 'nowhere' }, object: claimProps('bad-env'), field: prop('vcluster.com/network-environment'), message: 'failed to get NodeEnvironment "p-default/nowhere": not found' },
  { input: 'custom network data neither JSON nor YAML', name: 'bad-nd-yaml', properties: { [NETWORK_DATA]: 'links: [a\n' }, object: claimProps('bad-nd-yaml'), field: prop(NETWORK_DATA), message: 'is neither valid JSON nor valid YAML' },
  { input: 'custom network data: broken JSON', name: 'bad-nd-json', properties: { [NETWORK_DATA]: '{"links": [' }, object: claimProps('bad-nd-json'), field: prop(NETWORK_DATA), message: 'is not valid JSON (unexpected end of input)' },
  { input: 'custom network data: YAML but not netplan v2', name: 'bad-nd-v1', properties: { [NETWORK_DATA]: 'version: 1\nconfig: []\n' }, object: claimProps('bad-nd-v1'), field: prop(NETWORK_DATA), message: 'must be OpenStack network_data.json or netplan v2 YAML (version: 2)' },
  { input: 'unknown node type', name: 'bad-type', object: 'NodeClaim p-default/bad-type', field: 'spec.typeRef', message: 'node type "no-such-type" is not configured in NodeProvider metal3-provider' },
];

describe('bad-input catalogue', () => {
  let lab: TestLab;
  let activation: PluginActivation;
  let provider: NodeProvider;
  let control: NodeClaimView;
  let controlHost = '';
  let controlVersion = '';
  /** The claims the bad inputs are tried with, one per case (made up front: no it depends on another having run). */
  const badClaims = new Map<string, NodeClaimView>(claimCases.map(({ name, properties }) =>
    [name, aClaim({ name, properties, ...(name === 'bad-type' ? { nodeType: 'no-such-type' } : {}) })]));
  const oddClaim = aClaim({ name: 'odd', nodeType: 'odd-node' });

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    for (const name of ['cat-01', 'cat-02', 'cat-03']) await lab.createHost(name, { ...CPU_HOST });
    const image = { 'metal3.vcluster.com/image-url': 'http://images.lab/x.qcow2' };
    await lab.createOsImage('no-checksum', image);
    await lab.createOsImage('bad-checksum', { ...image, [CHECKSUM]: 'not-hex!' });
    await lab.createOsImage('crc-checksum', { ...image, [CHECKSUM]: 'a'.repeat(64), [CHECKSUM_TYPE]: 'crc32' });
    ({ activation, provider } = await activateConfigured(lab, baseConfig(lab.namespace)));
    control = aClaim({ name: 'control' });
    controlHost = (await provider.createNode(control, JOIN)).machine.name;
    controlVersion = (await lab.getHost(controlHost)).metadata.resourceVersion ?? '';
  });

  afterAll(async () => {
    await activation?.dispose();
    await lab?.close();
  });

  it.each(configCases)('NodeProvider: $input → names NodeProvider and $field; the previous config stays', async ({ mutate, field, message }) => {
    const bad = baseConfig(lab.namespace);
    mutate(bad);
    const err = await expectRejectsWith(provider.configure(bad), 'InvalidConfiguration', { object: NP, field });
    expect(err.message.startsWith(`${NP}: ${field}: ${message}`)).toBe(true);
    expect((await provider.nodeTypes()).map((t) => t.name)).toEqual(['cpu-node', 'odd-node']);
  });

  it.each(claimCases)('NodeClaim: $input → InvalidConfiguration on $object $field; nothing left behind', async ({ name, object, field, message }) => {
    const claim = badClaims.get(name)!;
    const err = await expectRejectsWith(provider.createNode(claim, JOIN), 'InvalidConfiguration', { object, field });
    expect(err.message.startsWith(`${object}: ${field}: ${message}`)).toBe(true);
    expectReleased(await readCluster(lab), claim.uid);
  });

  it('exhausted IP range → InsufficientCapacity naming the pool and the property; the loser keeps nothing', async () => {
    const properties = { [RANGE]: '10.90.0.50-10.90.0.50' };
    const first = aClaim({ name: 'range-first', properties });
    const second = aClaim({ name: 'range-second', properties });
    expect((await provider.createNode(first, JOIN)).ip).toBe('10.90.0.50');
    const err = await expectRejectsWith(provider.createNode(second, JOIN), 'InsufficientCapacity');
    expect(err.message).toBe(`IP pool 10.90.0.0-24 is exhausted (1 addresses, all reserved); see ${CIDR} / ${RANGE}`);
    expectReleased(await readCluster(lab), second.uid);
    await waitFor(async () => (await provider.deleteNode(first)).phase === 'Released', { timeoutMs: 5000 });
  });

  it('BareMetalHosts with missing or odd hardware data are skipped with a reason, not a crash', async () => {
    const odd = { labels: { 'hardware-class': 'odd' } };
    await lab.createHost('odd-nohw', { ...odd, state: '' });
    await lab.setHostState('odd-nohw', 'available');
    await lab.createHost('odd-negram', { ...odd, state: '' });
    await lab.setHostState('odd-negram', 'available', { hardware: { cpu: { count: 8, arch: 'x86_64' }, ramMebibytes: -1, nics: [] } });
    await lab.createHost('odd-zerocpu', { ...odd, state: '' });
    await lab.setHostState('odd-zerocpu', 'available', { hardware: { cpu: { count: 0, arch: 'x86_64' }, ramMebibytes: 4096, nics: [] } });
    await lab.createHost('odd-extended', { ...odd, cpu: 8, ramMebibytes: 4096, annotations: { 'metal3.vcluster.com/extended-resources': '{gpu: 8' } });
    // cpu.count "abc" never reaches the plugin: the API server's CRD schema refuses it.
    await lab.createHost('odd-abc', { ...odd, state: '' });
    const refused = await lab.setHostState('odd-abc', 'available', { hardware: { cpu: { count: 'abc' as never, arch: 'x86_64' }, ramMebibytes: 4096, nics: [] } }).catch((e: unknown) => e);
    expect((refused as { code?: number }).code).toBe(422);
    expect(String((refused as { body?: string }).body)).toContain('status.hardware.cpu.count');
    await lab.deleteHost('odd-abc');

    const claim = oddClaim;
    // Until the cache has seen all four.
    const err = await waitFor(async () => {
      const e = await provider.createNode(claim, JOIN).catch((e: unknown) => e as Error);
      return String((e as Error).message).includes('4 host(s)') && (e as Error);
    }, { timeoutMs: 5000 });
    expect(isInsufficientCapacity(err)).toBe(true);
    // Ineligible hosts are not counted in capacity, and nodeTypes() does not throw on them either.
    expect((await provider.nodeTypes()).find((t) => t.name === 'odd-node')?.capacity).toEqual({ total: 0, claimed: 0 });
    const message = err.message;
    expect(message).toMatch(/^no eligible host for node type odd-node: 4 host\(s\) match the selector; ineligible: /);
    expect(message).toContain('1 hardware unknown: no status.hardware (not inspected yet?)');
    expect(message).toContain('1 hardware unknown: status.hardware.ramMebibytes is missing or not a positive number');
    expect(message).toContain('1 hardware unknown: status.hardware.cpu.count is missing or not a positive number');
    expect(message).toContain('1 hardware unknown: annotation metal3.vcluster.com/extended-resources is not valid JSON');
    expectReleased(await readCluster(lab), claim.uid);
  });

  it('nothing else was disturbed: the control claim is untouched and a good claim still succeeds', async () => {
    const view = await readCluster(lab);
    expectClusterConsistent(view);
    expect(expectHeld(view, control.uid, { withIp: true })).toBe(controlHost);
    expect((await lab.getHost(controlHost)).metadata.resourceVersion).toBe(controlVersion);
    for (const claim of [...badClaims.values(), oddClaim]) expectReleased(view, claim.uid);
    const good = aClaim({ name: 'good-after' });
    const state = await provider.createNode(good, JOIN);
    expect(state.machine.name).not.toBe(controlHost);
    expectHeld(await readCluster(lab), good.uid, { withIp: true });
  });
});
