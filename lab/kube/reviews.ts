/**
 * The create-only review resources and the TokenRequest subresource, answered from the API's own
 * authenticator and authorizer and never stored: TokenReview and SelfSubjectReview
 * (authentication.k8s.io/v1), SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectAccessReview and
 * SelfSubjectRulesReview (authorization.k8s.io/v1), and `serviceaccounts/{name}/token`.
 */
import type { Attributes } from './attributes.js';
import type { Authenticator } from './authn.js';
import type { Decision, PolicyRule } from './rbac.js';
import { TOKEN_DEFAULT_SECONDS, TOKEN_MIN_SECONDS, type ServiceAccountTokenIssuer } from './serviceAccountTokens.js';
import { errors } from './status.js';
import type { KubeObject, ResourceDef } from './types.js';
import { apiVersionOf } from './types.js';
import type { UserInfo } from './users.js';

export interface ReviewDeps {
  authenticator: Authenticator;
  issuer: ServiceAccountTokenIssuer;
  /** The configured authorizer (RBAC, or AlwaysAllow). */
  decide(a: Attributes): Decision;
  rulesFor(user: UserInfo, namespace: string): PolicyRule[];
}

interface ResourceAttributesSpec {
  namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string;
}
interface AccessSpec {
  user?: string; groups?: string[]; uid?: string; extra?: Record<string, string[]>;
  resourceAttributes?: ResourceAttributesSpec;
  nonResourceAttributes?: { path?: string; verb?: string };
  audiences?: string[];
  token?: string;
  namespace?: string;
  expirationSeconds?: number;
}

const REVIEWS = new Set(['tokenreviews', 'selfsubjectreviews', 'subjectaccessreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'localsubjectaccessreviews']);

export function isReview(def: ResourceDef): boolean {
  return (def.group === 'authentication.k8s.io' || def.group === 'authorization.k8s.io') && REVIEWS.has(def.plural);
}

const specOf = (body: unknown): AccessSpec => ((body as { spec?: AccessSpec } | null)?.spec ?? {});
const answer = (def: ResourceDef, body: unknown, status: object, spec: object, namespace?: string) => ({
  kind: def.kind, apiVersion: apiVersionOf(def),
  metadata: { ...((body as KubeObject | null)?.metadata ?? {}), creationTimestamp: null, ...(namespace ? { namespace } : {}) },
  spec, status,
});

function accessAttributes(def: ResourceDef, spec: AccessSpec, user: UserInfo): Attributes {
  const r = spec.resourceAttributes;
  if (r) {
    return {
      user, resourceRequest: true, verb: r.verb ?? '', apiGroup: r.group ?? '', apiVersion: r.version ?? '', resource: r.resource ?? '',
      subresource: r.subresource ?? '', namespace: r.namespace ?? '', name: r.name ?? '',
    };
  }
  const n = spec.nonResourceAttributes;
  if (n) return { user, resourceRequest: false, verb: n.verb ?? '', path: n.path ?? '' };
  throw errors.invalid(def, '', [{ field: 'spec.resourceAttributes', reason: 'FieldValueRequired', message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
}

/** Answers a POST to a review resource (201) for `requester`, in `namespace` for the local one. */
export function review(d: ReviewDeps, def: ResourceDef, namespace: string, body: unknown, requester: UserInfo): object {
  const spec = specOf(body);
  switch (def.plural) {
    case 'tokenreviews': {
      if (!spec.token) throw errors.invalid(def, '', [{ field: 'spec.token', reason: 'FieldValueRequired', message: 'Required value' }]);
      const audiences = spec.audiences?.length ? spec.audiences : d.authenticator.audiences;
      const result = d.authenticator.authenticateToken(spec.token, audiences);
      const status = result.ok
        ? { authenticated: true, user: { username: result.user.username, uid: result.user.uid, groups: result.user.groups, extra: result.user.extra }, audiences }
        : { authenticated: false, user: {}, error: result.reason };
      // The token is never echoed back.
      return answer(def, body, status, { audiences: spec.audiences });
    }
    case 'selfsubjectreviews':
      return answer(def, body, { userInfo: { username: requester.username, uid: requester.uid, groups: requester.groups, extra: requester.extra } }, {});
    case 'selfsubjectrulesreviews': {
      const rules = d.rulesFor(requester, spec.namespace ?? '');
      const resourceRules = rules.filter((r) => r.resources?.length).map(({ verbs, apiGroups, resources, resourceNames }) => ({ verbs, apiGroups, resources, resourceNames }));
      const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map(({ verbs, nonResourceURLs }) => ({ verbs, nonResourceURLs }));
      return answer(def, body, { resourceRules, nonResourceRules, incomplete: false }, spec);
    }
    case 'selfsubjectaccessreviews':
      return answer(def, body, verdict(d.decide(accessAttributes(def, spec, requester))), spec);
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      if (!spec.user && !spec.groups?.length) {
        throw errors.invalid(def, '', [{ field: 'spec.user', reason: 'FieldValueInvalid', message: 'spec.user: Invalid value: "": at least one of user or group must be specified' }]);
      }
      const subject: UserInfo = { username: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra };
      const attrs = accessAttributes(def, spec, subject);
      if (def.plural === 'localsubjectaccessreviews' && attrs.resourceRequest && attrs.namespace !== namespace) {
        throw errors.badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
      }
      return answer(def, body, verdict(d.decide(attrs)), spec, def.namespaced ? namespace : undefined);
    }
  }
  throw errors.pathNotFound(def.plural);
}

const verdict = (v: Decision) => (v.reason ? { allowed: v.allowed, reason: v.reason } : { allowed: v.allowed });

/** POST serviceaccounts/{name}/token: a TokenRequest answered with a fresh ServiceAccount token. */
export function tokenRequest(d: ReviewDeps, sa: KubeObject, body: unknown, tokenRequestDef: ResourceDef): object {
  const spec = specOf(body);
  const seconds = spec.expirationSeconds ?? TOKEN_DEFAULT_SECONDS;
  const name = sa.metadata.name!;
  if (!Number.isInteger(seconds) || seconds < TOKEN_MIN_SECONDS) {
    throw errors.invalid(tokenRequestDef, name, [{ field: 'spec.expirationSeconds', reason: 'FieldValueInvalid', message: `spec.expirationSeconds: Invalid value: ${seconds}: may not specify a duration less than 10 minutes` }]);
  }
  if (seconds > 2 ** 32) {
    throw errors.invalid(tokenRequestDef, name, [{ field: 'spec.expirationSeconds', reason: 'FieldValueInvalid', message: `spec.expirationSeconds: Invalid value: ${seconds}: may not specify a duration larger than 2^32 seconds` }]);
  }
  const audiences = spec.audiences?.length ? spec.audiences : d.authenticator.audiences;
  const issued = d.issuer.issue({ namespace: sa.metadata.namespace!, name, uid: sa.metadata.uid! }, seconds, audiences);
  return {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace: sa.metadata.namespace, creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
    spec: { audiences, expirationSeconds: seconds, boundObjectRef: null },
    status: { token: issued.token, expirationTimestamp: issued.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  };
}
