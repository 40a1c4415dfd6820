import type { Agent, AgentVerifier } from './agent-verifier.js';
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

/**
 * The agent a bearer token belongs to, under the failure budget of the client address: a positive
 * verdict in the cache passes at once; a token already being checked joins that check (one
 * reservation per token, not per request), and counts as a failure only if it is refused; anything
 * else — `invalid()` for no usable token, a token not seen yet, one Genesys refused — is checked
 * under the budget.
 */
export async function agentUnderBudget(
  verifier: Pick<AgentVerifier, 'cached' | 'checking' | 'verify'>,
  limits: Pick<RateLimiters, 'reserveFailure' | 'refundFailure'>,
  address: string,
  token: string | undefined,
  invalid: () => never,
): Promise<Agent> {
  if (token !== undefined) {
    const known = verifier.cached(token);
    if (known) return known;
    if (verifier.checking(token)) {
      try {
        return await verifier.verify(token);
      } catch (err) {
        throw (await limits.reserveFailure(address)) ?? err;
      }
    }
  }
  return underFailureBudget(limits, address, () =>
    token === undefined ? invalid() : verifier.verify(token),
  );
}
