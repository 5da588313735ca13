/**
 * The one retry budget of the provider: how many guarded writes (resourceVersion, create-if-absent)
 * one hook call tries before it gives up and answers Transient, and the hint it gives the host.
 */
export const MAX_ATTEMPTS = 5;

/** `retryAfterMs` of the TransientError a call answers when its attempts ran out. */
export const RETRY_AFTER_MS = 1000;

/**
 * `retryAfterMs` when every host that fits is being written by another claim of this replica: one of those
 * writes may still lose (409, a record that moved), so the claim waits a write's time instead of being
 * told there is no capacity.
 */
export const BUSY_HOSTS_RETRY_AFTER_MS = 250;
