/**
 * Bad input to createNode: each case fails with an error naming the object and the field, and
 * leaves nothing behind (no host claimed, no Secret, no IP reservation).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  
  
  
  type NodeProvider,
  type PluginActivation,
} from '../../plugin/contract.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, CPU_HOST, providerConfig, recordingHost, seedPlatformObjects } from './helpers.js';
import { waitFor } from '../support/waitFor.js';
import { aClaim, JOIN } from '../support/builders.js';
import { expectNothingLeftFor, expectRejectsWith } from '../support/expectations.js';

describe('createNode with bad input', () => {
  let lab: TestLab;
  let activation: PluginActivation;
  let provider: NodeProvider;
  let host: ReturnType<typeof recordingHost>;

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    for (const name of ['cpu-01', 'cpu-02']) await lab.createHost(name, { ...CPU_HOST });
    ({ activation, provider, host } = await activateConfigured(lab, providerConfig(lab.namespace)));
    await waitFor(async () => (await provider.nodeTypes())[0]?.capacity.total === 2);
  });

  afterAll(async () => {
    await activation?.dispose();
    await lab?.close();
  });

  const cases: { name: string; properties: Record<string, string>; object: RegExp; field: RegExp }[] = [
    { name: 'missing OSImage', properties: { 'vcluster.com/os-image': 'no-such-image' }, object: /NodeClaim|OSImage/, field: /vcluster\.com\/os-image/ },
    {
      name: 'malformed checksum',
      properties: {
        'vcluster.com/os-image': '',
        'metal3.vcluster.com/image-url': 'http://images.lab/x.qcow2',
        'metal3.vcluster.com/image-checksum': 'not-hex',
        'metal3.vcluster.com/image-checksum-type': 'sha256',
      },
      object: /NodeClaim/,
      field: /image-checksum/,
    },
    { name: 'bad CIDR', properties: { 'metal3.vcluster.com/network-cidr': '10.0.0.300/24' }, object: /NodeClaim/, field: /network-cidr/ },
    { name: 'missing SSHKey', properties: { 'vcluster.com/ssh-keys': 'ops,ghost' }, object: /^NodeClaim .* spec\.properties$/, field: /^spec\.properties\["vcluster\.com\/ssh-keys"\]$/ },
    { name: 'user data without #cloud-config', properties: { 'vcluster.com/user-data': 'runcmd:\n  - echo hi\n' }, object: /NodeClaim/, field: /user-data/ },
    { name: 'missing NodeEnvironment', properties: { 'vcluster.com/network-environment': 'nowhere' }, object: /^NodeClaim .* spec\.properties$/, field: /^spec\.properties\["vcluster\.com\/network-environment"\]$/ },
  ];

  it.each(cases)('$name → InvalidConfigurationError naming object and field; nothing left behind', async ({ properties, object, field }) => {
    const claim = aClaim({ properties });
    await expectRejectsWith(provider.createNode(claim, JOIN), 'InvalidConfiguration', { object: object, field: field });
    await expectNothingLeftFor(lab, claim.uid);
    expect(host.events.recorded).toContainEqual(expect.objectContaining({ reason: 'ProvisioningFailed', type: 'Warning', object: expect.objectContaining({ uid: claim.uid }) }));
  });

  it('an exhausted IP range → InsufficientCapacity naming the pool, and the failed claim keeps nothing', async () => {
    const properties = { 'metal3.vcluster.com/network-cidr': '10.30.0.1/24', 'metal3.vcluster.com/network-ip-range': '10.30.0.10-10.30.0.10' };
    const first = aClaim({ properties });
    expect((await provider.createNode(first, JOIN)).ip).toBe('10.30.0.10');
    const second = aClaim({ properties });
    const err = await expectRejectsWith(provider.createNode(second, JOIN), 'InsufficientCapacity');
    expect(err.message).toMatch(/exhausted/);
    expect(err.message).toContain('metal3.vcluster.com/network-cidr');
    await expectNothingLeftFor(lab, second.uid);
  });

  it('an unknown NodeEnvironment named by the claim ref → InvalidConfigurationError on the claim spec.environmentRef', async () => {
    const claim = aClaim({ environmentRef: 'nowhere' });
    const err = await expectRejectsWith(provider.createNode(claim, JOIN), 'InvalidConfiguration');
    expect({ object: err.object, field: err.field })
      .toEqual({ object: `NodeClaim ${claim.namespace}/${claim.name}`, field: 'spec.environmentRef' });
    expect(err.message).toContain('failed to get NodeEnvironment "p-default/nowhere": not found');
    await expectNothingLeftFor(lab, claim.uid);
  });

  it('broken JSON network data → the error gives the position, never the document', async () => {
    const marker = 'marker-7c1f';
    const cases: [string, string][] = [
      [`{"links": [${marker}`, 'is not valid JSON (line 1, column 12)'],
      [`{\n  "links": [],\n  "networks": [{"id": "${marker}",, }]\n}`, 'is not valid JSON (line 3, column 37)'],
      [`{"links": ["${marker}"`, 'is not valid JSON (unexpected end of input)'],
    ];
    for (const [networkData, expected] of cases) {
      const claim = aClaim({ properties: { 'metal3.vcluster.com/network-data': networkData } });
      const err = await expectRejectsWith(provider.createNode(claim, JOIN), 'InvalidConfiguration', { field: 'spec.properties["metal3.vcluster.com/network-data"]' });
      expect(err.message.endsWith(expected)).toBe(true);
      expect(err.message).not.toContain(marker);
      await expectNothingLeftFor(lab, claim.uid);
    }
  });

  it('an unknown node type → InvalidConfigurationError on the claim spec.typeRef', async () => {
    const claim = aClaim({ nodeType: 'no-such-type' });
    await expectRejectsWith(provider.createNode(claim, JOIN), 'InvalidConfiguration', { field: 'spec.typeRef' });
  });
});
