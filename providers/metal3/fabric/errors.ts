/**
 * Errors of the network fabric. Retryable trouble (5xx, timeouts, a move not yet applied) is the
 * contract's TransientError; everything a retry cannot fix is a FabricError with a `reason`.
 * Recognised by `code`, never by instanceof (each plugin version has its own copy of the class).
 */

export type FabricErrorReason =
  /** The fabric rejected the credentials of the netris Secret. */
  | 'Unauthorized'
  /** The host has no NIC with LLDP data (status.hardware.nics[].lldp), so no switch port is known. */
  | 'NoSwitchPorts'
  /** A port seen by LLDP is unknown to the fabric (cabling or inventory mismatch). */
  | 'UnknownPort'
  /** A port of the host sits in another tenant's network; moving it would cross tenants. */
  | 'PortInUse'
  /** The fabric refused the request (4xx other than 401/404) or answered something unreadable. */
  | 'Rejected';

export class FabricError extends Error {
  readonly code = 'FabricError';
  constructor(readonly reason: FabricErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FabricError';
  }
}

export function isFabricError(err: unknown): err is FabricError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'FabricError';
}
