/**
 * How createNode claims a host, as a strategy of the one orchestrator (createNode.ts): the plain path
 * writes the claimed host in one guarded PUT (plainClaim.ts); a claim naming a Netris server cluster
 * reserves, moves the switch ports and then configures (fabricClaim.ts).
 */
import type { Logger, NodeClaimView, NodeState } from '../../../plugin/contract.js';
import type { Target, TargetRequest } from '../claimTarget.js';
import type { ProviderSettings } from '../config.js';
import type { IpAllocation } from '../launch/ipReservations.js';
import type { ClaimInputs } from '../launch/resolveInputs.js';
import type { BareMetalHost } from '../types.js';

/** One createNode call as a strategy sees it. */
export interface ClaimRun<Plan> {
  req: TargetRequest;
  plan: Plan;
  log: Logger;
  signal?: AbortSignal;
  /** 1-based number of the attempt under way. */
  attempt: number;
}

/**
 * What one attempt came to: the claimed host's state; `give-up` when this host cannot serve the
 * claim (it is never targeted again by this call); `again` when the claim's record moved meanwhile
 * (the next attempt targets the host it names).
 */
export type AttemptOutcome = NodeState | 'give-up' | 'again';

export interface ClaimStrategy<Plan = unknown> {
  /** What the call needs before its first attempt (the strategy's plan) and the claim's IP, if any. */
  prepare(claim: NodeClaimView, inputs: ClaimInputs, settings: ProviderSettings): Promise<{ plan: Plan; ip?: IpAllocation }>;
  /** One attempt on the targeted host. A lost guarded write throws the KubeConflictError. */
  attempt(target: Target, run: ClaimRun<Plan>): Promise<AttemptOutcome>;
  /** After a lost write: whether the live host found carrying the claim already is the answer. */
  isWon(host: BareMetalHost, claimUid: string): boolean;
  /** Why the call gives up once every attempt failed, e.g. `lost 5 races for BareMetalHosts in a row`. */
  exhausted(attempts: number): string;
}
