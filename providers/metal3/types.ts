/** The parts of Metal3's BareMetalHost (`metal3.io/v1alpha1`) this provider reads and writes: its one view of a host. */
import type { V1ObjectMeta } from '@kubernetes/client-node';

export interface SecretReference {
  name: string;
  namespace?: string;
}

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
}

export interface BareMetalHostImage {
  url: string;
  checksum?: string;
  checksumType?: string;
  format?: string;
}

export interface BareMetalHostSpec {
  online: boolean;
  consumerRef?: ObjectReference;
  image?: BareMetalHostImage;
  customDeploy?: { method: string };
  userData?: SecretReference;
  networkData?: SecretReference;
  metaData?: SecretReference;
  bootMACAddress?: string;
  externallyProvisioned?: boolean;
  /** BMO reboots instead of powering off; its webhook refuses `online: false` with it. */
  disablePowerOff?: boolean;
  automatedCleaningMode?: 'metadata' | 'disabled';
  [field: string]: unknown;
}

export interface BareMetalHostNic {
  name?: string;
  mac?: string;
  ip?: string;
  pxe?: boolean;
  /** The switch port LLDP saw the NIC on. */
  lldp?: { switchID?: string; portID?: string };
}

export interface BareMetalHostStatus {
  operationalStatus?: string;
  errorType?: string;
  errorMessage?: string;
  errorCount?: number;
  poweredOn?: boolean;
  provisioning?: { state?: string; ID?: string };
  hardware?: {
    cpu?: { count?: number; arch?: string };
    ramMebibytes?: number;
    nics?: BareMetalHostNic[];
  };
  [field: string]: unknown;
}

export interface BareMetalHost {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta & { name: string };
  spec: BareMetalHostSpec;
  status?: BareMetalHostStatus;
}

/** A cluster- or namespace-scoped `management.loft.sh/v1` object with a properties map (OSImage, NodeEnvironment). */
export interface PropertiesObject {
  metadata: { name: string };
  spec?: { properties?: Record<string, string> };
}

export interface SSHKeyObject {
  metadata: { name: string };
  spec?: { publicKey?: string };
}
