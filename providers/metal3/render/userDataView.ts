import { InvalidConfigurationError } from '../../../plugin/contract.js';
import { KUBELET_DEFAULTS_PATH, kubeletExtraArgs } from './kubeletFlags.js';
import type { UserDataInput } from './types.js';

export const TENANT_CA_PATH = '/etc/vcluster/tenant-ca.crt';
export const JOIN_SCRIPT_PATH = '/usr/local/sbin/vcluster-join.sh';

/** What the join-script template sees. `joinUrl` holds the token: it is rendered into the script file only. */
export interface JoinScriptView {
  claimRef: string;
  endpoint: string;
  joinUrl: string;
  caPath: string;
}

/** What the user-data templates see (the join script arrives already rendered; none for a standalone machine). */
export interface UserDataView {
  hostname: string;
  fqdn: string;
  sshKeys: string[];
  caCertPem: string | null;
  caPath: string;
  kubeletDefaultsPath: string;
  /** Content of /etc/default/kubelet (KUBELET_EXTRA_ARGS), or null when the claim brings no flags. */
  kubeletDefaults: string | null;
  joinScriptPath: string;
  joinScript: string | null;
}

export function claimObject(input: UserDataInput): string {
  return `NodeClaim ${input.claim.namespace}/${input.claim.name}`;
}

/** Validates the join spec (errors never quote the token) and builds the join-script view. */
export function joinScriptView(input: UserDataInput & { join: NonNullable<UserDataInput['join']> }): JoinScriptView {
  const object = claimObject(input);
  const { endpoint, caCertPem, token } = input.join;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InvalidConfigurationError(object, 'join.endpoint', `${JSON.stringify(endpoint)} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new InvalidConfigurationError(object, 'join.endpoint', 'must be an https URL (the join script is fetched with TLS verified)');
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(caCertPem ?? '')) {
    throw new InvalidConfigurationError(object, 'join.caCertPem', 'is not a PEM certificate');
  }
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
    throw new InvalidConfigurationError(object, 'join.token', 'is empty or contains whitespace or control characters');
  }
  const base = endpoint.replace(/\/+$/, '');
  return { claimRef: `${input.claim.namespace}/${input.claim.name}`, endpoint: base, joinUrl: `${base}/node/join?token=${encodeURIComponent(token)}`, caPath: TENANT_CA_PATH };
}

export function userDataView(input: UserDataInput, joinScript: string | undefined): UserDataView {
  const extraArgs = kubeletExtraArgs({ object: claimObject(input), taints: input.taints, startupTaints: input.startupTaints, kubeletArgs: input.kubeletArgs });
  return {
    hostname: input.hostname,
    fqdn: input.hostname,
    sshKeys: input.sshKeys.map((k) => k.trim()).filter(Boolean),
    caCertPem: input.join ? (input.join.caCertPem.endsWith('\n') ? input.join.caCertPem : `${input.join.caCertPem}\n`) : null,
    caPath: TENANT_CA_PATH,
    kubeletDefaultsPath: KUBELET_DEFAULTS_PATH,
    kubeletDefaults: extraArgs === null ? null : `KUBELET_EXTRA_ARGS="${extraArgs}"\n`,
    joinScriptPath: JOIN_SCRIPT_PATH,
    joinScript: joinScript ?? null,
  };
}
