/**
 * The contract's typed errors (re-exported by plugin/contract.ts). The host branches on `code`, never
 * on `instanceof`: each plugin version has its own copy of these classes.
 */

// ---------------------------------------------------------------------------------------------
// Typed errors: the host branches on `code`
// ---------------------------------------------------------------------------------------------

export type ProviderErrorCode = 'InsufficientCapacity' | 'InvalidConfiguration' | 'NotFound' | 'Transient' | 'Unsupported';

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  constructor(code: ProviderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = `${code}Error`;
  }
}

/** No eligible machine now; the claim stays Pending and is retried with backoff (no churn). */
export class InsufficientCapacityError extends ProviderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InsufficientCapacity', message, options);
  }
}

/** Bad input; `object` and `field` say exactly where (e.g. `OSImage/ubuntu`, `spec.properties[...]`). */
export class InvalidConfigurationError extends ProviderError {
  readonly object: string;
  readonly field: string;
  constructor(object: string, field: string, problem: string, options?: { cause?: unknown }) {
    super('InvalidConfiguration', `${object}: ${field}: ${problem}`, options);
    this.object = object;
    this.field = field;
  }
}

export class NotFoundError extends ProviderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotFound', message, options);
  }
}

/** The provider does not offer this optional hook (e.g. setPower); retrying does not help. */
export class UnsupportedError extends ProviderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unsupported', message, options);
  }
}

/** Retry later (API unavailable, conflict storm); `retryAfterMs` is a hint. */
export class TransientError extends ProviderError {
  readonly retryAfterMs?: number;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super('Transient', message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

function hasCode(err: unknown, code: ProviderErrorCode): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
export const isInsufficientCapacity = (err: unknown) => hasCode(err, 'InsufficientCapacity');
export const isInvalidConfiguration = (err: unknown): err is InvalidConfigurationError => hasCode(err, 'InvalidConfiguration');
export const isNotFound = (err: unknown) => hasCode(err, 'NotFound');
export const isTransient = (err: unknown) => hasCode(err, 'Transient');
export const isUnsupported = (err: unknown) => hasCode(err, 'Unsupported');
