import { describe, expect, it } from '@jest/globals';
import { isInvalidConfiguration } from '../../../plugin/contract.js';
import { EXTENDED_RESOURCES_ANNOTATION, fitsResources, hostResources } from '../../../providers/metal3/hosts/resources.js';
import { bmh } from './bmh.js';

describe('hostResources', () => {
  it('reads cpu count, RAM in bytes and the extended-resources annotation', () => {
    const host = bmh('h1', { metadata: { annotations: { [EXTENDED_RESOURCES_ANNOTATION]: '{"nvidia.com/gpu":"8","example.com/fpga":2}' } } });
    expect(hostResources(host)).toEqual({
      resources: { cpu: 96, memoryBytes: 786432 * 2 ** 20, extended: { 'nvidia.com/gpu': 8, 'example.com/fpga': 2 } },
    });
  });

  it.each([
    ['no hardware', bmh('h', { status: { hardware: undefined } }), /no status.hardware/],
    ['no cpu', bmh('h', { status: { hardware: { ramMebibytes: 1024 } } }), /cpu.count/],
    ['zero cpu', bmh('h', { status: { hardware: { cpu: { count: 0 }, ramMebibytes: 1024 } } }), /cpu.count/],
    ['no ram', bmh('h', { status: { hardware: { cpu: { count: 4 } } } }), /ramMebibytes/],
    ['annotation not JSON', bmh('h', { metadata: { annotations: { [EXTENDED_RESOURCES_ANNOTATION]: '{gpu' } } }), /not valid JSON/],
    ['annotation a list', bmh('h', { metadata: { annotations: { [EXTENDED_RESOURCES_ANNOTATION]: '[1]' } } }), /JSON object/],
    ['annotation bad quantity', bmh('h', { metadata: { annotations: { [EXTENDED_RESOURCES_ANNOTATION]: '{"nvidia.com/gpu":"many"}' } } }), /"nvidia.com\/gpu" is not a quantity/],
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

  it('throws InvalidConfigurationError naming the node type and resource for a malformed quantity', () => {
    let caught: unknown;
    try {
      fitsResources(host, { memory: 'lots' }, 'NodeType gpu');
    } catch (err) {
      caught = err;
    }
    expect(isInvalidConfiguration(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/^NodeType gpu: resources\["memory"\]: "lots" is not a Kubernetes quantity/);
  });
});
