/**
 * The API's answer inside an error: client-node's ApiException (`code`, `body`), or a plugin's own error that
 * wraps it as `cause` (the metal3 provider's client does), looked through a few levels. One place for the
 * informer's 403 and the pager's 410.
 */

/** How deep a wrapping of an API error (`cause` of `cause`) is looked through. */
const CAUSE_DEPTH = 4;

export interface ApiStatusError {
  code?: number;
  statusCode?: number;
  body?: unknown;
}

/** The error (or a cause of it) that answered HTTP `status`; undefined when none did. */
export function apiErrorWithStatus(err: unknown, status: number): ApiStatusError | undefined {
  let e = err as (ApiStatusError & { cause?: unknown }) | undefined;
  for (let depth = 0; e && depth <= CAUSE_DEPTH; depth++, e = e.cause as typeof e) {
    if (e.code === status || e.statusCode === status) return e;
  }
  return undefined;
}
