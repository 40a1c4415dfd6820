/**
 * A read refreshes the stored last_used_at (and active_at) only when it is older than this, so that
 * a caller verified again and again does not rewrite the row each time. Retention counts in whole
 * days, so a credential old enough to be purged is always refreshed by its next read.
 */
export const LAST_USED_GRANULARITY_MS = 3_600_000;
