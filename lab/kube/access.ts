/**
 * The API's front door, in kube-apiserver's order: authenticate (401), impersonate (403 when not
 * allowed), authorize (403 in kube's wording). Every decision goes to the authorization log.
 * `authorization: 'AlwaysAllow'` skips the RBAC check (kube's --authorization-mode=AlwaysAllow);
 * authentication is always on.
 */
import type { IncomingMessage } from 'node:http';
import type { Attributes } from './attributes.js';
import { Authenticator } from './authn.js';
import { AuthorizationLog } from './authzLog.js';
import { impersonatedUser } from './impersonation.js';
import { RbacAuthorizer, type Decision } from './rbac.js';
import type { ResourceRegistry } from './registry.js';
import { review, tokenRequest, type ReviewDeps } from './reviews.js';
import { ServiceAccountTokenIssuer } from './serviceAccountTokens.js';
import { errors } from './status.js';
import type { ObjectStore } from './store.js';
import type { KubeObject, ResourceDef } from './types.js';
import type { UserInfo } from './users.js';

export type AuthorizationMode = 'RBAC' | 'AlwaysAllow';

export class AccessControl {
  readonly issuer = new ServiceAccountTokenIssuer();
  readonly authenticator: Authenticator;
  readonly rbac: RbacAuthorizer;
  readonly log = new AuthorizationLog();
  private readonly reviewDeps: ReviewDeps;

  constructor(store: ObjectStore, registry: ResourceRegistry, readonly mode: AuthorizationMode) {
    const saDef = registry.lookup('', 'v1', 'serviceaccounts')!;
    this.authenticator = new Authenticator({
      issuer: this.issuer,
      serviceAccountUid: (ns, name) => store.get(saDef, ns, name)?.metadata.uid,
    });
    this.rbac = new RbacAuthorizer(store, registry);
    this.reviewDeps = {
      authenticator: this.authenticator, issuer: this.issuer,
      decide: (a) => this.decide(a), rulesFor: (u, ns) => this.rbac.rulesFor(u, ns),
    };
  }

  decide(a: Attributes): Decision {
    return this.mode === 'AlwaysAllow' ? { allowed: true, reason: '' } : this.rbac.authorize(a);
  }

  /** Authorizes and records; throws the 403. */
  authorize(a: Attributes): void {
    const { allowed } = this.decide(a);
    this.log.record(a, allowed);
    if (!allowed) throw errors.forbidden(a);
  }

  /** The effective user of a request; throws 401 or the impersonation 403. */
  identify(req: IncomingMessage, pathname: string): UserInfo {
    const requester = this.authenticator.authenticate(req, pathname);
    if (!requester) throw errors.unauthorized();
    return impersonatedUser(req, requester, (a) => this.authorize(a));
  }

  review(def: ResourceDef, namespace: string, body: unknown, user: UserInfo): object {
    return review(this.reviewDeps, def, namespace, body, user);
  }

  tokenRequest(saDef: ResourceDef, sa: KubeObject, body: unknown): object {
    return tokenRequest(this.reviewDeps, sa, body, { ...saDef, group: 'authentication.k8s.io', kind: 'TokenRequest' });
  }
}
