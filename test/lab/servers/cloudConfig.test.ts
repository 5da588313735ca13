import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { hasCloudConfigHeader, parseCloudConfig } from '../../../lab/servers/cloudConfig.js';
import { commandScript } from '../../../lab/servers/bootScript.js';
import { redact } from '../../../lab/servers/consoleLog.js';
import { parseNetworkData } from '../../../lab/servers/networkData.js';

describe('cloud-config', () => {
  it('requires the #cloud-config header on the first line', () => {
    expect(hasCloudConfigHeader('#cloud-config\nhostname: a\n')).toBe(true);
    expect(hasCloudConfigHeader('\uFEFF#cloud-config  \r\n')).toBe(true);
    expect(hasCloudConfigHeader('#!/bin/bash\necho hi\n')).toBe(false);
    expect(hasCloudConfigHeader('hostname: a\n#cloud-config\n')).toBe(false);
    expect(() => parseCloudConfig('hostname: a\n')).toThrow('first line must be "#cloud-config"');
  });

  it('parses hostname, keys, write_files encodings and commands', () => {
    const b64 = Buffer.from('secret-ish').toString('base64');
    const gz = gzipSync(Buffer.from('zipped')).toString('base64');
    const config = parseCloudConfig(`#cloud-config
hostname: node-1
ssh_authorized_keys: [ssh-ed25519 AAAA top]
users:
  - default
  - name: ops
    ssh_authorized_keys: [ssh-ed25519 BBBB ops]
write_files:
  - path: /etc/a
    content: plain
  - path: /etc/b
    encoding: b64
    content: ${b64}
    permissions: '0600'
  - path: /etc/c
    encoding: gz+b64
    content: ${gz}
    append: true
    defer: true
bootcmd: [echo boot]
runcmd:
  - echo "hi there"
  - [sh, -c, "echo it's quoted"]
`);
    expect(config.hostname).toBe('node-1');
    expect(config.authorizedKeys.get('ubuntu')).toEqual(['ssh-ed25519 AAAA top']);
    expect(config.authorizedKeys.get('ops')).toEqual(['ssh-ed25519 BBBB ops']);
    expect(config.writeFiles.map((f) => [f.path, f.content.toString(), f.mode, f.append, f.defer])).toEqual([
      ['/etc/a', 'plain', 0o644, false, false], ['/etc/b', 'secret-ish', 0o600, false, false], ['/etc/c', 'zipped', 0o644, true, true],
    ]);
    expect(commandScript(config.runcmd)).toBe(`#!/bin/bash\necho "hi there"\n'sh' '-c' 'echo it'\\''s quoted'\n`);
    expect(config.bootcmd).toEqual(['echo boot']);
  });

  it('names the bad field', () => {
    expect(() => parseCloudConfig('#cloud-config\nwrite_files:\n  - content: x\n')).toThrow('write_files[0].path: must be an absolute path');
    expect(() => parseCloudConfig('#cloud-config\nwrite_files:\n  - path: /a\n    permissions: rw\n')).toThrow('write_files[0].permissions');
    expect(() => parseCloudConfig('#cloud-config\nwrite_files:\n  - path: /a\n    encoding: rot13\n')).toThrow('write_files[0].encoding: unsupported encoding "rot13"');
    expect(() => parseCloudConfig('#cloud-config\nruncmd: echo\n')).toThrow('runcmd: must be a list');
    expect(() => parseCloudConfig('#cloud-config\nruncmd: [{a: 1}]\n')).toThrow('runcmd[0]');
    expect(() => parseCloudConfig('#cloud-config\nhostname: "bad name"\n')).toThrow('hostname');
    expect(() => parseCloudConfig('#cloud-config\n: : :\n  - [\n')).toThrow('not valid YAML');
  });
});

describe('network data', () => {
  it('reads OpenStack network_data.json', () => {
    const settings = parseNetworkData(JSON.stringify({
      links: [{ id: 'eth0', type: 'phy' }],
      networks: [{ id: 'n', type: 'ipv4', link: 'eth0', ip_address: '10.1.2.3', netmask: '255.255.252.0',
        routes: [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.1.0.1' }] }],
      services: [{ type: 'dns', address: '8.8.8.8' }],
    }));
    expect(settings).toEqual({ format: 'openstack', interface: 'eth0', address: '10.1.2.3/22', gateway: '10.1.0.1', dns: ['8.8.8.8'], warnings: [] });
  });

  it('reads netplan v2 and warns about what is missing', () => {
    const settings = parseNetworkData('network:\n  version: 2\n  ethernets:\n    enp1s0:\n      addresses: [192.168.1.5/24]\n      routes: [{to: default, via: 192.168.1.1}]\n');
    expect(settings).toMatchObject({ format: 'netplan', interface: 'enp1s0', address: '192.168.1.5/24', gateway: '192.168.1.1', dns: [] });
    expect(settings.warnings).toEqual(['no DNS servers']);
    expect(parseNetworkData('version: 2\nethernets: {}\n').warnings).toEqual(['no static IPv4 address', 'no default gateway', 'no DNS servers']);
    expect(() => parseNetworkData('hello: world\n')).toThrow('expected OpenStack');
  });
});

describe('console redaction', () => {
  it('masks join tokens in every shape', () => {
    const token = 'abcdef.0123456789abcdef';
    const text = redact(`curl https://x/node/join?token=${token} && kubeadm join x --token ${token}\nplain ${token}\nurl-encoded token=abcdef%2E0123456789abcdef`);
    expect(text).not.toContain(token);
    expect(text).not.toContain('0123456789abcdef');
    expect(text).toContain('token=[REDACTED]');
    expect(redact('nothing secret here')).toBe('nothing secret here');
  });
});
