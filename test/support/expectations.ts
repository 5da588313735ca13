/**
 * Shared expectations: what tests assert again and again, written once. Each fails with the
 * object in question in its message.
 */
import { expect } from '@jest/globals';
import type { NodeClaimView, NodeProvider, ProviderErrorCode, ReleaseState } from '../../plugin/contract.js';
import type { NodeClaim } from '../../platform/nodeClaims/types.js';
import type { TestLab } from './lab.js';
import { waitFor } from './waitFor.js';

export type CaughtProviderError = Error & { code?: string; object?: string; field?: string };

/**
 * Runs `action` (sync or async), expects it to fail with the provider error `code` and, when
 * given, naming `where.object` / `where.field`; returns the error for further assertions.
 */
export async function expectRejectsWith(
  action: (() => unknown) | Promise<unknown>,
  code: ProviderErrorCode | 'FabricError',
  where: { object?: string | RegExp; field?: string | RegExp } = {},
): Promise<CaughtProviderError> {
  let caught: unknown;
  let threw = false;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (err) {
    caught = err;
    threw = true;
  }
  if (!threw) throw new Error(`expected a ${code} error, but nothing was thrown`);
  const err = caught as CaughtProviderError;
  expect({ code: err?.code, message: err?.message }).toMatchObject({ code });
  if (where.object !== undefined) expect(err.object).toEqual(where.object instanceof RegExp ? expect.stringMatching(where.object) : where.object);
  if (where.field !== undefined) expect(err.field).toEqual(where.field instanceof RegExp ? expect.stringMatching(where.field) : where.field);
  return err;
}

/** The claim's condition `type` matches `expected` (e.g. `{ status: 'False', reason: 'JoinTimeout' }`). */
export function expectClaimCondition(claim: NodeClaim | undefined, type: string, expected: { status?: string; reason?: string; message?: string | RegExp }): void {
  const found = claim?.status?.conditions?.find((c) => c.type === type);
  const { message, ...rest } = expected;
  expect(found).toMatchObject({ type, ...rest, ...(message === undefined ? {} : { message: typeof message === 'string' ? message : expect.stringMatching(message) }) });
}

/** Asserts the claim holds no host, Secret or IP reservation in the lab's hosts namespace. */
export async function expectNothingLeftFor(lab: TestLab, claimUid: string): Promise<void> {
  const selector = `metal3.vcluster.com/node-claim=${claimUid}`;
  const secrets = await lab.core.listNamespacedSecret({ namespace: lab.namespace, labelSelector: selector });
  const reservations = await lab.core.listNamespacedConfigMap({ namespace: lab.namespace, labelSelector: selector });
  const hosts = (await lab.custom.listNamespacedCustomObject({
    group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', namespace: lab.namespace, labelSelector: selector,
  })) as { items: unknown[] };
  expect({ secrets: secrets.items.length, reservations: reservations.items.length, hosts: hosts.items.length })
    .toEqual({ secrets: 0, reservations: 0, hosts: 0 });
}

/**
 * Calls deleteNode until it answers something other than Releasing, and expects that answer to be
 * Released (a Failed release fails here, with its state). Returns the Released state.
 */
export async function expectEventuallyReleased(provider: NodeProvider, claim: NodeClaimView, timeoutMs = 10_000): Promise<ReleaseState> {
  const settled = await waitFor(async () => {
    const state = await provider.deleteNode(claim);
    return state.phase === 'Releasing' ? undefined : state;
  }, { what: `deleteNode of ${claim.namespace}/${claim.name} to stop answering Releasing`, timeoutMs });
  expect(settled).toMatchObject({ phase: 'Released' });
  return settled;
}
