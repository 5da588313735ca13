import { describe, expect, it } from '@jest/globals';
import { fitsResources, hostResources } from '../../../providers/metal3/hosts/resources.js';
import { ANNOTATION } from '../../../providers/metal3/names.js';
import { aBareMetalHost } from '../../support/builders.js';
import { expectRejectsWith } from '../../support/expectations.js';

describe('hostResources', () => {
  it('reads cpu count, RAM in bytes and the extended-resources annotation', () => {
    const host = aBareMetalHost('h1', { metadata: { annotations: { [ANNOTATION.extendedResources]: '{"nvidia.com/gpu":"8","example.com/fpga":2}' } } });
    expect(hostResources(host)).toEqual({
      resources: { cpu: 96, memoryBytes: 786432 * 2 ** 20, extended: { 'nvidia.com/gpu': 8, 'example.com/fpga': 2 } },
    });
  });

  it.each([
    ['no hardware', aBareMetalHost('h', { status: { hardware: undefined } }), /no status.hardware/],
    ['no cpu', aBareMetalHost('h', { status: { hardware: { ramMebibytes: 1024 } } }), /cpu.count/],
    ['zero cpu', aBareMetalHost('h', { status: { hardware: { cpu: { count: 0 }, ramMebibytes: 1024 } } }), /cpu.count/],
    ['no ram', aBareMetalHost('h', { status: { hardware: { cpu: { count: 4 } } } }), /ramMebibytes/],
    ['annotation not JSON', aBareMetalHost('h', { metadata: { annotations: { [ANNOTATION.extendedResources]: '{gpu' } } }), /not valid JSON/],
    ['annotation a list', aBareMetalHost('h', { metadata: { annotations: { [ANNOTATION.extendedResources]: '[1]' } } }), /JSON object/],
    ['annotation bad quantity', aBareMetalHost('h', { metadata: { annotations: { [ANNOTATION.extendedResources]: '{"nvidia.com/gpu":"many"}' } } }), /"nvidia.com\/gpu" is not a quantity/],
  ])('%s -> problem', (_name, host, problem) => {
    const result = hostResources(host);
    expect(result.resources).toBeUndefined();
    expect(result.problem).toMatch(problem);
  });
});

describe('fitsResources', () => {
  const host = { cpu: 32, memoryBytes: 128 * 2 ** 30, extended: { 'nvidia.com/gpu': 4 } };

  it.each<[Record<string, string> | undefined, { ok: boolean; missing?: string }]>([
    [undefined, { ok: true }],
    [{}, { ok: true }],
    [{ cpu: '32', memory: '128Gi', 'nvidia.com/gpu': '4' }, { ok: true }],
    [{ cpu: '31500m' }, { ok: true }],
    [{ cpu: '33' }, { ok: false, missing: 'cpu' }],
    [{ memory: '129Gi' }, { ok: false, missing: 'memory' }],
    [{ memory: '137G' }, { ok: true }],
    [{ 'nvidia.com/gpu': '8' }, { ok: false, missing: 'nvidia.com/gpu' }],
    [{ 'amd.com/gpu': '1' }, { ok: false, missing: 'amd.com/gpu' }],
    [{ 'amd.com/gpu': '0' }, { ok: true }],
    [{ pods: '110' }, { ok: true }],
  ])('%j -> %j', (required, expected) => {
    expect(fitsResources(host, required)).toEqual(expected);
  });

  it('throws InvalidConfigurationError naming the node type and resource for a malformed quantity', async () => {
    const err = await expectRejectsWith(() => fitsResources(host, { memory: 'lots' }, 'NodeType gpu'), 'InvalidConfiguration');
    expect(err.message).toMatch(/^NodeType gpu: resources\["memory"\]: "lots" is not a Kubernetes quantity/);
  });
});
