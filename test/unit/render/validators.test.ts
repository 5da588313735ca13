import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { TemplateRenderer } from '../../../providers/metal3/render/index.js';
import { cloudInitSchema, netplanGenerate, requireTool, shellcheck } from '../../support/externalTools.js';
import { networkDataInput, userDataInput, USER_CLOUD_CONFIG, JOIN } from './fixtures.js';
import { REPO_ROOT } from '../../platform/host/helpers.js';

/** Rendered output (and CI's own script) checked by the real tools cloud-init, shellcheck and netplan (CI installs them). */
describe('rendered data passes the real validators', () => {
  let dir: string;
  let renderer: TemplateRenderer;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'metal3-render-'));
    renderer = new TemplateRenderer();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const userDataCases = {
    minimal: userDataInput({ sshKeys: [], taints: undefined }),
    full: userDataInput(),
    'with user cloud-config': userDataInput({ userCloudConfig: USER_CLOUD_CONFIG, userCloudConfigOrigin: 'NodeProvider metal3-provider' }),
    'odd values': userDataInput({
      hostname: 'weird: "host"\n- injected',
      taints: [{ key: 'a/b', value: 'x.y-z', effect: 'NoSchedule' }, { key: 'yes', value: 'on', effect: 'NoSchedule' }],
      kubeletArgs: { 'eviction-hard': 'memory.available<500Mi;x|y&z#:w' },
      sshKeys: ["ssh-rsa AAAA' $(reboot) key"],
      join: { ...JOIN, endpoint: "https://tenant.example:8443/base'path/", token: "abcdef.0123'$(id)\"x" },
    }),
  };

  it.each(Object.entries(userDataCases))('user data (%s) passes cloud-init schema', (name, input) => {
    const result = cloudInitSchema(dir, `${name.replace(/\W+/g, '-')}.yaml`, renderer.renderUserData(input));
    expect(result.output).toMatch(/Valid cloud-config/);
    expect(result.status).toBe(0);
  });
  it.each(Object.entries({ 'standalone machine': userDataInput({ join: undefined }) }))('user data (%s) passes cloud-init schema', (name, input) => {
    const result = cloudInitSchema(dir, `${name.replace(/\W+/g, '-')}.yaml`, renderer.renderUserData(input));
    expect(result.output).toMatch(/Valid cloud-config/);
    expect(result.status).toBe(0);
  });

  it.each(Object.entries(userDataCases))('join script and runcmd strings (%s) pass shellcheck', (_name, input) => {
    const doc = parse(renderer.renderUserData(input)) as { write_files: { path: string; content: string }[]; runcmd: unknown[] };
    const script = doc.write_files.find((f) => f.path === '/usr/local/sbin/vcluster-join.sh')!.content;
    const checked = shellcheck(script);
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
    for (const command of doc.runcmd) {
      const line = typeof command === 'string' ? command : (command as string[]).join(' ');
      const result = shellcheck(`#!/bin/bash\n${line}\n`);
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    }
  });

  it('CI’s own script, .ci/run, passes shellcheck', () => {
    const checked = shellcheck(readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf8'));
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
  });

  it.each([
    ['static', networkDataInput()],
    ['dhcp', networkDataInput({ ip: undefined })],
    ['boot MAC only', networkDataInput({ nics: undefined })],
    ['no dns', networkDataInput({ ip: { address: '192.168.1.20', prefixLength: 23, gateway: '192.168.0.1', dns: [] } })],
  ])('the netplan form of network data (%s) passes netplan generate', (name, input) => {
    const result = netplanGenerate(dir, name.replace(/\W+/g, '-'), renderer.renderNetplan(input));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('a missing validator fails the test with the package to install', () => {
    expect(() => requireTool('no-such-validator-xyz', 'netplan.io')).toThrow(/no-such-validator-xyz is not installed; install package netplan.io/);
  });

  it('the validators can fail: a broken document is refused by each tool', () => {
    expect(cloudInitSchema(dir, 'bad.yaml', '#cloud-config\nruncmd: echo not-a-list\n').status).not.toBe(0);
    expect(shellcheck('#!/bin/bash\necho $1\n').status).not.toBe(0);
    expect(netplanGenerate(dir, 'bad', 'network:\n  version: 2\n  ethernets:\n    eno1:\n      dhcp4: maybe\n').status).not.toBe(0);
  });
});
