import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { TemplateRenderer } from '../../../providers/metal3/render/index.js';
import { TOKEN, userDataInput, USER_CLOUD_CONFIG, JOIN } from './fixtures.js';
import { expectRejectsWith } from '../../support/expectations.js';

const renderer = new TemplateRenderer();
const JOIN_SCRIPT = '/usr/local/sbin/vcluster-join.sh';

interface WriteFile { path: string; content: string; permissions?: string; owner?: string }
interface Doc { hostname: string; fqdn: string; ssh_authorized_keys?: string[]; write_files: WriteFile[]; runcmd: unknown[]; packages?: string[]; [k: string]: unknown }

function render(overrides: Parameters<typeof userDataInput>[0] = {}): { text: string; doc: Doc } {
  const text = renderer.renderUserData(userDataInput(overrides));
  return { text, doc: parse(text, { version: '1.1' }) as Doc };
}
const file = (doc: Doc, p: string) => doc.write_files.find((f) => f.path === p);

describe('renderUserData', () => {
  it('renders a #cloud-config with hostname, keys, tenant CA, taints, join script and runcmd (labels are the host’s to set on the Node)', () => {
    const { text, doc } = render();
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(doc.hostname).toBe('server-01');
    expect(doc.fqdn).toBe('server-01');
    expect(doc.ssh_authorized_keys).toEqual(['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGc2bA0mO4ZpZz operator@example']);
    expect(file(doc, '/etc/vcluster/tenant-ca.crt')?.content).toContain('-----BEGIN CERTIFICATE-----');
    expect(file(doc, '/etc/vcluster/node-labels')).toBeUndefined();
    expect(file(doc, '/etc/vcluster/node-taints')).toBeUndefined();
    expect(file(doc, '/etc/default/kubelet')?.content).toBe('KUBELET_EXTRA_ARGS="--register-with-taints=nvidia.com/gpu=present:NoSchedule"\n');
    expect(file(doc, JOIN_SCRIPT)).toMatchObject({ permissions: '0700', owner: 'root:root' });
    expect(doc.runcmd).toEqual([JOIN_SCRIPT]);
  });

  it('downloads the join script with verified TLS and the exact curl options', () => {
    const script = file(render().doc, JOIN_SCRIPT)!.content;
    expect(script).toContain(
      'curl --fail --silent --show-error --location --cacert "$ca" --retry 10 --retry-delay 5 --retry-all-errors --connect-timeout 10 --output "$script" "$join_url"',
    );
    expect(script).toContain("ca='/etc/vcluster/tenant-ca.crt'");
    expect(script).toContain(`join_url='https://10.0.0.5:8443/node/join?token=${TOKEN}'`);
    expect(script).toContain('[ ! -s "$script" ]');
    expect(script).toContain('bash "$script"');
  });

  it('never disables TLS verification', () => {
    for (const input of [{}, { userCloudConfig: USER_CLOUD_CONFIG }]) {
      const { text } = render(input);
      expect(text).not.toMatch(/-k |--insecure|-fsSLk/);
    }
  });

  it('gives a standalone machine (no tenant cluster) its host name and keys, and no join script, tenant CA or join command', () => {
    const { text, doc } = render({ join: undefined });
    expect(doc.hostname).toBe('server-01');
    expect(doc.ssh_authorized_keys).toHaveLength(1);
    expect(doc.write_files).toBeUndefined();
    expect(doc.runcmd).toBeUndefined();
    expect(text).not.toContain('vcluster-join');
    expect(text).not.toContain('BEGIN CERTIFICATE');
  });

  it('puts the token in exactly one place, the join script file, and URL-escapes it', () => {
    const { text, doc } = render();
    expect(text.split(TOKEN).length - 1).toBe(1);
    expect(file(doc, JOIN_SCRIPT)!.content).toContain(TOKEN);
    expect(JSON.stringify(doc.runcmd)).not.toContain(TOKEN);
    const odd = render({ join: { ...JOIN, token: 'abc+/=&?#.secret' } });
    expect(file(odd.doc, JOIN_SCRIPT)!.content).toContain('token=abc%2B%2F%3D%26%3F%23.secret');
    expect(odd.text.split('abc%2B%2F%3D%26%3F%23.secret').length - 1).toBe(1);
  });

  it('merges the user cloud-config: user scalars win except hostname, lists concatenate, user runcmd first', () => {
    const { doc } = render({ userCloudConfig: USER_CLOUD_CONFIG, userCloudConfigOrigin: 'NodeProvider metal3-provider' });
    expect(doc.hostname).toBe('server-01');
    expect(doc.package_update).toBe(true);
    expect(doc.packages).toEqual(['jq']);
    expect(doc.write_files.map((f) => f.path)).toEqual([
      '/etc/motd', '/etc/vcluster/tenant-ca.crt', '/etc/default/kubelet', JOIN_SCRIPT,
    ]);
    expect(doc.runcmd).toEqual(['echo user-first', JOIN_SCRIPT]);
  });

  it('concatenates ssh_authorized_keys and bootcmd, user entries first', () => {
    const user = '#cloud-config\nssh_authorized_keys: [ssh-ed25519 USERKEY user]\nbootcmd: [echo boot]\n';
    const { doc } = render({ userCloudConfig: user });
    expect(doc.ssh_authorized_keys).toEqual(['ssh-ed25519 USERKEY user', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGc2bA0mO4ZpZz operator@example']);
    expect(doc.bootcmd).toEqual(['echo boot']);
  });

  it('treats an empty user cloud-config (header only) as nothing to merge', () => {
    expect(render({ userCloudConfig: '#cloud-config\n' }).doc.runcmd).toEqual([JOIN_SCRIPT]);
  });

  it.each([
    ['no header', 'runcmd: [ls]\n', /must start with a "#cloud-config" line/],
    ['shell script', '#!/bin/sh\necho hi\n', /must start with a "#cloud-config" line/],
    ['invalid YAML', '#cloud-config\nruncmd: [ls\n', /is not valid YAML \(line \d+, column \d+: /],
    ['duplicate keys', '#cloud-config\na: 1\na: 2\n', /is not valid YAML/],
    ['a list', '#cloud-config\n- a\n- b\n', /must be a YAML map of cloud-config keys, not a list/],
    ['a scalar', '#cloud-config\nhello\n', /must be a YAML map of cloud-config keys, not string/],
    ['runcmd not a list', '#cloud-config\nruncmd: reboot\n', /key "runcmd" must be a list/],
    ['write_files not a list', '#cloud-config\nwrite_files: {path: /x}\n', /key "write_files" must be a list/],
    ['an alias before its anchor', '#cloud-config\nruncmd: [*hunter2]\nb: &hunter2 x\n', /is not valid YAML \(an alias names no anchor set before it, or a merge key "<<" names no map\)/],
    ['a merge key on a list', '#cloud-config\nusers:\n  <<: [a, b]\n', /is not valid YAML \(an alias names no anchor/],
  ])('rejects user data: %s, naming the property and its origin', async (_name, userCloudConfig, message) => {
    const err = await expectRejectsWith(() => renderer.renderUserData(userDataInput({ userCloudConfig, userCloudConfigOrigin: 'NodeType gpu' })), 'InvalidConfiguration', { object: 'NodeType gpu', field: 'spec.properties["vcluster.com/user-data"]' });
    expect(err.message).toMatch(message);
  });

  it('does not quote user data content in its errors', async () => {
    const err = await expectRejectsWith(() => renderer.renderUserData(userDataInput({ userCloudConfig: '#cloud-config\npassword: "hunter2\nruncmd: [\n' })), 'InvalidConfiguration');
    expect(err.message).not.toContain('hunter2');
    const alias = await expectRejectsWith(() => renderer.renderUserData(userDataInput({ userCloudConfig: '#cloud-config\nruncmd: [*hunter2]\n' })), 'InvalidConfiguration');
    expect(alias.message).not.toContain('hunter2');
  });

  it('writes taints, startupTaints and kubeletArgs to /etc/default/kubelet, so the kubelet registers with them', () => {
    const { doc } = render({
      startupTaints: [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }],
      kubeletArgs: { 'max-pods': '50', 'eviction-hard': 'memory.available<500Mi' },
    });
    expect(file(doc, '/etc/default/kubelet')).toMatchObject({ permissions: '0644', owner: 'root:root' });
    expect(file(doc, '/etc/default/kubelet')?.content).toBe('KUBELET_EXTRA_ARGS="--register-with-taints=nvidia.com/gpu=present:NoSchedule,'
      + 'node.cilium.io/agent-not-ready:NoExecute --eviction-hard=memory.available<500Mi --max-pods=50"\n');
  });

  it('writes no /etc/default/kubelet for a claim without taints or kubelet flags', () => {
    expect(file(render({ taints: [] }).doc, '/etc/default/kubelet')).toBeUndefined();
  });

  it.each([
    ['spec.kubeletArgs["max pods"]', { kubeletArgs: { 'max pods': '5' } }, /is not a kubelet flag name/],
    ['spec.kubeletArgs["--max-pods"]', { kubeletArgs: { '--max-pods': '5' } }, /is not a kubelet flag name/],
    ['spec.kubeletArgs["register-with-taints"]', { kubeletArgs: { 'register-with-taints': 'a:NoSchedule' } }, /set spec.taints or spec.startupTaints instead/],
    ['spec.kubeletArgs["max-pods"]', { kubeletArgs: { 'max-pods': '5 --anonymous-auth=true' } }, /without whitespace/],
    ['spec.kubeletArgs["node-ip"]', { kubeletArgs: { 'node-ip': '"$(reboot)"' } }, /without whitespace, quotes/],
    ['spec.taints[0].value', { taints: [{ key: 'a', value: "'; reboot; '", effect: 'NoSchedule' }] }, /is not a valid taint value/],
    ['spec.startupTaints[1].key', { startupTaints: [{ key: 'ok', effect: 'NoSchedule' }, { key: 'k\nbootcmd: [reboot]', effect: 'NoSchedule' }] }, /is not a valid taint key/],
    ['spec.startupTaints[0].effect', { startupTaints: [{ key: 'ok', effect: 'Sometimes' }] }, /must be one of NoSchedule, PreferNoSchedule, NoExecute/],
  ])('refuses %s, naming the claim and the field', async (field, overrides, message) => {
    const err = await expectRejectsWith(() => renderer.renderUserData(userDataInput(overrides)), 'InvalidConfiguration', { object: 'NodeClaim p-a/claim-1', field });
    expect(err.message).toMatch(message);
  });

  it('escapes odd hostnames and keys: they stay values and add no keys', () => {
    const hostname = 'evil\nruncmd: [reboot]\n#';
    const { doc } = render({
      hostname,
      sshKeys: ['key"], runcmd: ["reboot'],
    });
    expect(doc.hostname).toBe(hostname);
    expect(doc.runcmd).toEqual([JOIN_SCRIPT]);
    expect(doc.bootcmd).toBeUndefined();
    expect(Object.keys(doc).sort()).toEqual(['fqdn', 'hostname', 'runcmd', 'ssh_authorized_keys', 'write_files']);
    expect(doc.ssh_authorized_keys).toEqual(['key"], runcmd: ["reboot']);
  });

  it('keeps YAML-1.1-special strings as strings (cloud-init reads YAML 1.1)', () => {
    const { text } = render({ hostname: 'yes', taints: [{ key: 'on', value: 'off', effect: 'NoSchedule' }] });
    const doc = parse(text, { version: '1.1' }) as Doc;
    expect(doc.hostname).toBe('yes');
  });

  it.each([
    ['join.endpoint', { endpoint: 'http://10.0.0.5:8443' }, /must be an https URL/],
    ['join.endpoint', { endpoint: 'not a url' }, /is not a URL/],
    ['join.caCertPem', { caCertPem: 'garbage' }, /is not a PEM certificate/],
    ['join.token', { token: '' }, /is empty or contains whitespace/],
    ['join.token', { token: 'abc def.secret-value' }, /is empty or contains whitespace/],
  ])('rejects a bad %s', async (field, join, message) => {
    const err = await expectRejectsWith(() => renderer.renderUserData(userDataInput({ join: { ...JOIN, ...join } })), 'InvalidConfiguration', { object: 'NodeClaim p-a/claim-1', field });
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('secret-value');
  });

  it('refuses output over the size limit, naming the user-data property when the user made it big', async () => {
    const small = new TemplateRenderer({ maxUserDataBytes: 4096 });
    expect(() => small.renderUserData(userDataInput())).not.toThrow();
    const big = `#cloud-config\nwrite_files:\n  - path: /big\n    content: "${'x'.repeat(5000)}"\n`;
    const err = await expectRejectsWith(() => small.renderUserData(userDataInput({ userCloudConfig: big, userCloudConfigOrigin: 'NodeClaim p-a/claim-1' })), 'InvalidConfiguration', { field: 'spec.properties["vcluster.com/user-data"]' });
    expect(err.message).toMatch(/rendered user data is \d+ bytes, over the 4096-byte limit/);
  });

  it('renders a representative document (snapshot)', () => {
    expect(render({ userCloudConfig: USER_CLOUD_CONFIG }).text).toMatchSnapshot();
  });
});
