/**
 * Per-claim kubeadm bootstrap tokens, issued in the tenant cluster (vcluster-vmetal.md §3.1). The
 * Secret carries the claim uid as a label, so a restarted controller finds and reuses it instead of
 * minting duplicates. The token string never leaves this module except in the returned value.
 */
import { randomInt } from 'node:crypto';
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
    await deleteSecret(core, secret.metadata!.name!);
  }
  const id = randomString(6);
  const tokenSecret = randomString(16);
  const expiresAt = new Date(now + ttlSeconds * 1000);
  const secretName = `bootstrap-token-${id}`;
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
  return { token: `${id}.${tokenSecret}`, secretName, expiresAt, reused: false };
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

async function deleteSecret(core: CoreV1Api, name: string): Promise<void> {
  try {
    await core.deleteNamespacedSecret({ name, namespace: NAMESPACE });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
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
