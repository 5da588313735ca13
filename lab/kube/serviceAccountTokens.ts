/**
 * ServiceAccount tokens as kube-apiserver issues them for the TokenRequest subresource: ES256 JWTs
 * with the `kubernetes.io` claim, signed by a key that lives only in this process. A token is valid
 * while unexpired, for one of the API's audiences, and while its ServiceAccount (same uid) exists.
 */
import { createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';

export const DEFAULT_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
export const ISSUER = DEFAULT_AUDIENCE;
/** TokenRequest: the default and the smallest expirationSeconds kube-apiserver accepts. */
export const TOKEN_DEFAULT_SECONDS = 3600;
export const TOKEN_MIN_SECONDS = 600;

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid: string;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string } };
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

export class ServiceAccountTokenIssuer {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly kid: string;

  constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = createPublicKey(pair.privateKey);
    this.kid = randomUUID();
  }

  issue(sa: ServiceAccountRef, expirationSeconds: number, audiences: string[], now = new Date()): { token: string; expiresAt: Date } {
    const iat = Math.floor(now.getTime() / 1000);
    const claims: TokenClaims = {
      iss: ISSUER, sub: `system:serviceaccount:${sa.namespace}:${sa.name}`, aud: audiences,
      exp: iat + expirationSeconds, iat, nbf: iat, jti: randomUUID(),
      'kubernetes.io': { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } },
    };
    const signingInput = `${b64url(JSON.stringify({ alg: 'ES256', kid: this.kid }))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return { token: `${signingInput}.${b64url(signature)}`, expiresAt: new Date(claims.exp * 1000) };
  }

  /** The claims of a token this issuer signed, unexpired and for one of `audiences`; else undefined. */
  verify(token: string, audiences: string[], now = new Date()): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const ok = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'));
    if (!ok) return undefined;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return undefined;
    }
    const t = Math.floor(now.getTime() / 1000);
    if (claims.iss !== ISSUER || t >= claims.exp || t < claims.nbf) return undefined;
    if (!claims.aud?.some((a) => audiences.includes(a))) return undefined;
    return claims;
  }
}
