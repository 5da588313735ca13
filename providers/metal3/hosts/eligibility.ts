import { ANNOTATION, BMO_ANNOTATION, LABEL } from '../names.js';
import type { Metal3NodeTypeSpec } from '../spec.js';
import type { BareMetalHost } from '../types.js';
import { fitsResources, hostResources } from './resources.js';
import { matchesLabelSelector } from './selector.js';

/**
 * Hosts with `spec.disablePowerOff: true` are left out: the plugin keeps idle and reserved hosts powered off
 * (`online: false`), which BMO's webhook refuses for them.
 */
export const POWER_OFF_DISABLED = "spec.disablePowerOff is true (the plugin keeps idle hosts powered off, which BMO refuses for such hosts)";

/** `ready` is BMO's deprecated alias of `available`. */
const CLAIMABLE_STATES = new Set(['available', 'ready']);

export interface EligibilityContext {
  nodeType: Metal3NodeTypeSpec;
  /** Tenant the claim belongs to, compared with the host's last-tenant annotation. */
  claimTenant?: string;
  allowUncleanedReuse?: boolean;
  /** `metal3.vcluster.com/server-name`: only this host may be chosen. */
  pinnedHostName?: string;
}

/**
 * Undefined when `bmh` may be claimed for `ctx`, else a short reason for logs, events and
 * capacity explanations. Cheap checks first; the resource check parses quantities last.
 * Throws InvalidConfigurationError only for a malformed node type `resources`.
 */
export function whyIneligible(bmh: BareMetalHost, ctx: EligibilityContext): string | undefined {
  const meta = bmh.metadata ?? {};
  if (ctx.pinnedHostName !== undefined && meta.name !== ctx.pinnedHostName) {
    return `not the pinned host ${JSON.stringify(ctx.pinnedHostName)}`;
  }
  const base = whyNotFree(bmh);
  if (base) return base;
  if (!matchesLabelSelector(meta.labels, ctx.nodeType.bareMetalHosts?.selector)) {
    return `labels do not match node type ${JSON.stringify(ctx.nodeType.name)} selector`;
  }
  if (uncleanedForTenant(bmh, ctx.claimTenant, ctx.allowUncleanedReuse)) {
    return 'automatedCleaningMode is disabled and the host last served another tenant (not cleaned)';
  }
  if (Object.keys(ctx.nodeType.resources ?? {}).length === 0) return undefined;
  const { resources, problem } = hostResources(bmh);
  if (!resources) return `hardware unknown: ${problem}`;
  const fit = fitsResources(resources, ctx.nodeType.resources, `NodeType ${ctx.nodeType.name}`);
  if (!fit.ok) return `not enough ${fit.missing} for node type ${JSON.stringify(ctx.nodeType.name)}`;
  return undefined;
}

/**
 * The tenant rule of whyIneligible: a host that is not cleaned between tenants (`automatedCleaningMode:
 * disabled`) and last served another tenant is refused, unless uncleaned reuse is allowed.
 */
export function uncleanedForTenant(bmh: BareMetalHost, claimTenant: string | undefined, allowUncleanedReuse: boolean | undefined): boolean {
  if (bmh.spec?.automatedCleaningMode !== 'disabled' || allowUncleanedReuse) return false;
  const lastTenant = bmh.metadata?.annotations?.[ANNOTATION.lastTenant];
  return lastTenant !== undefined && lastTenant !== claimTenant;
}

/**
 * The node-type-independent part of whyIneligible: undefined when the host is free (claimable by
 * some claim). Lets a cache keep an index of free hosts without knowing the node types.
 */
export function whyNotFree(bmh: BareMetalHost): string | undefined {
  const meta = bmh.metadata ?? {};
  const annotations = meta.annotations ?? {};
  if (meta.deletionTimestamp) return 'being deleted';
  const state = bmh.status?.provisioning?.state ?? '';
  if (!CLAIMABLE_STATES.has(state)) return `state is ${JSON.stringify(state)}, not "available"`;
  const consumer = bmh.spec?.consumerRef;
  if (consumer) return `already consumed by ${consumer.kind ?? 'object'} ${consumer.name ?? ''}`.trimEnd();
  if (meta.labels?.[LABEL.nodeClaim]) return `already claimed (label ${LABEL.nodeClaim}=${meta.labels[LABEL.nodeClaim]})`;
  if (bmh.status?.errorMessage || bmh.status?.operationalStatus === 'error') {
    return `in error (${bmh.status?.errorType || 'operationalStatus error'})`;
  }
  if (bmh.status?.operationalStatus === 'detached') return 'detached (operationalStatus detached)';
  if (Object.hasOwn(annotations, BMO_ANNOTATION.paused)) return `paused (annotation ${BMO_ANNOTATION.paused})`;
  if (Object.hasOwn(annotations, BMO_ANNOTATION.detached)) return `detached (annotation ${BMO_ANNOTATION.detached})`;
  if (bmh.spec?.externallyProvisioned) return 'externally provisioned';
  if (bmh.spec?.disablePowerOff) return POWER_OFF_DISABLED;
  return undefined;
}
