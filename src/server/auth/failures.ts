import type { RateLimiters } from '../rate-limit.js';

/**
 * Runs a check that may refuse the caller (an agent token not known yet, an API key) under the
 * client address's failure budget: a failure is reserved before the check, so a flood of bad tokens
 * costs at most `failuresPerMinute` calls to Genesys and audit rows per address and minute, and
 * given back when the check passes. Over the budget, the 429 is thrown before anything is asked.
 */
export async function underFailureBudget<T>(
  limits: Pick<RateLimiters, 'reserveFailure' | 'refundFailure'>,
  address: string,
  check: () => T | Promise<T>,
): Promise<T> {
  const limited = await limits.reserveFailure(address);
  if (limited) throw limited;
  const result = await check();
  await limits.refundFailure(address);
  return result;
}
