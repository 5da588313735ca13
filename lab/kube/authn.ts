/**
 * Authentication as kube-apiserver does it with `--token-auth-file` and ServiceAccount tokens: a
 * bearer token is a static token (the lab's admin) or a ServiceAccount JWT; no or a bad token is a
 * 401, except that anonymous requests may reach the health endpoints (kube's structured
 * authentication config `anonymous.conditions` for /healthz, /livez, /readyz).
 */
import type { IncomingMessage } from 'node:http';
import { DEFAULT_AUDIENCE, type ServiceAccountTokenIssuer, type TokenClaims } from './serviceAccountTokens.js';
import { ANONYMOUS, authenticated, serviceAccountGroups, type UserInfo } from './users.js';

export const ANONYMOUS_PATHS = ['/healthz', '/livez', '/readyz'];

export interface AuthenticatorDeps {
  issuer: ServiceAccountTokenIssuer;
  /** The live ServiceAccount's uid, undefined when it does not exist. */
  serviceAccountUid(namespace: string, name: string): string | undefined;
}

/** A presented credential: the user it names, or why it was refused (never the token itself). */
export type AuthResult = { ok: true; user: UserInfo } | { ok: false; reason: string };

export class Authenticator {
  private readonly staticTokens = new Map<string, UserInfo>();
  readonly audiences = [DEFAULT_AUDIENCE];

  constructor(private readonly d: AuthenticatorDeps) {}

  addStaticToken(token: string, user: UserInfo): void {
    this.staticTokens.set(token, authenticated(user));
  }

  /** The user of a bearer token (TokenReview uses this too). */
  authenticateToken(token: string, audiences: string[] = this.audiences): AuthResult {
    const fixed = this.staticTokens.get(token);
    if (fixed) return { ok: true, user: fixed };
    const claims = this.d.issuer.verify(token, audiences);
    if (!claims) return { ok: false, reason: 'invalid bearer token' };
    return this.serviceAccountUser(claims);
  }

  private serviceAccountUser(claims: TokenClaims): AuthResult {
    const { namespace, serviceaccount } = claims['kubernetes.io'];
    const uid = this.d.serviceAccountUid(namespace, serviceaccount.name);
    if (uid === undefined) return { ok: false, reason: `service account ${namespace}/${serviceaccount.name} has been deleted` };
    if (uid !== serviceaccount.uid) return { ok: false, reason: `service account UID (${uid}) does not match claim (${serviceaccount.uid})` };
    return { ok: true, user: authenticated({ username: claims.sub, uid, groups: serviceAccountGroups(namespace) }) };
  }

  /** The request's user; undefined means 401. */
  authenticate(req: IncomingMessage, pathname: string): UserInfo | undefined {
    const header = req.headers.authorization;
    if (header === undefined) return ANONYMOUS_PATHS.includes(pathname) ? ANONYMOUS : undefined;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (!token) return undefined;
    const result = this.authenticateToken(token);
    return result.ok ? result.user : undefined;
  }
}
