/**
 * Who may look at the dashboard. On loopback (the default bind) the page is open to whoever can
 * reach 127.0.0.1. Exposed (any other bind address, or `requireToken`), every data request must carry
 * `Authorization: Bearer <token>`; the host asks the management API who the token belongs to
 * (authentication.k8s.io/v1 TokenReview) and whether that user may `list nodeclaims`
 * (authorization.k8s.io/v1 SubjectAccessReview), so exactly those RBAC allows may look. Answers are
 * kept for a few seconds per token (by its SHA-256, never the token itself). Any failure to ask
 * refuses: the page is closed when the API cannot vouch for the caller.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';

export type AccessDecision =
  | { allowed: true; user?: string }
  | { allowed: false; status: 401 | 403 | 503; message: string };

export interface DashboardAccess {
  /** Decides one request from its Authorization header. */
  check(authorization: string | undefined): Promise<AccessDecision>;
}

/** What the token's user must be allowed to do: list NodeClaims of any namespace. */
export const REQUIRED_ACCESS = { group: 'management.loft.sh', resource: 'nodeclaims', verb: 'list' } as const;
const ALLOW_TTL_MS = 10_000;
const DENY_TTL_MS = 2_000;
const CACHE_LIMIT = 1000;

/** Loopback needs no token: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopback(address: string): boolean {
  if (address === 'localhost') return true;
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1';
}

export const openAccess: DashboardAccess = { check: async () => ({ allowed: true }) };

export class TokenReviewAccess implements DashboardAccess {
  private readonly authn: AuthenticationV1Api;
  private readonly authz: AuthorizationV1Api;
  private readonly decisions = new Map<string, { decision: AccessDecision; until: number }>();

  constructor(kubeConfig: KubeConfig, private readonly logger: Logger, private readonly now: () => number = Date.now) {
    this.authn = kubeConfig.makeApiClient(AuthenticationV1Api);
    this.authz = kubeConfig.makeApiClient(AuthorizationV1Api);
  }

  async check(authorization: string | undefined): Promise<AccessDecision> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return { allowed: false, status: 401, message: 'a bearer token is required (Authorization: Bearer <token>)' };
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.decisions.get(key);
    if (cached && cached.until > this.now()) return cached.decision;
    const decision = await this.review(token);
    if (this.decisions.size >= CACHE_LIMIT) this.decisions.clear();
    // A refusal because the API could not be asked is not remembered: the next request asks again.
    if (decision.allowed || decision.status !== 503) {
      this.decisions.set(key, { decision, until: this.now() + (decision.allowed ? ALLOW_TTL_MS : DENY_TTL_MS) });
    }
    return decision;
  }

  private async review(token: string): Promise<AccessDecision> {
    try {
      const review = await this.authn.createTokenReview({
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      });
      const user = review.status?.user;
      if (!review.status?.authenticated || !user?.username) {
        return { allowed: false, status: 401, message: 'the token was not accepted by the management cluster' };
      }
      const access = await this.authz.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
          spec: { user: user.username, uid: user.uid, groups: user.groups, extra: user.extra, resourceAttributes: { ...REQUIRED_ACCESS } },
        },
      });
      if (!access.status?.allowed) {
        return { allowed: false, status: 403, message: `user "${user.username}" may not list nodeclaims.management.loft.sh` };
      }
      return { allowed: true, user: user.username };
    } catch (err) {
      // Status code only: an API error body could echo the request, and the request holds the token.
      this.logger.warn({ code: (err as { code?: unknown }).code }, 'dashboard: could not review a token; refusing the request');
      return { allowed: false, status: 503, message: 'the management cluster could not verify the token' };
    }
  }
}
