import { describe, expect, it } from '@jest/globals';
import { claimDrift, poolDesire, type PoolDesire } from '../../../../platform/autoNodes/poolMatch.js';
import type { NodeClaim } from '../../../../platform/nodeClaims/types.js';
import { parseProject } from '../../../../platform/projects/project.js';
import type { NodeTypeCandidate } from '../../../../platform/scheduling/pickNodeType.js';

const gpu: NodeTypeCandidate = {
  name: 'm3.gpu-h100', providerRef: 'm3', properties: { 'gpu-model': 'h100', tier: 'a,b' }, resources: { cpu: '96', 'nvidia.com/gpu': '8' },
  capacity: { total: 4, claimed: 2 },
};
const byType = (value: string) => [{ key: 'vcluster.com/node-type', operator: 'In' as const, values: [value] }];
const pool = (over: Partial<PoolDesire> = {}): PoolDesire => ({
  path: 'privateNodes.autoNodes[0].static[0]', name: 'gpu', kind: 'static', requirements: byType('gpu-h100'), properties: { 'vcluster.com/os-image': 'noble' }, ...over,
});
const claimOf = (spec: Partial<NodeClaim['spec']> = {}): Pick<NodeClaim, 'spec'> => ({
  spec: { providerRef: 'm3', typeRef: 'm3.gpu-h100', requirements: byType('gpu-h100'), properties: { 'vcluster.com/os-image': 'noble' }, ...spec },
});

describe('claimDrift: does a claim still match its pool', () => {
  it('finds no drift when the properties are the pool’s and the node type satisfies its selector', () => {
    expect(claimDrift(claimOf(), pool(), gpu, undefined)).toEqual({ drifted: false, message: 'matches pool gpu' });
  });

  it('finds no drift when the selector changed but the claim’s node type still satisfies it', () => {
    const widened = pool({ requirements: [{ key: 'gpu-model', operator: 'In', values: ['h100', 'a100'] }, { key: 'tier', operator: 'In', values: ['b'] }] });
    expect(claimDrift(claimOf(), widened, gpu, undefined).drifted).toBe(false);
  });

  it('says which requirement of the nodeTypeSelector the node type no longer satisfies', () => {
    const verdict = claimDrift(claimOf(), pool({ requirements: [...byType('gpu-h100'), { key: 'gpu-model', operator: 'In', values: ['b200'] }] }), gpu, undefined);
    expect(verdict).toEqual({
      drifted: true, reason: 'RequirementsDrifted',
      message: 'no longer matches pool gpu: node type m3.gpu-h100 no longer satisfies privateNodes.autoNodes[0].static[0].nodeTypeSelector: gpu-model In [b200]',
    });
  });

  it('names changed, added and removed property keys, never their values', () => {
    const verdict = claimDrift(
      claimOf({ properties: { 'vcluster.com/os-image': 'noble', 'vcluster.com/user-data': '#cloud-config\npassword: hunter2' } }),
      pool({ properties: { 'vcluster.com/os-image': 'plucky', 'metal3.vcluster.com/dns-servers': '1.1.1.1' } }), gpu, undefined,
    );
    expect(verdict).toMatchObject({ drifted: true, reason: 'PropertiesDrifted' });
    expect(verdict.message).toBe("no longer matches pool gpu: properties changed in privateNodes.autoNodes[0].static[0].properties (or the provider entry's): " +
      'metal3.vcluster.com/dns-servers, vcluster.com/os-image, vcluster.com/user-data');
    expect(verdict.message).not.toMatch(/plucky|hunter2|1\.1\.1\.1/);
  });

  it('merges the provider entry’s properties under the pool’s, as the claim was made', () => {
    const desired = poolDesire({ properties: { a: '1', b: '1' } }, { name: 'gpu', requirements: [], properties: { b: '2' } }, 'p');
    expect(desired.properties).toEqual({ a: '1', b: '2' });
    expect(claimDrift(claimOf({ properties: { a: '1', b: '2' } }), { ...desired, requirements: byType('gpu-h100') }, gpu, undefined).drifted).toBe(false);
  });

  it('drifts a claim whose node type its Project no longer allows, and ignores an invalid Project', () => {
    const narrowed = parseProject({ metadata: { name: 'team' }, spec: { allowedNodeTypes: [{ name: 'm3.cpu' }] } });
    expect(claimDrift(claimOf(), pool(), gpu, narrowed)).toMatchObject({
      drifted: true, reason: 'NodeTypeNotAllowed', message: expect.stringContaining('node type m3.gpu-h100 is no longer allowed in project team (spec.allowedNodeTypes: m3.cpu)'),
    });
    const invalid = parseProject({ metadata: { name: 'team' }, spec: { allowedNodeTypes: [{ name: '*' }] } });
    expect(claimDrift(claimOf(), pool(), gpu, invalid).drifted).toBe(false);
  });

  it('compares the requirements themselves while the claim has no node type yet', () => {
    expect(claimDrift(claimOf({ typeRef: undefined }), pool(), undefined, undefined).drifted).toBe(false);
    expect(claimDrift(claimOf({ typeRef: undefined }), pool({ requirements: byType('cpu') }), undefined, undefined)).toMatchObject({
      drifted: true, reason: 'RequirementsDrifted', message: expect.stringContaining('spec.requirements are not privateNodes.autoNodes[0].static[0].nodeTypeSelector any more'),
    });
  });

  it('reports every mismatch, the first one as the reason', () => {
    const verdict = claimDrift(claimOf(), pool({ requirements: byType('cpu'), properties: {} }), gpu, undefined);
    expect(verdict).toMatchObject({ drifted: true, reason: 'PropertiesDrifted' });
    expect(verdict.message).toContain('vcluster.com/os-image');
    expect(verdict.message).toContain('vcluster.com/node-type In [cpu]');
  });
});
