/**
 * The one retry budget of the provider: how many guarded writes (resourceVersion, create-if-absent)
 * one hook call tries before it gives up and answers Transient, and the hint it gives the host.
 */
export const MAX_ATTEMPTS = 5;

/** `retryAfterMs` of the TransientError a call answers when its attempts ran out. */
export const RETRY_AFTER_MS = 1000;
