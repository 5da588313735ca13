/**
 * The host cache keeps a slim copy of each BareMetalHost; a claim write (a PUT of the cached
 * object) must not lose what the cache dropped: the server keeps status (subresource) and
 * managedFields. Driven through the lab API over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CPU_EPYC, hardwareFor } from '../../lab/fleet/index.js';
import { KubeClient } from '../../providers/metal3/kube.js';
import { slimHost } from '../../providers/metal3/slimHost.js';
import type { BareMetalHost } from '../../providers/metal3/types.js';
import { startTestLab, type TestLab } from '../support/lab.js';

describe('slimHost', () => {
  let lab: TestLab;
  let kube: KubeClient;

  beforeAll(async () => {
    lab = await startTestLab({ namespace: 'slim-test' });
    kube = new KubeClient(lab.kc);
    await lab.createHost('epyc-0');
    await lab.setHostState('epyc-0', 'available', { hardware: hardwareFor(CPU_EPYC, 'epyc-0') as never });
  });
  afterAll(async () => {
    kube?.dispose();
    await lab?.close();
  });

  it('keeps what the provider reads and drops storage, firmware and managedFields', async () => {
    const full = (await kube.getHost(lab.namespace, 'epyc-0'))!;
    const fullHardware = full.status!.hardware as Record<string, unknown>;
    expect(fullHardware.storage).toBeDefined();
    const before = JSON.stringify(full).length;
    const slim = slimHost(structuredClone(full));
    expect(JSON.stringify(slim).length).toBeLessThan(before / 2);
    expect(slim.metadata.managedFields).toBeUndefined();
    expect(slim.metadata.labels).toEqual(full.metadata.labels);
    expect(slim.metadata.annotations).toEqual(full.metadata.annotations);
    expect(slim.spec).toEqual(full.spec);
    expect(slim.status?.provisioning?.state).toBe('available');
    expect(slim.status?.operationalStatus).toBe(full.status?.operationalStatus);
    expect(slim.status?.hardware?.cpu?.count).toBe(full.status?.hardware?.cpu?.count);
    expect(slim.status?.hardware?.ramMebibytes).toBe(full.status?.hardware?.ramMebibytes);
    type Lldp = { lldp?: { switchID?: string; portID?: string } };
    const read = (n: { name?: string; mac?: string } & Lldp) => ({ name: n.name, mac: n.mac, switchID: n.lldp?.switchID, portID: n.lldp?.portID });
    expect(slim.status?.hardware?.nics?.map(read)).toEqual(full.status!.hardware!.nics!.map(read));
    expect(full.status!.hardware!.nics!.some((n) => (n as Lldp).lldp?.switchID)).toBe(true);
    expect((slim.status?.hardware as Record<string, unknown>).storage).toBeUndefined();
  });

  it('a PUT of the slim object changes the spec and leaves the stored status and managedFields whole', async () => {
    const full = (await kube.getHost(lab.namespace, 'epyc-0'))!;
    const slim: BareMetalHost = slimHost(structuredClone(full));
    slim.metadata.labels = { ...slim.metadata.labels, marked: 'yes' };
    await kube.replaceHost(slim);
    const after = (await kube.getHost(lab.namespace, 'epyc-0'))!;
    expect(after.metadata.labels?.marked).toBe('yes');
    expect(after.status).toEqual(full.status);
    expect(after.metadata.managedFields?.length).toBeGreaterThanOrEqual(full.metadata.managedFields?.length ?? 0);
    expect(after.metadata.managedFields?.length).toBeGreaterThan(0);
  });
});
