/**
 * The subset of cloud-init's `#cloud-config` a simulated server honours: hostname, users' and the
 * default user's ssh_authorized_keys, write_files, bootcmd and runcmd. Parsing is pure; problems
 * name the field, like cloud-init's schema check.
 */
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';

export type Command = string | string[];

export interface WriteFile {
  path: string;
  content: Buffer;
  /** Octal mode, e.g. 0o644. */
  mode: number;
  append: boolean;
  defer: boolean;
}

export interface CloudConfig {
  hostname?: string;
  /** user name → authorized keys; the default user of the image is `ubuntu`. */
  authorizedKeys: Map<string, string[]>;
  writeFiles: WriteFile[];
  bootcmd: Command[];
  runcmd: Command[];
}

export class CloudConfigError extends Error {}

export const DEFAULT_USER = 'ubuntu';

function fail(field: string, problem: string): never {
  throw new CloudConfigError(`user data: ${field}: ${problem}`);
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(field, 'must be a list of strings');
  return value as string[];
}

function commands(value: unknown, field: string): Command[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(field, 'must be a list');
  return value.map((entry, i) => {
    if (typeof entry === 'string') return entry;
    if (Array.isArray(entry) && entry.length > 0 && entry.every((a) => typeof a === 'string' || typeof a === 'number')) {
      return entry.map(String);
    }
    return fail(`${field}[${i}]`, 'must be a string or a non-empty list of strings');
  });
}

function decode(content: string, encoding: string, field: string): Buffer {
  switch (encoding.toLowerCase()) {
    case '': case 'text/plain': return Buffer.from(content, 'utf8');
    case 'b64': case 'base64': return Buffer.from(content, 'base64');
    case 'gz': case 'gzip': return gunzipSync(Buffer.from(content, 'binary'));
    case 'gz+base64': case 'gzip+base64': case 'gz+b64': case 'gzip+b64': return gunzipSync(Buffer.from(content, 'base64'));
    default: return fail(field, `unsupported encoding "${encoding}"`);
  }
}

function writeFiles(value: unknown): WriteFile[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail('write_files', 'must be a list');
  return value.map((raw, i) => {
    const field = `write_files[${i}]`;
    if (typeof raw !== 'object' || raw === null) fail(field, 'must be a mapping');
    const entry = raw as Record<string, unknown>;
    if (typeof entry.path !== 'string' || !entry.path.startsWith('/')) fail(`${field}.path`, 'must be an absolute path');
    if (entry.path.split('/').includes('..')) fail(`${field}.path`, 'must not contain ".."');
    const permissions = entry.permissions === undefined ? '0644' : String(entry.permissions);
    if (!/^0?[0-7]{3,4}$/.test(permissions)) fail(`${field}.permissions`, `"${permissions}" is not an octal mode string`);
    const content = entry.content === undefined || entry.content === null ? '' : entry.content;
    if (typeof content !== 'string') fail(`${field}.content`, 'must be a string');
    return {
      path: entry.path,
      content: decode(content, typeof entry.encoding === 'string' ? entry.encoding : '', `${field}.encoding`),
      mode: parseInt(permissions, 8),
      append: entry.append === true,
      defer: entry.defer === true,
    };
  });
}

function authorizedKeys(doc: Record<string, unknown>): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  const add = (user: string, list: string[]) => {
    if (list.length) keys.set(user, [...(keys.get(user) ?? []), ...list]);
  };
  add(DEFAULT_USER, stringList(doc.ssh_authorized_keys, 'ssh_authorized_keys'));
  const users = doc.users ?? [];
  if (!Array.isArray(users)) fail('users', 'must be a list');
  users.forEach((user, i) => {
    if (user === 'default') return;
    if (typeof user !== 'object' || user === null) fail(`users[${i}]`, 'must be "default" or a mapping');
    const { name, ssh_authorized_keys } = user as Record<string, unknown>;
    if (typeof name !== 'string' || !/^[a-z_][a-z0-9_-]*$/.test(name)) fail(`users[${i}].name`, 'must be a valid user name');
    add(name, stringList(ssh_authorized_keys, `users[${i}].ssh_authorized_keys`));
  });
  return keys;
}

/** True when the user data carries cloud-init's `#cloud-config` header on its first line. */
export function hasCloudConfigHeader(userData: string): boolean {
  return userData.replace(/^\uFEFF/, '').split('\n', 1)[0].trimEnd() === '#cloud-config';
}

export function parseCloudConfig(userData: string): CloudConfig {
  if (!hasCloudConfigHeader(userData)) throw new CloudConfigError('user data: first line must be "#cloud-config"');
  let doc: unknown;
  try {
    doc = parse(userData) ?? {};
  } catch (err) {
    throw new CloudConfigError(`user data: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new CloudConfigError('user data: must be a YAML mapping');
  const fields = doc as Record<string, unknown>;
  const hostname = fields.hostname ?? fields.fqdn;
  if (hostname !== undefined && (typeof hostname !== 'string' || !/^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/.test(hostname))) {
    fail('hostname', 'must be a valid host name');
  }
  return {
    hostname: hostname as string | undefined,
    authorizedKeys: authorizedKeys(fields),
    writeFiles: writeFiles(fields.write_files),
    bootcmd: commands(fields.bootcmd, 'bootcmd'),
    runcmd: commands(fields.runcmd, 'runcmd'),
  };
}
