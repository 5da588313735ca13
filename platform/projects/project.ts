/**
 * A Project (`management.loft.sh/v1`, cluster-scoped) as this host reads it: which NodeTypes its
 * NodeClaims may use (`spec.allowedNodeTypes`: exact names or `<provider>.*`, the only wildcard;
 * unset = all, `[]` = none) and its machine quotas (`spec.quotas.project["nodeclaims"]`,
 * `["nodeclaims.provider=<name>"]`, non-negative integers). Its namespace is `p-<name>`.
 * Errors name the Project and the field; an invalid Project allows nothing until it is fixed.
 */
export const PROJECTS = 'projects';
const NAMESPACE_PREFIX = 'p-';
const QUOTA_KEY = 'nodeclaims';
const PROVIDER_QUOTA_PREFIX = 'nodeclaims.provider=';

export interface ProjectObject {
  metadata: { name?: string; resourceVersion?: string };
  spec?: { allowedNodeTypes?: unknown; quotas?: { project?: unknown } };
}

export interface ProjectRules {
  name: string;
  /** undefined = every NodeType. */
  allowedNodeTypes?: string[];
  /** Limit on the project's NodeClaims, all providers. */
  nodeClaims?: number;
  /** Limits per provider name. */
  nodeClaimsByProvider: Map<string, number>;
  errors: string[];
}

/** The project a namespace belongs to (`p-<name>`), or undefined. */
export function projectOfNamespace(namespace: string): string | undefined {
  return namespace.startsWith(NAMESPACE_PREFIX) && namespace.length > NAMESPACE_PREFIX.length ? namespace.slice(NAMESPACE_PREFIX.length) : undefined;
}

export function namespaceOfProject(name: string): string {
  return `${NAMESPACE_PREFIX}${name}`;
}

export function parseProject(obj: ProjectObject): ProjectRules {
  const name = obj.metadata.name ?? '';
  const where = `Project ${name}`;
  const rules: ProjectRules = { name, nodeClaimsByProvider: new Map(), errors: [] };
  const allowed = obj.spec?.allowedNodeTypes;
  if (allowed !== undefined && allowed !== null) {
    if (!Array.isArray(allowed)) rules.errors.push(`${where}: spec.allowedNodeTypes: must be a list of {name}`);
    else {
      rules.allowedNodeTypes = [];
      allowed.forEach((entry, i) => {
        const pattern = (entry as { name?: unknown } | null)?.name;
        const problem = patternError(pattern);
        if (problem) rules.errors.push(`${where}: spec.allowedNodeTypes[${i}].name: ${problem}`);
        else rules.allowedNodeTypes!.push(pattern as string);
      });
    }
  }
  const quotas = obj.spec?.quotas?.project;
  if (quotas !== undefined && quotas !== null) {
    for (const [key, raw] of Object.entries(quotas as Record<string, unknown>)) {
      if (key !== QUOTA_KEY && !key.startsWith(PROVIDER_QUOTA_PREFIX)) continue; // other quotas are not this host's
      const field = `${where}: spec.quotas.project["${key}"]`;
      const provider = key.slice(PROVIDER_QUOTA_PREFIX.length);
      if (key !== QUOTA_KEY && provider === '') {
        rules.errors.push(`${field}: names no provider (expected nodeclaims.provider=<provider name>)`);
        continue;
      }
      const text = typeof raw === 'number' ? String(raw) : raw;
      if (typeof text !== 'string' || !/^\d+$/.test(text)) {
        rules.errors.push(`${field}: ${JSON.stringify(raw)} is not a non-negative whole number of machines`);
        continue;
      }
      if (key === QUOTA_KEY) rules.nodeClaims = Number(text);
      else rules.nodeClaimsByProvider.set(provider, Number(text));
    }
  }
  return rules;
}

/** Exact names, or `<provider>.*` (the only wildcard: a suffix after the provider name). */
function patternError(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string' || pattern === '') return 'required (a NodeType name or "<provider>.*")';
  if (!pattern.includes('*')) return undefined;
  if (!pattern.endsWith('.*') || pattern.indexOf('*') !== pattern.length - 1 || pattern.length < 3) {
    return `"${pattern}": the only wildcard is ".*" after a provider name, e.g. "metal3-provider.*"`;
  }
  return undefined;
}

/** Whether a valid Project's allowedNodeTypes admit the NodeType `<provider>.<type>`. */
export function allowsNodeType(rules: ProjectRules, nodeType: string): boolean {
  if (rules.allowedNodeTypes === undefined) return true;
  return rules.allowedNodeTypes.some((p) => (p.endsWith('.*') ? nodeType.startsWith(p.slice(0, -1)) : p === nodeType));
}

export function describeAllowed(rules: ProjectRules): string {
  if (rules.allowedNodeTypes === undefined) return 'all';
  return rules.allowedNodeTypes.length === 0 ? '[] (none)' : rules.allowedNodeTypes.join(', ');
}

/**
 * The real platform's refusal when one more NodeClaim of `provider` would pass a limit, e.g.
 * "cannot create nodeclaim, because project nodeclaims limit of 5 would be exceeded"; undefined when it fits.
 */
export function quotaRefusal(rules: ProjectRules, counts: { total: number; ofProvider: number }, provider: string): string | undefined {
  if (rules.nodeClaims !== undefined && counts.total + 1 > rules.nodeClaims) {
    return `cannot create nodeclaim, because project nodeclaims limit of ${rules.nodeClaims} would be exceeded`;
  }
  const perProvider = rules.nodeClaimsByProvider.get(provider);
  if (perProvider !== undefined && counts.ofProvider + 1 > perProvider) {
    return `cannot create nodeclaim, because project nodeclaims.provider=${provider} limit of ${perProvider} would be exceeded`;
  }
  return undefined;
}
