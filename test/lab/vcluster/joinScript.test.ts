import { describe, expect, it } from '@jest/globals';
import { renderJoinScript } from '../../../lab/vcluster/joinScript.js';
import { CONTAINERD_STANDIN, KUBEADM_STANDIN, KUBELET_STANDIN } from '../../../lab/vcluster/standins.js';
import { createPki } from '../../../lab/pki.js';
import { shellcheck } from '../../support/externalTools.js';

describe('join script', () => {
  it('passes shellcheck, as do the stand-ins it installs', async () => {
    const pki = await createPki('shellcheck');
    const script = renderJoinScript({
      tenantName: 't1', endpoint: 'https://127.0.0.1:4443', caCertPem: pki.caCertPem, caCertHash: pki.caCertHash,
      token: 'abcdef.0123456789abcdef',
    });
    expect(script).toContain('Preparing node…');
    expect(script).toContain('--discovery-token-ca-cert-hash');
    for (const text of [script, CONTAINERD_STANDIN, KUBELET_STANDIN, KUBEADM_STANDIN]) {
      expect(shellcheck(text)).toEqual({ status: 0, output: '' });
    }
  });

  it('quotes values so a hostile token cannot break out', () => {
    const script = renderJoinScript({
      tenantName: 't1', endpoint: 'https://127.0.0.1:4443', caCertPem: 'x', caCertHash: 'sha256:00', token: "a'; rm -rf / #",
    });
    expect(script).toContain(`JOIN_TOKEN='a'\\''; rm -rf / #'`);
  });
});
