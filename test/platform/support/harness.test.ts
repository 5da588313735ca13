import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT_NS, startHarness, type Harness } from './harness.js';

describe('harness', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h.close(); });
  it('serves NodeClaims with a status subresource and a tenant secret', async () => {
    await h.writeTenantSecret('vc1');
    const c = await h.custom.createNamespacedCustomObject({ group: 'management.loft.sh', version: 'v1', namespace: PROJECT_NS, plural: 'nodeclaims',
      body: { apiVersion: 'management.loft.sh/v1', kind: 'NodeClaim', metadata: { generateName: 'x-' }, spec: { providerRef: 'm3' } } }) as { metadata: { name: string } };
    expect(c.metadata.name).toMatch(/^x-/);
  });
});
