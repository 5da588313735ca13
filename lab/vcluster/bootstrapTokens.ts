/**
 * kubeadm bootstrap tokens as vCluster stores them: Secret `bootstrap-token-<id>` in `kube-system`,
 * type `bootstrap.kubernetes.io/token`. Pure functions; the tenant does the API calls.
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';

export const TOKEN_NAMESPACE = 'kube-system';
export const TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const TOKEN_LABEL = 'vcluster.loft.sh/token';
export const TOKEN_NODE_TYPE_LABEL = 'vcluster.loft.sh/token-node-type';
export const TOKEN_USED_BY_ANNOTATION = 'vcluster.loft.sh/token-used-by';
export const TOKEN_USED_AT_ANNOTATION = 'vcluster.loft.sh/token-used-at';
const EXTRA_GROUPS = 'system:bootstrappers:kubeadm:default-node-token';

const TOKEN_SHAPE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface ParsedToken {
  id: string;
  secret: string;
}

export function secretNameFor(tokenId: string): string {
  return `bootstrap-token-${tokenId}`;
}

/** Splits `<id>.<secret>`; undefined when the string does not have the bootstrap-token shape. */
export function parseToken(token: string | null | undefined): ParsedToken | undefined {
  const match = TOKEN_SHAPE.exec(token ?? '');
  return match ? { id: match[1], secret: match[2] } : undefined;
}

function randomString(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export function generateToken(): ParsedToken & { token: string } {
  const id = randomString(6);
  const secret = randomString(16);
  return { id, secret, token: `${id}.${secret}` };
}

/** RFC3339 UTC without fractional seconds, as kubeadm writes `expiration`. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface TokenSecretOptions {
  token: ParsedToken;
  /** Undefined: the token never expires. */
  expiresAt?: Date;
  nodeType?: string;
  labels?: Record<string, string>;
}

export function buildTokenSecret(opts: TokenSecretOptions): V1Secret {
  const data: Record<string, string> = {
    'token-id': opts.token.id,
    'token-secret': opts.token.secret,
    'usage-bootstrap-signing': 'true',
    'usage-bootstrap-authentication': 'true',
    'auth-extra-groups': EXTRA_GROUPS,
  };
  if (opts.expiresAt) data.expiration = rfc3339(opts.expiresAt);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: TOKEN_SECRET_TYPE,
    metadata: {
      name: secretNameFor(opts.token.id),
      namespace: TOKEN_NAMESPACE,
      labels: { ...opts.labels, [TOKEN_LABEL]: 'true', [TOKEN_NODE_TYPE_LABEL]: opts.nodeType ?? 'worker' },
    },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/** Decoded values of a Secret: `data` (base64) wins over `stringData` (accepted for hand-made Secrets). */
export function secretValues(secret: V1Secret): Record<string, string> {
  const values: Record<string, string> = { ...(secret.stringData ?? {}) };
  for (const [key, value] of Object.entries(secret.data ?? {})) values[key] = Buffer.from(value, 'base64').toString('utf8');
  return values;
}

export type TokenVerdict =
  | { ok: true }
  | { ok: false; status: 400 | 401; reason: string };

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Checks a presented token against its Secret (or its absence) at time `now`. */
export function verifyToken(presented: ParsedToken, secret: V1Secret | undefined, now: Date): TokenVerdict {
  const notFound = { ok: false, status: 401, reason: 'token not found or revoked' } as const;
  if (!secret || secret.type !== TOKEN_SECRET_TYPE || secret.metadata?.deletionTimestamp) return notFound;
  const values = secretValues(secret);
  // Compare digests so neither content nor length leaks through timing.
  if (values['token-id'] !== presented.id || !timingSafeEqual(digest(values['token-secret'] ?? ''), digest(presented.secret))) {
    return notFound;
  }
  if (values.expiration) {
    const expiresAt = Date.parse(values.expiration);
    if (Number.isNaN(expiresAt) || expiresAt <= now.getTime()) return { ok: false, status: 401, reason: 'token expired' };
  }
  if (values['usage-bootstrap-authentication'] !== 'true') {
    return { ok: false, status: 401, reason: 'token not usable for bootstrap authentication' };
  }
  return { ok: true };
}
