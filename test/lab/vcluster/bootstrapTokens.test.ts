import { describe, expect, it } from '@jest/globals';
import {
  buildTokenSecret, generateToken, parseToken, secretValues, TOKEN_SECRET_TYPE, verifyToken,
} from '../../../lab/vcluster/bootstrapTokens.js';

describe('bootstrap tokens', () => {
  it('generates kubeadm-shaped tokens', () => {
    for (let i = 0; i < 50; i++) {
      const t = generateToken();
      expect(t.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      expect(parseToken(t.token)).toEqual({ id: t.id, secret: t.secret });
    }
  });

  it('rejects malformed tokens', () => {
    for (const bad of ['', 'abc', 'ABCDEF.0123456789abcdef', 'abcdef.0123456789abcde', 'abcdef0123456789abcdef', null]) {
      expect(parseToken(bad)).toBeUndefined();
    }
  });

  it('builds the Secret exactly as vCluster does', () => {
    const token = { id: 'abcdef', secret: '0123456789abcdef' };
    const secret = buildTokenSecret({ token, expiresAt: new Date('2030-01-02T03:04:05.678Z') });
    expect(secret.metadata).toMatchObject({
      name: 'bootstrap-token-abcdef', namespace: 'kube-system',
      labels: { 'vcluster.loft.sh/token': 'true', 'vcluster.loft.sh/token-node-type': 'worker' },
    });
    expect(secret.type).toBe(TOKEN_SECRET_TYPE);
    expect(secretValues(secret)).toEqual({
      'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-signing': 'true',
      'usage-bootstrap-authentication': 'true', 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
      expiration: '2030-01-02T03:04:05Z',
    });
  });

  it('verifies secret, expiry and usage', () => {
    const token = { id: 'abcdef', secret: '0123456789abcdef' };
    const now = new Date('2030-01-01T00:00:00Z');
    const valid = buildTokenSecret({ token, expiresAt: new Date('2030-01-01T01:00:00Z') });
    expect(verifyToken(token, valid, now)).toEqual({ ok: true });
    expect(verifyToken(token, undefined, now)).toMatchObject({ status: 401, reason: 'token not found or revoked' });
    expect(verifyToken({ ...token, secret: 'ffffffffffffffff' }, valid, now)).toMatchObject({ status: 401, reason: 'token not found or revoked' });
    const expired = buildTokenSecret({ token, expiresAt: new Date('2029-12-31T23:59:59Z') });
    expect(verifyToken(token, expired, now)).toMatchObject({ status: 401, reason: 'token expired' });
    const noExpiry = buildTokenSecret({ token });
    expect(verifyToken(token, noExpiry, now)).toEqual({ ok: true });
    const signingOnly = { ...valid, data: { ...valid.data, 'usage-bootstrap-authentication': Buffer.from('false').toString('base64') } };
    expect(verifyToken(token, signingOnly, now)).toMatchObject({ ok: false, status: 401 });
  });

  it('accepts hand-made Secrets written with stringData', () => {
    const token = { id: 'abcdef', secret: '0123456789abcdef' };
    const secret = { type: TOKEN_SECRET_TYPE, stringData: { 'token-id': 'abcdef', 'token-secret': token.secret, 'usage-bootstrap-authentication': 'true' } };
    expect(verifyToken(token, secret, new Date())).toEqual({ ok: true });
  });
});
