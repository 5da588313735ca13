/** `""` / `unmanaged` → `registering` → `inspecting` (or `preparing`, `externally provisioned`). */
import { inspectionDisabled } from './annotations.js';
import { bmcDriverFor, parseBmcAddress } from './admission/bmcAccess.js';
import {
  healthyStatus, newIronicId, operationEnded, operationStarted, withError, withState, withoutError,
} from './hostStatus.js';
import type { HostView, ReconcileDeps, Step } from './step.js';
import { retryDelay } from './timings.js';
import { ProvisioningState as S } from './types.js';

export function reconcileUnregistered(v: HostView, deps: ReconcileDeps): Step {
  const s = v.status;
  if (!v.host.spec.bmc?.address) {
    if (s.provisioning.state === S.Unmanaged) return {};
    return { status: { ...withState(s, S.Unmanaged), operationalStatus: 'discovered' } };
  }
  let next = withState(s, S.Registering);
  next = { ...next, operationalStatus: healthyStatus(next), provisioning: { ...next.provisioning, ID: s.provisioning.ID || newIronicId() } };
  return { status: operationStarted(next, 'register', deps.now()), requeueMs: 0 };
}

interface Credentials { name: string; namespace: string; resourceVersion?: string }

/** Why registration fails (BMO's wording, in the order its controller checks), or the credentials that worked. */
async function register(v: HostView, deps: ReconcileDeps): Promise<{ error: string; afterCommit?: Array<() => void> } | Credentials> {
  const bmc = v.host.spec.bmc!;
  const namespace = v.host.metadata.namespace ?? 'default';
  if (!bmc.credentialsName) return { error: 'No BMC CredentialsName defined The BMC secret reference is empty' };
  const secret = await deps.readSecret(namespace, bmc.credentialsName);
  if (!secret) return { error: `BMC CredentialsName secret doesn't exist The BMC secret ${namespace}/${bmc.credentialsName} does not exist` };
  if (!secret.data.username) return { error: "Validation error with BMC credentials: Missing BMC connection detail 'username' in credentials" };
  if (!secret.data.password) return { error: "Validation error with BMC credentials: Missing BMC connection details 'password' in credentials" };
  const driver = bmcDriverFor(bmc.address);
  if ('error' in driver) return driver;
  const parsed = parseBmcAddress(bmc.address) as { hostname: string };
  const fault = deps.faults.pending(v.name, v.plan, 'bmcUnreachable');
  if (fault) {
    const detail = fault.message ?? `Unable to establish a connection with the BMC at ${parsed.hostname}: connection timed out`;
    return {
      error: `Failed to get power state for node ${v.status.provisioning.ID}. Error: ${detail}`,
      afterCommit: [() => deps.faults.consume(v.name, v.plan, 'bmcUnreachable')],
    };
  }
  return { name: bmc.credentialsName, namespace, resourceVersion: secret.resourceVersion };
}

export async function reconcileRegistering(v: HostView, deps: ReconcileDeps): Promise<Step> {
  const s = v.status;
  if (!v.host.spec.bmc?.address) return { status: { ...withState(withoutError(s), S.Unmanaged), operationalStatus: 'discovered' } };
  const failing = s.errorType === 'registration error';
  const wait = failing ? retryDelay(deps.timings, s.errorCount) : deps.timings.registering;
  const left = deps.clock.remaining(v.name, `registering|${s.errorCount}`, wait);
  if (left > 0) return { requeueMs: left };
  const result = await register(v, deps);
  if ('error' in result) {
    const failed = withError(s, 'registration error', result.error);
    return { status: failed, requeueMs: retryDelay(deps.timings, failed.errorCount), afterCommit: result.afterCommit };
  }
  const now = deps.now();
  let next = operationEnded(withoutError(s), 'register', now);
  next.goodCredentials = {
    credentials: { name: result.name, namespace: result.namespace },
    credentialsVersion: result.resourceVersion ?? '',
  };
  if (v.host.spec.externallyProvisioned) next = withState(next, S.ExternallyProvisioned);
  else if (inspectionDisabled(v.host)) next = withState(next, S.Preparing);
  else next = operationStarted(withState(next, S.Inspecting), 'inspect', now);
  return { status: next, requeueMs: 0 };
}
