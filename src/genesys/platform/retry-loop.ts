import type { Logger } from '../../log.js';
import type { OnProgress } from '../../progress.js';
import { GenesysApiError } from './errors.js';
import { decideRetry, type RetryPolicy } from './retry-policy.js';
import type { Clock, Random, Sleep } from './runtime.js';
import type { StatsCounter } from './stats.js';

export interface RetryContext {
  policy: RetryPolicy;
  clock: Clock;
  random: Random;
  sleep: Sleep;
  logger: Logger;
  stats: StatsCounter;
  /** Checked before every retry, so close() stops a call that is waiting out a 429. */
  isClosed: () => boolean;
  /** Aborted by close(): ends a retry pause at once. */
  closing?: AbortSignal;
  /** Told of each pause before a retry, so a person sees why nothing happens. */
  onProgress?: OnProgress;
}

/** Thrown by an attempt to end the loop at once (e.g. a login that already used its own retries). */
export class FinalFailure extends Error {
  constructor(readonly error: GenesysApiError) {
    super(error.message);
    this.name = 'FinalFailure';
  }
}

export interface AttemptHooks {
  /** Whether repeating the attempt is safe after a 5xx or a failure without a response. */
  idempotent: (error: GenesysApiError) => boolean;
  /**
   * Gets a first look at each failure; `true` repeats the attempt at once without using a retry
   * (the single re-login after a 401).
   */
  recover?: (error: GenesysApiError) => boolean;
  description?: string | undefined;
}

export function closedError(): GenesysApiError {
  return new GenesysApiError('genesys.client_closed', 'The Genesys platform client was closed');
}

/**
 * Runs `attempt` until it succeeds, fails in a way not worth repeating, or uses up the policy's
 * retries; waits between attempts as decideRetry says, logging each retry at debug without the
 * token or any body.
 */
export async function withRetries<T>(
  ctx: RetryContext,
  attempt: () => Promise<T>,
  hooks: AttemptHooks,
): Promise<T> {
  for (let retry = 1; ;) {
    try {
      return await attempt();
    } catch (thrown) {
      if (thrown instanceof FinalFailure) throw thrown.error;
      if (!(thrown instanceof GenesysApiError)) throw thrown;
      const error = thrown;
      if (error.status === 429) ctx.stats.add('rateLimited');
      if (hooks.recover?.(error) === true) continue;
      const decision = decideRetry(error, retry, hooks.idempotent(error), ctx.policy, ctx.clock, ctx.random);
      if (!decision) throw error;
      ctx.logger.debug(
        {
          method: error.method,
          path: error.path,
          status: error.status,
          code: error.code,
          retry,
          delayMs: decision.delayMs,
          reason: decision.reason,
          description: hooks.description,
        },
        'retrying Genesys request',
      );
      ctx.stats.add('retries');
      ctx.onProgress?.({
        type: 'wait',
        ms: decision.delayMs,
        reason: decision.reason,
        service: 'Genesys',
        ...(error.status !== undefined ? { status: error.status } : {}),
        ...(error.method && error.path ? { request: `${error.method} ${error.path}` } : {}),
      });
      await ctx.sleep(decision.delayMs, ctx.closing);
      if (ctx.isClosed()) throw closedError();
      retry += 1;
    }
  }
}
