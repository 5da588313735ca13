import type { JoinSpec } from '../../../plugin/contract.js';

export interface UserDataInput {
  hostname: string;
  claim: { name: string; namespace: string; uid: string; vCluster?: string };
  /** Undefined for a standalone machine: no join script, no tenant CA. */
  join?: JoinSpec;
  sshKeys: string[];
  /** `vcluster.com/user-data`: a `#cloud-config` document merged with the generated one. */
  userCloudConfig?: string;
  /** The object that set `vcluster.com/user-data`, for errors (e.g. `NodeProvider metal3-provider`). */
  userCloudConfigOrigin?: string;
  taints?: { key: string; value?: string; effect: string }[];
  /** Registered with the Node like taints; the host removes them once the Node is Ready. */
  startupTaints?: { key: string; value?: string; effect: string }[];
  /** Extra kubelet flags, `name` without the leading `--`. */
  kubeletArgs?: Record<string, string>;
}

export interface NetworkDataInput {
  hostname: string;
  /** The host the data is for, for errors, e.g. `BareMetalHost metal3/server-01`. */
  hostRef?: string;
  bootMac?: string;
  nics?: { name: string; mac: string; mtu?: number }[];
  ip?: { address: string; prefixLength: number; gateway: string; dns: string[] };
  /** `metal3.vcluster.com/network-data`: used verbatim (after validation) when given. */
  custom?: string;
  customOrigin?: string;
}
