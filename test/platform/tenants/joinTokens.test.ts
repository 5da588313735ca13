/**
 * Join tokens through a lab API over HTTP: one token per claim even when callers race for it (a leader
 * paused past its lease and its successor both launching the claim; the chaos run saw a claim with two
 * tokens while the leader flapped), reuse while valid, rotation near expiry, revocation.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { CLAIM_UID_LABEL, ensureJoinToken, listClaimTokens, revokeJoinTokens, tokenIdFor } from '../../../platform/tenants/joinTokens.js';

const TTL_SECONDS = 3600;
const clockAt = (ms: number) => ({ now: () => new Date(ms) });
const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('per-claim join tokens in a tenant API', () => {
  let api: KubeApiServer;
  let core: CoreV1Api;

  beforeAll(async () => {
    api = await startKubeApi({ name: 'tokens', loadDefaultCrds: false });
    core = api.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'kube-system' } } }).catch(() => undefined);
  });
  afterAll(async () => { await api?.close(); });

  it('issues one token when several callers race for the same claim, and every caller gets it', async () => {
    const uid = 'claim-racing-1';
    const issued = await Promise.all(Array.from({ length: 5 }, () => ensureJoinToken(core, uid, TTL_SECONDS, clockAt(NOW))));
    expect(new Set(issued.map((t) => t.token)).size).toBe(1);
    expect(issued.filter((t) => !t.reused)).toHaveLength(1);
    const secrets = await listClaimTokens(core, uid);
    expect(secrets.map((s) => s.metadata?.name)).toEqual([`bootstrap-token-${tokenIdFor(uid)}`]);
    expect(issued[0].token.startsWith(`${tokenIdFor(uid)}.`)).toBe(true);
  });

  it('reuses a valid token, and replaces one too close to expiry', async () => {
    const uid = 'claim-rotating-1';
    const first = await ensureJoinToken(core, uid, TTL_SECONDS, clockAt(NOW), (TTL_SECONDS * 1000) / 2);
    const again = await ensureJoinToken(core, uid, TTL_SECONDS, clockAt(NOW + 60_000), (TTL_SECONDS * 1000) / 2);
    expect(again).toMatchObject({ token: first.token, reused: true });
    // Past half its life: a new token (same id, new secret half), the old one gone.
    const later = await ensureJoinToken(core, uid, TTL_SECONDS, clockAt(NOW + 40 * 60_000), (TTL_SECONDS * 1000) / 2);
    expect(later.reused).toBe(false);
    expect(later.token).not.toBe(first.token);
    expect((await listClaimTokens(core, uid)).map((s) => s.metadata?.labels?.[CLAIM_UID_LABEL])).toEqual([uid]);
  });

  it('gives the claims different tokens, and revokes only the claim asked for', async () => {
    const a = await ensureJoinToken(core, 'claim-a', TTL_SECONDS, clockAt(NOW));
    const b = await ensureJoinToken(core, 'claim-b', TTL_SECONDS, clockAt(NOW));
    expect(a.secretName).not.toBe(b.secretName);
    expect(await revokeJoinTokens(core, 'claim-a')).toBe(1);
    expect(await listClaimTokens(core, 'claim-a')).toEqual([]);
    expect(await listClaimTokens(core, 'claim-b')).toHaveLength(1);
  });
});
