import { describe, expect, it } from '@jest/globals';
import { SHIMS } from '../../../lab/servers/shims.js';
import { shellcheck } from '../../support/externalTools.js';

/** Each distinct script a simulated server finds first on its PATH (several commands share the no-op one). */
const scripts = [...new Map(Object.entries(SHIMS).map(([name, script]) => [script, name])).entries()].map(([script, name]) => [name, script]);

describe('the lab servers’ command shims', () => {
  it('cover systemctl, hostnamectl and the commands that would change the machine running the lab', () => {
    expect(Object.keys(SHIMS)).toEqual(expect.arrayContaining(['systemctl', 'hostnamectl', 'apt-get', 'modprobe', 'reboot']));
  });

  it.each(scripts)('%s passes shellcheck', (_name, script) => {
    expect(shellcheck(script)).toEqual({ status: 0, output: '' });
  });
});
