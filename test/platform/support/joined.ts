/** Brings a NodeClaim through the fake provider and the tenant API to Joined/Available. */
import type { NodeClaim } from '../../../platform/nodeClaims/types.js';
import type { FakeProvider } from './fakeProvider.js';
import type { Harness } from './harness.js';
import { createClaim, getClaim, joinTenantNode } from './objects.js';
import { waitFor } from '../../support/waitFor.js';

export interface JoinedClaim {
  name: string;
  uid: string;
  /** The tenant Node's name (the fake provider's host name). */
  node: string;
}

/** Creates a claim (or takes `existing`), provisions it and registers its Node; `ready` false stops at a NotReady Node. */
export async function joinedClaim(
  h: Harness, provider: FakeProvider, spec: Partial<NodeClaim['spec']> & { providerRef: string }, opts: { ready?: boolean; existing?: NodeClaim } = {},
): Promise<JoinedClaim> {
  const created = opts.existing ?? (await createClaim(h, spec));
  const name = created.metadata.name!;
  const uid = created.metadata.uid!;
  await waitFor(() => provider.nodes.get(uid), { what: `createNode for ${name}` });
  provider.setPhase(uid, 'Provisioned');
  const node = provider.nodes.get(uid)!.machine.name;
  await joinTenantNode(h, node, opts.ready ?? true);
  if (opts.ready ?? true) await waitFor(async () => (await getClaim(h, name))?.status?.phase === 'Available', { what: `${name} Available` });
  return { name, uid, node };
}
