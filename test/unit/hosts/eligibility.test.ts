import { describe, expect, it } from '@jest/globals';
import type { Metal3NodeTypeSpec } from '../../../providers/metal3/spec.js';
import {
  POWER_OFF_DISABLED, whyIneligible, type EligibilityContext,
} from '../../../providers/metal3/hosts/eligibility.js';
import { ANNOTATION, BMO_ANNOTATION, LABEL } from '../../../providers/metal3/names.js';
import { aBareMetalHost } from '../../support/builders.js';

const nodeType: Metal3NodeTypeSpec = {
  name: 'h100-8x',
  resources: { cpu: '96', memory: '768Gi', 'nvidia.com/gpu': '8' },
  bareMetalHosts: { selector: { matchLabels: { 'gpu-model': 'h100' } } },
};
const ctx: EligibilityContext = { nodeType, claimTenant: 'p-a/tenant-a' };
const gpus = { [ANNOTATION.extendedResources]: '{"nvidia.com/gpu":"8"}' };
const good = () => aBareMetalHost('gpu-01', { metadata: { annotations: { ...gpus } } });

describe('whyIneligible', () => {
  it('accepts an available, healthy, matching host with enough resources', () => {
    expect(whyIneligible(good(), ctx)).toBeUndefined();
  });

  it('accepts the legacy "ready" state', () => {
    expect(whyIneligible(aBareMetalHost('h', { metadata: { annotations: gpus }, status: { provisioning: { state: 'ready' } } }), ctx)).toBeUndefined();
  });

  it.each([
    ['provisioning', aBareMetalHost('h', { metadata: { annotations: gpus }, status: { provisioning: { state: 'provisioning' } } }), 'state is "provisioning", not "available"'],
    ['no state', aBareMetalHost('h', { metadata: { annotations: gpus }, status: { provisioning: undefined } }), 'state is "", not "available"'],
    ['consumerRef', aBareMetalHost('h', { metadata: { annotations: gpus }, spec: { consumerRef: { kind: 'Metal3Machine', name: 'm1' } } }), 'already consumed by Metal3Machine m1'],
    ['deleting', aBareMetalHost('h', { metadata: { annotations: gpus, deletionTimestamp: new Date('2026-01-01T00:00:00Z') } }), 'being deleted'],
    ['error message', aBareMetalHost('h', { metadata: { annotations: gpus }, status: { errorMessage: 'boom', errorType: 'provisioning error' } }), 'in error (provisioning error)'],
    ['operational error', aBareMetalHost('h', { metadata: { annotations: gpus }, status: { operationalStatus: 'error' } }), 'in error (operationalStatus error)'],
    ['operational detached', aBareMetalHost('h', { metadata: { annotations: gpus }, status: { operationalStatus: 'detached' } }), 'detached (operationalStatus detached)'],
    ['paused', aBareMetalHost('h', { metadata: { annotations: { ...gpus, [BMO_ANNOTATION.paused]: '' } } }), `paused (annotation ${BMO_ANNOTATION.paused})`],
    ['detached', aBareMetalHost('h', { metadata: { annotations: { ...gpus, [BMO_ANNOTATION.detached]: '{"force":true}' } } }), `detached (annotation ${BMO_ANNOTATION.detached})`],
    ['externally provisioned', aBareMetalHost('h', { metadata: { annotations: gpus }, spec: { externallyProvisioned: true } }), 'externally provisioned'],
    ['power off disabled', aBareMetalHost('h', { metadata: { annotations: gpus }, spec: { disablePowerOff: true } }), POWER_OFF_DISABLED],
    ['claim label', aBareMetalHost('h', { metadata: { annotations: gpus, labels: { 'gpu-model': 'h100', [LABEL.nodeClaim]: 'uid-1' } } }), `already claimed (label ${LABEL.nodeClaim}=uid-1)`],
    ['selector', aBareMetalHost('h', { metadata: { annotations: gpus, labels: { 'gpu-model': 'a100' } } }), 'labels do not match node type "h100-8x" selector'],
    ['no gpus', aBareMetalHost('h'), 'not enough nvidia.com/gpu for node type "h100-8x"'],
    ['small memory', aBareMetalHost('h', { metadata: { annotations: gpus }, status: { hardware: { cpu: { count: 96 }, ramMebibytes: 1024 } } }), 'not enough memory for node type "h100-8x"'],
    ['not inspected', aBareMetalHost('h', { metadata: { annotations: gpus }, status: { hardware: undefined } }), 'hardware unknown: no status.hardware (not inspected yet?)'],
  ])('%s', (_name, host, reason) => {
    expect(whyIneligible(host, ctx)).toBe(reason);
  });

  it('does not need hardware data when the node type asks for no resources', () => {
    const host = aBareMetalHost('h', { status: { hardware: undefined } });
    expect(whyIneligible(host, { nodeType: { name: 'any' } })).toBeUndefined();
  });

  it('honours a pinned host name', () => {
    expect(whyIneligible(good(), { ...ctx, pinnedHostName: 'gpu-01' })).toBeUndefined();
    expect(whyIneligible(good(), { ...ctx, pinnedHostName: 'gpu-02' })).toBe('not the pinned host "gpu-02"');
  });

  describe('uncleaned reuse (automatedCleaningMode disabled)', () => {
    const uncleaned = (lastTenant?: string) => aBareMetalHost('h', {
      metadata: { annotations: { ...gpus, ...(lastTenant ? { [ANNOTATION.lastTenant]: lastTenant } : {}) } },
      spec: { automatedCleaningMode: 'disabled' },
    });
    it('allows a host never used by a tenant', () => expect(whyIneligible(uncleaned(), ctx)).toBeUndefined());
    it('allows the same tenant again', () => expect(whyIneligible(uncleaned('p-a/tenant-a'), ctx)).toBeUndefined());
    it('refuses another tenant', () => {
      expect(whyIneligible(uncleaned('p-b/tenant-b'), ctx)).toBe('automatedCleaningMode is disabled and the host last served another tenant (not cleaned)');
    });
    it('allows another tenant when allowUncleanedReuse', () => {
      expect(whyIneligible(uncleaned('p-b/tenant-b'), { ...ctx, allowUncleanedReuse: true })).toBeUndefined();
    });
    it('ignores last-tenant when cleaning is on', () => {
      const cleaned = aBareMetalHost('h', { metadata: { annotations: { ...gpus, [ANNOTATION.lastTenant]: 'p-b/x' } } });
      expect(whyIneligible(cleaned, ctx)).toBeUndefined();
    });
  });

  it('throws InvalidConfigurationError for malformed node type resources', () => {
    expect(() => whyIneligible(good(), { nodeType: { ...nodeType, resources: { cpu: 'many' } } })).toThrow(/^NodeType h100-8x: resources\["cpu"\]/);
  });
});
