/**
 * Step: power. Once the machine is provisioned, `spec.power.state` (On|Off, `""` = On) is handed to
 * the provider's setPower, and `status.power.state` reports On / Off, or Starting / Stopping while the
 * machine has not followed yet. The one-shot `machines.vcluster.com/reboot` annotation is handed to
 * the provider's reboot and then removed from the claim.
 */
import { isInvalidConfiguration, isUnsupported, UnsupportedError, type PowerState } from '../../plugin/contract.js';
import { getCondition, isTrue, setCondition } from './conditions.js';
import { recordEvent, type Step, type StepContext } from './context.js';
import { claimView, type NodeClaim } from './types.js';

export const REBOOT_ANNOTATION = 'machines.vcluster.com/reboot';

export const power: Step = async (ctx, claim) => {
  if (claim.status?.phase === 'Failed' || !isTrue(claim, 'Provisioned') || claim.metadata.deletionTimestamp) return {};
  const desired: PowerState = claim.spec.power?.state === 'Off' ? 'Off' : 'On';
  if (!(await handOver(ctx, claim, desired))) return {};
  if (claim.metadata.annotations?.[REBOOT_ANNOTATION] !== undefined && !(await reboot(ctx, claim))) return {};
  const state = await ctx.provider.getNode(claimView(claim));
  if (!state) return {};
  claim.status!.power = { state: reported(desired, state.poweredOn) };
  return claim.status!.power.state === desired ? {} : { requeueAfterMs: ctx.deps.options.pollIntervalMs };
};

/** On/Off once the machine followed; Starting/Stopping while it has not. */
export function reported(desired: PowerState, poweredOn: boolean): string {
  if (desired === 'On') return poweredOn ? 'On' : 'Starting';
  return poweredOn ? 'Stopping' : 'Off';
}

async function handOver(ctx: StepContext, claim: NodeClaim, desired: PowerState): Promise<boolean> {
  const now = ctx.deps.clock.now();
  const previous = getCondition(claim, 'PowerControlled');
  try {
    if (!ctx.provider.setPower) throw new UnsupportedError(`provider ${claim.spec.providerRef} does not support setPower`);
    await ctx.provider.setPower(claimView(claim), desired);
  } catch (err) {
    if (!isInvalidConfiguration(err) && !isUnsupported(err)) throw err;
    // A provider without power control serves claims that ask for nothing but On as before.
    if (isUnsupported(err) && desired === 'On') return true;
    const reason = isUnsupported(err) ? 'PowerUnsupported' : 'InvalidPowerState';
    if (previous?.reason !== reason) recordEvent(ctx, claim, 'Warning', reason, (err as Error).message);
    setCondition(claim, 'PowerControlled', 'False', reason, (err as Error).message, now);
    return false;
  }
  if (previous) setCondition(claim, 'PowerControlled', 'True', 'PowerState', `power ${desired} handed to the provider`, now);
  return true;
}

async function reboot(ctx: StepContext, claim: NodeClaim): Promise<boolean> {
  try {
    if (!ctx.provider.reboot) throw new UnsupportedError(`provider ${claim.spec.providerRef} does not support reboot`);
    await ctx.provider.reboot(claimView(claim));
  } catch (err) {
    if (!isUnsupported(err)) throw err;
    recordEvent(ctx, claim, 'Warning', 'RebootUnsupported', (err as Error).message);
    return false;
  }
  recordEvent(ctx, claim, 'Normal', 'Rebooting', 'reboot requested from the provider');
  const status = claim.status;
  const updated = await ctx.store.removeAnnotation(claim, REBOOT_ANNOTATION);
  claim.metadata = updated.metadata;
  claim.status = status;
  return true;
}
