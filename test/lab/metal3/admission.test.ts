/**
 * BMO's validating webhook for BareMetalHosts, emulated in the lab API: one test per rule of
 * baremetalhost_validation.go, each driving the API over HTTP with the real client and expecting BMO's message.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { BMH_WEBHOOK_NAME } from '../../../lab/metal3/index.js';
import type { BareMetalHost } from '../../../lab/metal3/types.js';
import { aBareMetalHostManifest, type HostManifestOverrides } from '../../support/builders.js';

const BMH = { group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts' };
const NS = 'admission';
const DENIED = `admission webhook "${BMH_WEBHOOK_NAME}" denied the request: `;
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe("BMO's BareMetalHost admission webhook in the lab API", () => {
  let api: KubeApiServer;
  let custom: CustomObjectsApi;
  let seq = 0;
  const nextName = () => `host-${++seq}`;

  beforeAll(async () => {
    api = await startKubeApi({ port: 0 });
    custom = api.kubeConfig().makeApiClient(CustomObjectsApi);
    await api.kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
  });
  afterEach(() => api.admission.setReachable(BMH_WEBHOOK_NAME, true));
  afterAll(async () => {
    await api.close();
  });

  const create = (overrides: HostManifestOverrides = {}, name = nextName()) =>
    custom.createNamespacedCustomObject({ ...BMH, namespace: NS, body: aBareMetalHostManifest(name, NS, overrides) }) as Promise<BareMetalHost>;
  const patch = (name: string, body: object) =>
    custom.patchNamespacedCustomObject({ ...BMH, namespace: NS, name, body }, MERGE) as Promise<BareMetalHost>;
  const setState = async (name: string, state: string, operationalStatus = 'OK') => {
    const host = (await custom.getNamespacedCustomObject({ ...BMH, namespace: NS, name })) as BareMetalHost;
    const status = { operationalStatus, errorMessage: '', errorCount: 0, poweredOn: false, provisioningFailCount: 0, provisioning: { state, ID: 'x' } };
    await custom.replaceNamespacedCustomObjectStatus({ ...BMH, namespace: NS, name, body: { ...host, status } });
  };
  const getHost = (name: string) => custom.getNamespacedCustomObject({ ...BMH, namespace: NS, name }) as Promise<BareMetalHost>;

  /** The write is refused with a 403 carrying exactly BMO's message. */
  const expectDenied = async (write: Promise<unknown>, message: string) => {
    const err = (await write.then(() => undefined, (e: unknown) => e)) as { code?: number; body?: string } | undefined;
    expect(err).toBeDefined();
    expect(err!.code).toBe(403);
    expect(JSON.parse(err!.body!)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403, message: DENIED + message });
  };

  describe('on create', () => {
    it('accepts a valid host', async () => {
      await expect(create()).resolves.toMatchObject({ spec: { online: true } });
    });

    it.each(['http', 'https', 'ftp', 'gopher'])('accepts an image URL with scheme %s', async (scheme) => {
      await expect(create({ spec: { image: { url: `${scheme}://images.lab/ubuntu.raw`, checksum: 'a'.repeat(64) } } })).resolves.toBeDefined();
    });

    it('refuses a file:// image URL, naming the scheme', async () => {
      await expectDenied(create({ spec: { image: { url: 'file:///srv/images/noble.raw', checksum: 'a'.repeat(64) } } }),
        'image URL file:///srv/images/noble.raw is invalid: invalid scheme in URL, "file" not allowed');
    });

    it('refuses an image URL that is not a request URI', async () => {
      await expectDenied(create({ spec: { image: { url: 'images.lab/ubuntu.raw', checksum: 'a'.repeat(64) } } }),
        'image URL images.lab/ubuntu.raw is invalid: parse "images.lab/ubuntu.raw": invalid URI for request');
    });

    it('requires a checksum for a normal image but not for a live-iso', async () => {
      await expectDenied(create({ spec: { image: { url: 'https://images.lab/ubuntu.qcow2', format: 'qcow2' } } }), 'checksum is required for normal images');
      await expect(create({ spec: { image: { url: 'https://images.lab/rescue.iso', format: 'live-iso' } } })).resolves.toBeDefined();
    });

    it('accepts an oci:// image without a checksum and refuses one with a checksum', async () => {
      await expect(create({ spec: { image: { url: 'oci://registry.lab/os/ubuntu:24.04' } } })).resolves.toBeDefined();
      await expectDenied(create({ spec: { image: { url: 'oci://registry.lab/os/ubuntu:24.04', checksum: 'a'.repeat(64) } } }),
        'spec.image.checksum must be empty for OCI images (oci:// images have embedded checksums)');
    });

    it('refuses disablePowerOff together with online: false', async () => {
      await expectDenied(create({ spec: { online: false, disablePowerOff: true } }), "node can't simultaneously have online set to false and have power off disabled");
      await expect(create({ spec: { online: true, disablePowerOff: true } })).resolves.toBeDefined();
    });

    it('refuses an unknown BMC type', async () => {
      await expectDenied(create({ spec: { bmc: { address: 'foo://10.0.0.1', credentialsName: 'bmc' } } }),
        "Unknown BMC type 'foo' for address foo://10.0.0.1");
    });

    it('refuses a BMC host name that is neither an IP nor a DNS name', async () => {
      await expectDenied(create({ spec: { bmc: { address: 'redfish://bmc_1.lab/redfish/v1/Systems/1', credentialsName: 'bmc' } } }),
        'failed to parse BMC address information: BMC address hostname/IP : [bmc_1.lab] is invalid');
    });

    it('requires a bootMACAddress for a driver that needs one', async () => {
      await expectDenied(create({ spec: { bmc: { address: 'libvirt://10.0.0.1', credentialsName: 'bmc' }, bootMACAddress: undefined } }),
        'BMC driver libvirt requires a BootMACAddress value');
    });

    it('requires a bootMACAddress when inspection is disabled', async () => {
      await expectDenied(create({ spec: { inspectionMode: 'disabled', bootMACAddress: undefined } }), 'BMC driver redfish+http requires a BootMACAddress value');
    });

    it('refuses a bootMACAddress that is not a MAC address', async () => {
      await expectDenied(create({ spec: { bootMACAddress: '00:11:22:33:44:55:66' } }), 'address 00:11:22:33:44:55:66: invalid MAC address');
    });

    it('refuses secure boot on a driver without it', async () => {
      await expectDenied(create({ spec: { bmc: { address: 'ipmi://10.0.0.1', credentialsName: 'bmc' }, bootMode: 'UEFISecureBoot' } }),
        'BMC driver ipmi does not support secure boot');
    });

    it('refuses hardware RAID on a driver without RAID support', async () => {
      await expectDenied(create({ spec: { bmc: { address: 'ipmi://10.0.0.1', credentialsName: 'bmc' }, raid: { hardwareRAIDVolumes: [{ level: '1' }] } } }),
        'BMC driver ipmi does not support configuring RAID');
    });

    it('refuses hardware and software RAID volumes together', async () => {
      await expectDenied(create({ spec: { raid: { hardwareRAIDVolumes: [{ level: '1' }], softwareRAIDVolumes: [{ level: '1' }] } } }),
        'hardwareRAIDVolumes and softwareRAIDVolumes can not be set at the same time');
    });

    it('refuses physicalDisks without a controller', async () => {
      await expectDenied(create({ spec: { raid: { hardwareRAIDVolumes: [{ level: '1', physicalDisks: ['disk-0', 'disk-1'] }] } } }),
        "'physicalDisks' specified without 'controller' in hardware RAID volume 0");
    });

    it('refuses a numberOfPhysicalDisks that differs from the physicalDisks listed', async () => {
      const raid = { hardwareRAIDVolumes: [{ level: '1', controller: 'RAID.Integrated.1-1', numberOfPhysicalDisks: 3, physicalDisks: ['d0', 'd1'] }] };
      await expectDenied(create({ spec: { raid } }), "the 'numberOfPhysicalDisks'[3] and number of 'physicalDisks'[2] is not same for volume 0");
    });

    it('refuses two software RAID root volumes', async () => {
      const raid = { softwareRAIDVolumes: [{ level: '1', rootVolume: true }, { level: '1', rootVolume: true }] };
      await expectDenied(create({ spec: { raid } }), 'softwareRAIDVolumes[*].rootVolume can only be set once');
    });

    it('refuses a software RAID root volume together with root device hints', async () => {
      await expectDenied(create({ spec: { raid: { softwareRAIDVolumes: [{ level: '1', rootVolume: true }] }, rootDeviceHints: { deviceName: '/dev/sda' } } }),
        'softwareRAIDVolumes[*].rootVolume and rootDeviceHints can not be set at the same time');
    });

    it('refuses a software RAID root volume that is not RAID-1', async () => {
      await expectDenied(create({ spec: { raid: { softwareRAIDVolumes: [{ level: '0', rootVolume: true }] } } }),
        'softwareRAIDVolumes[0] with rootVolume set must use RAID level 1');
    });

    it('refuses the deprecated firmware field', async () => {
      await expectDenied(create({ spec: { firmware: { simultaneousMultithreadingEnabled: true } } }),
        'the Firmware field is no longer supported, use HostFirmwareSettings resource instead');
    });

    it('refuses a root device hint device name outside /dev/', async () => {
      await expectDenied(create({ spec: { rootDeviceHints: { deviceName: 'sda' } } }), 'device name of root device hint must be a /dev/ path, not "sda"');
    });

    it('refuses a root device hint device name below /dev/ other than /dev/disk/by-path/', async () => {
      await expect(create({ spec: { rootDeviceHints: { deviceName: '/dev/disk/by-path/pci-0000:00:17.0-ata-1' } } })).resolves.toBeDefined();
      await expectDenied(create({ spec: { rootDeviceHints: { deviceName: '/dev/disk/by-id/wwn-0x5000' } } }),
        'device name of root device hint must be path in /dev/ or /dev/disk/by-path/, not "/dev/disk/by-id/wwn-0x5000"');
    });

    it('refuses a user data Secret in another namespace', async () => {
      const name = nextName();
      await expectDenied(create({ spec: { userData: { name: 'worker-user-data', namespace: 'openshift-machine-api' } } }, name),
        `baremetalhosts.metal3.io "${name}" is forbidden: userData: cross-namespace Secret references are not allowed`);
    });

    it('refuses a UUID as the host name', async () => {
      await expectDenied(create({}, '3e1c2a40-5f0e-4c1d-9d5e-6a0b8f1e2c3d'), 'BareMetalHost resource name cannot be a UUID');
    });

    it('refuses a reboot annotation with an unknown mode', async () => {
      await expectDenied(create({ annotations: { 'reboot.metal3.io/maintenance': '{"mode":"warm"}' } }),
        'invalid mode in the reboot.metal3.io annotation, allowed are "hard", "soft" or ""');
    });

    it('refuses an inspect annotation other than "disabled" or empty', async () => {
      await expectDenied(create({ annotations: { 'inspect.metal3.io': 'later' } }),
        'invalid value for the inspect.metal3.io annotation, allowed are "disabled" or ""');
    });

    it('refuses a status annotation with an operationalStatus BMO does not know', async () => {
      await expectDenied(create({ annotations: { 'baremetalhost.metal3.io/status': '{"operationalStatus":"broken"}' } }),
        "invalid operationalStatus 'broken' in the baremetalhost.metal3.io/status annotation");
    });

    it('refuses hardware details while inspection is enabled', async () => {
      await expectDenied(create({ annotations: { 'inspect.metal3.io/hardwaredetails': '{"ramMebibytes":1024}' } }),
        'when hardware details are provided, inspection must be disabled (either via inspect.metal3.io annotation or inspectionMode field)');
    });

    it('refuses an inspect annotation that contradicts inspectionMode', async () => {
      await expectDenied(create({ annotations: { 'inspect.metal3.io': 'disabled' }, spec: { inspectionMode: 'agent' } }),
        'inspect.metal3.io annotation and inspectionMode field have contradicting values');
    });

    it('refuses fast inspection on a driver without out-of-band inspection', async () => {
      await expectDenied(create({ spec: { bmc: { address: 'ipmi://10.0.0.1', credentialsName: 'bmc' }, inspectionMode: 'fast' } }),
        'BMC driver ipmi does not support fast (out-of-band) inspection');
    });

    it('refuses a network interface with both name and macAddress, and duplicates', async () => {
      await expectDenied(create({ spec: { networkInterfaces: [{ name: 'eth0', macAddress: '00:11:22:33:44:55' }] } }),
        'networkInterfaces[0]: name and macAddress are mutually exclusive');
      await expectDenied(create({ spec: { networkInterfaces: [{ name: 'eth0' }, { name: 'ETH0' }] } }),
        'networkInterfaces[1]: duplicate interface selector for "ETH0"');
    });

    it('lists every broken rule at once, as a Go aggregate', async () => {
      await expectDenied(create({ spec: { online: false, disablePowerOff: true, rootDeviceHints: { deviceName: 'sda' } } }),
        '[device name of root device hint must be a /dev/ path, not "sda", node can\'t simultaneously have online set to false and have power off disabled]');
    });
  });

  describe('on update', () => {
    it('refuses online: false on a host whose power off is disabled', async () => {
      const host = await create({ spec: { disablePowerOff: true } });
      await expectDenied(patch(host.metadata.name, { spec: { online: false } }), "node can't simultaneously have online set to false and have power off disabled");
      expect((await getHost(host.metadata.name)).spec.online).toBe(true);
    });

    it('refuses a BMC address change outside registering, and allows it while registering or detached', async () => {
      const host = await create();
      await setState(host.metadata.name, 'available');
      await expectDenied(patch(host.metadata.name, { spec: { bmc: { address: 'redfish+http://10.0.0.99/redfish/v1/Systems/1' } } }),
        'BMC address can not be changed if the BMH is not in the Registering state, or if the BMH is not detached');
      await setState(host.metadata.name, 'registering');
      await expect(patch(host.metadata.name, { spec: { bmc: { address: 'redfish+http://10.0.0.98/redfish/v1/Systems/1' } } })).resolves.toBeDefined();
      await setState(host.metadata.name, 'provisioned', 'detached');
      await expect(patch(host.metadata.name, { spec: { bmc: { address: 'redfish+http://10.0.0.97/redfish/v1/Systems/1' } } })).resolves.toBeDefined();
    });

    it('refuses changing a bootMACAddress once set, ignoring case', async () => {
      const host = await create({ spec: { bootMACAddress: 'aa:bb:cc:dd:ee:01' } });
      await expect(patch(host.metadata.name, { spec: { bootMACAddress: 'AA:BB:CC:DD:EE:01' } })).resolves.toBeDefined();
      await expectDenied(patch(host.metadata.name, { spec: { bootMACAddress: 'aa:bb:cc:dd:ee:02' } }), 'bootMACAddress can not be changed once it is set');
    });

    it('allows externallyProvisioned only from available', async () => {
      const host = await create();
      await setState(host.metadata.name, 'inspecting');
      await expectDenied(patch(host.metadata.name, { spec: { externallyProvisioned: true } }),
        'externallyProvisioned can only be enabled when in Available state, currently in inspecting');
      await setState(host.metadata.name, 'available');
      await expect(patch(host.metadata.name, { spec: { externallyProvisioned: true } })).resolves.toMatchObject({ spec: { externallyProvisioned: true } });
    });

    it('leaves status writes alone: the webhook matches the main resource only', async () => {
      const host = await create();
      await setState(host.metadata.name, 'inspecting');
      await expect(getHost(host.metadata.name)).resolves.toMatchObject({ status: { provisioning: { state: 'inspecting' } } });
    });
  });

  describe('failurePolicy Fail', () => {
    it('fails host writes while the webhook cannot be reached, and stores nothing', async () => {
      const name = nextName();
      api.admission.setReachable(BMH_WEBHOOK_NAME, false);
      const err = (await create({}, name).then(() => undefined, (e: unknown) => e)) as { code?: number; body?: string };
      expect(err.code).toBe(500);
      expect(JSON.parse(err.body!).message).toMatch(/^Internal error occurred: failed calling webhook "baremetalhost\.metal3\.io": failed to call webhook: Post "https:\/\/baremetal-operator-webhook-service/);
      api.admission.setReachable(BMH_WEBHOOK_NAME, true);
      await expect(getHost(name)).rejects.toMatchObject({ code: 404 });
    });
  });

  it('counts its denials, so a run can assert that nothing was refused', async () => {
    const before = api.admission.denials()[BMH_WEBHOOK_NAME] ?? 0;
    await expectDenied(create({ spec: { rootDeviceHints: { deviceName: 'sdb' } } }), 'device name of root device hint must be a /dev/ path, not "sdb"');
    expect(api.admission.denials()[BMH_WEBHOOK_NAME]).toBe(before + 1);
  });
});
