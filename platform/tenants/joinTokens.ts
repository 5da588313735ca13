/**
 * Per-claim kubeadm bootstrap tokens, issued in the tenant cluster (vcluster-vmetal.md §3.1). The
 * Secret carries the claim uid as a label, so a restarted controller finds and reuses it instead of
 * minting duplicates; and its token id (the public half, which names the Secret) is derived from the
 * claim uid, so two callers racing for one claim (a paused leader and its successor) create the same
 * Secret: one wins, the other gets 409 and reuses it. The token string never leaves this module except
 * in the returned value.
 */
import { createHash, randomInt } from 'node:crypto';
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import type { Clock } from '../../plugin/contract.js';

export const CLAIM_UID_LABEL = 'platform.vcluster.com/node-claim-uid';
const NAMESPACE = 'kube-system';
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface IssuedToken {
  token: string;
  secretName: string;
  expiresAt: Date;
  reused: boolean;
}

/**
 * Returns an unexpired token of this claim (at least `minRemainingMs` left), or creates one with
 * `ttlSeconds`. Expired tokens of the claim are deleted on the way.
 */
export async function ensureJoinToken(
  core: CoreV1Api, claimUid: string, ttlSeconds: number, clock: Clock, minRemainingMs = 0,
): Promise<IssuedToken> {
  const now = clock.now().getTime();
  for (const secret of await listClaimTokens(core, claimUid)) {
    const expiresAt = new Date(decode(secret, 'expiration') ?? 0);
    const id = decode(secret, 'token-id');
    const tokenSecret = decode(secret, 'token-secret');
    if (id && tokenSecret && expiresAt.getTime() - now > minRemainingMs) {
      return { token: `${id}.${tokenSecret}`, secretName: secret.metadata!.name!, expiresAt, reused: true };
    }
    // Only this Secret: a racing caller may already have put a fresh one under the same name.
    await deleteSecret(core, secret.metadata!.name!, secret.metadata?.uid);
  }
  const id = tokenIdFor(claimUid);
  const tokenSecret = randomString(16);
  const expiresAt = new Date(now + ttlSeconds * 1000);
  const secretName = `bootstrap-token-${id}`;
  try {
    await createTokenSecret(core, claimUid, secretName, id, tokenSecret, expiresAt);
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
    // Another caller issued the claim's token first: use theirs.
    const theirs = await core.readNamespacedSecret({ name: secretName, namespace: NAMESPACE });
    const theirSecret = decode(theirs, 'token-secret');
    if (theirSecret && theirs.metadata?.labels?.[CLAIM_UID_LABEL] === claimUid) {
      return { token: `${id}.${theirSecret}`, secretName, expiresAt: new Date(decode(theirs, 'expiration') ?? 0), reused: true };
    }
    // Another claim's id happens to be the same (1 in 36^6): this claim's token gets a random id.
    const randomId = randomString(6);
    await createTokenSecret(core, claimUid, `bootstrap-token-${randomId}`, randomId, tokenSecret, expiresAt);
    return { token: `${randomId}.${tokenSecret}`, secretName: `bootstrap-token-${randomId}`, expiresAt, reused: false };
  }
  return { token: `${id}.${tokenSecret}`, secretName, expiresAt, reused: false };
}

/** The claim's token id: 6 characters of [a-z0-9] from a hash of its uid (public by design, as kubeadm's token ids are). */
export function tokenIdFor(claimUid: string): string {
  const digest = createHash('sha256').update(`node-claim-token:${claimUid}`).digest();
  let out = '';
  for (let i = 0; i < 6; i++) out += ALPHABET[digest[i] % ALPHABET.length];
  return out;
}

async function createTokenSecret(core: CoreV1Api, claimUid: string, secretName: string, id: string, tokenSecret: string, expiresAt: Date): Promise<void> {
  await core.createNamespacedSecret({
    namespace: NAMESPACE,
    body: {
      metadata: {
        name: secretName,
        namespace: NAMESPACE,
        labels: {
          'vcluster.loft.sh/token': 'true',
          'vcluster.loft.sh/token-node-type': 'worker',
          [CLAIM_UID_LABEL]: claimUid,
        },
      },
      type: 'bootstrap.kubernetes.io/token',
      stringData: {
        'token-id': id,
        'token-secret': tokenSecret,
        'usage-bootstrap-signing': 'true',
        'usage-bootstrap-authentication': 'true',
        'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
        expiration: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    },
  });
}

/** Deletes every token Secret of the claim; returns how many were deleted. */
export async function revokeJoinTokens(core: CoreV1Api, claimUid: string): Promise<number> {
  const secrets = await listClaimTokens(core, claimUid);
  for (const s of secrets) await deleteSecret(core, s.metadata!.name!);
  return secrets.length;
}

export async function listClaimTokens(core: CoreV1Api, claimUid: string): Promise<V1Secret[]> {
  const list = await core.listNamespacedSecret({ namespace: NAMESPACE, labelSelector: `${CLAIM_UID_LABEL}=${claimUid}` });
  return list.items;
}

/** Deletes the Secret (only the one with `uid`, when given); gone already, or replaced meanwhile (409), is fine. */
async function deleteSecret(core: CoreV1Api, name: string, uid?: string): Promise<void> {
  try {
    await core.deleteNamespacedSecret({ name, namespace: NAMESPACE, ...(uid ? { body: { preconditions: { uid } } } : {}) });
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code !== 404 && code !== 409) throw err;
  }
}

function decode(secret: V1Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

function randomString(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}
