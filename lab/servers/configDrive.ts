/**
 * The config drive Ironic writes for a Metal3 host, laid out as cloud-init's ConfigDrive datasource
 * reads it from its seed folder: `openstack/latest/{user_data, meta_data.json, network_data.json}`.
 * user_data and network_data.json are the host's Secrets verbatim (`userData`, `networkData` keys);
 * meta_data.json carries the node's identity as Ironic does (uuid, name, hostname, public_keys).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where cloud-init's ConfigDrive datasource looks for a seeded drive, inside the server. */
export const CONFIG_DRIVE_SEED = '/var/lib/cloud/seed/config_drive';

export interface ConfigDriveContent {
  uuid: string;
  hostname: string;
  userData?: string;
  networkData?: string;
}

export function metaData(content: Pick<ConfigDriveContent, 'uuid' | 'hostname'>): Record<string, unknown> {
  return {
    uuid: content.uuid,
    name: content.hostname,
    hostname: content.hostname,
    launch_index: 0,
    availability_zone: '',
    files: [],
    meta: {},
    public_keys: {},
  };
}

/** Writes the drive into `seedDir` (the server path CONFIG_DRIVE_SEED on the host), replacing any old one. */
export async function writeConfigDrive(seedDir: string, content: ConfigDriveContent): Promise<void> {
  await rm(seedDir, { recursive: true, force: true });
  const latest = join(seedDir, 'openstack', 'latest');
  await mkdir(latest, { recursive: true, mode: 0o700 });
  await writeFile(join(latest, 'meta_data.json'), `${JSON.stringify(metaData(content), null, 2)}\n`, { mode: 0o600 });
  if (content.userData !== undefined) await writeFile(join(latest, 'user_data'), content.userData, { mode: 0o600 });
  if (content.networkData !== undefined) await writeFile(join(latest, 'network_data.json'), content.networkData, { mode: 0o600 });
}
