/**
 * TypeScript shapes of the metal3.io/v1alpha1 objects the simulator reads and writes, with the json field names
 * of baremetal-operator's baremetalhost_types.go / hardwaredata_types.go. Only what the lab uses is typed.
 */

export const METAL3_GROUP = 'metal3.io';
export const METAL3_VERSION = 'v1alpha1';
export const BMH_PLURAL = 'baremetalhosts';
export const HARDWARE_DATA_PLURAL = 'hardwaredata';
export const BMH_FINALIZER = 'baremetalhost.metal3.io';

/** BMO's ProvisioningState spellings, all 14 of them (metal3-anchors.md §1.4). There is no "error" state. */
export const ProvisioningState = {
  None: '',
  Unmanaged: 'unmanaged',
  Registering: 'registering',
  Inspecting: 'inspecting',
  /** Legacy: BMO moves a host found in it straight on to `preparing`. */
  MatchProfile: 'match profile',
  Preparing: 'preparing',
  Available: 'available',
  Ready: 'ready',
  Provisioning: 'provisioning',
  Provisioned: 'provisioned',
  ExternallyProvisioned: 'externally provisioned',
  Deprovisioning: 'deprovisioning',
  PoweringOffBeforeDelete: 'powering off before delete',
  Deleting: 'deleting',
} as const;
export type ProvisioningStateName = (typeof ProvisioningState)[keyof typeof ProvisioningState];

export type OperationalStatus = '' | 'OK' | 'discovered' | 'error' | 'delayed' | 'detached' | 'servicing';

export type ErrorType =
  | 'provisioned registration error'
  | 'registration error'
  | 'inspection error'
  | 'preparation error'
  | 'provisioning error'
  | 'power management error'
  | 'servicing error'
  | 'detach error';

export interface SecretReference { name?: string; namespace?: string }

export interface BmhImage {
  url: string;
  checksum?: string;
  checksumType?: string;
  format?: string;
}

export interface RootDeviceHints {
  deviceName?: string; hctl?: string; model?: string; vendor?: string; serialNumber?: string;
  minSizeGigabytes?: number; wwn?: string; wwnWithExtension?: string; wwnVendorExtension?: string;
  rotational?: boolean;
}

export interface Nic {
  name: string; model?: string; mac: string; ip?: string; speedGbps?: number; vlanId?: number; pxe?: boolean;
  lldp?: { switchID?: string; portID?: string; switchSystemName?: string };
  pciAddress?: string;
}

export interface Storage {
  name: string; alternateNames?: string[]; rotational?: boolean; type?: 'HDD' | 'SSD' | 'NVME';
  sizeBytes: number; vendor?: string; model?: string; serialNumber?: string; wwn?: string; hctl?: string;
}

export interface HardwareDetails {
  systemVendor: { manufacturer: string; productName: string; serialNumber: string };
  firmware: { bios: { date: string; vendor: string; version: string } };
  ramMebibytes: number;
  nics: Nic[];
  storage: Storage[];
  cpu: { arch: string; model: string; clockMegahertz: number; flags: string[]; count: number };
  hostname: string;
}

export interface OperationWindow { start?: string | null; end?: string | null }

export interface Metav1Condition {
  type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string;
  lastTransitionTime: string; observedGeneration?: number;
}

export interface BareMetalHostSpec {
  online: boolean;
  bmc?: { address: string; credentialsName: string; disableCertificateVerification?: boolean };
  bootMACAddress?: string;
  bootMode?: string;
  consumerRef?: { apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string };
  image?: BmhImage;
  customDeploy?: { method: string };
  userData?: SecretReference;
  networkData?: SecretReference;
  metaData?: SecretReference;
  automatedCleaningMode?: 'metadata' | 'disabled';
  rootDeviceHints?: RootDeviceHints;
  externallyProvisioned?: boolean;
  inspectionMode?: 'disabled' | 'agent' | 'fast';
  architecture?: string;
  description?: string;
  disablePowerOff?: boolean;
  hardwareProfile?: string;
  raid?: RaidConfig;
  /** Deprecated: BMO's webhook refuses it (HostFirmwareSettings replaced it). */
  firmware?: Record<string, unknown>;
  networkInterfaces?: { name?: string; macAddress?: string }[];
}

export interface RaidConfig {
  hardwareRAIDVolumes?: { level?: string; controller?: string; physicalDisks?: string[]; numberOfPhysicalDisks?: number }[] | null;
  softwareRAIDVolumes?: { level?: string; rootVolume?: boolean }[] | null;
}

export interface BareMetalHostStatus {
  operationalStatus: OperationalStatus;
  errorType?: ErrorType;
  errorMessage: string;
  errorCount: number;
  provisioningFailCount?: number;
  lastAttemptedImage?: BmhImage;
  poweredOn: boolean;
  lastUpdated?: string;
  provisioning: {
    state: string; ID: string; image?: BmhImage; rootDeviceHints?: RootDeviceHints; bootMode?: string;
    customDeploy?: { method: string };
  };
  hardware?: HardwareDetails;
  goodCredentials?: { credentials?: SecretReference; credentialsVersion?: string };
  operationHistory?: Partial<Record<'register' | 'inspect' | 'provision' | 'deprovision', OperationWindow>>;
  conditions?: Metav1Condition[];
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string | Date;
  creationTimestamp?: string | Date;
}

export interface BareMetalHost {
  apiVersion: 'metal3.io/v1alpha1';
  kind: 'BareMetalHost';
  metadata: ObjectMeta;
  spec: BareMetalHostSpec;
  status?: BareMetalHostStatus;
}
