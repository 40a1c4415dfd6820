import type { Clock } from '../clock.js';

/** What the backend needs to know of a call to let an agent touch a caller's credential. */
export interface ConversationFacts {
  /** The customer's number as the platform gives it (tel:+34…, +34…), or undefined when none is known. */
  customerAni: string | undefined;
  /** Whether the agent is on the call now. */
  agentActive: boolean;
}

/** The facts of a call for an agent, from the platform (a Genesys conversation, a Flex voice task). */
export interface ConversationReader {
  /**
   * The facts of the call for the agent whose token this is; rejects with an ApiError. `cached` may
   * answer from a positive answer of the last `cacheSeconds`; `live` always asks the platform (and
   * refreshes it), so a revoked token or an agent who left is refused at once.
   */
  read(
    token: string,
    tokenHash: string,
    conversationId: string,
    userId: string,
    freshness: 'live' | 'cached',
  ): Promise<ConversationFacts>;
  /** The facts of a positive answer still cached for this token and call; never asks the platform. */
  cached(tokenHash: string, conversationId: string): ConversationFacts | undefined;
}

export interface CallReaderOptions {
  clock: Clock;
  /** A positive answer is reused this long for the same token and call (0: never). */
  cacheSeconds: number;
  maxEntries?: number;
}

/**
 * A ConversationReader around one platform's live question (`ask`): answers in which the agent is
 * on the call are cached per token and call for `cacheSeconds`; `check` runs first, every time,
 * and refuses a call id the platform cannot have (before anything is asked).
 */
export function cachedCallReader(
  check: (conversationId: string) => void,
  ask: (
    token: string,
    conversationId: string,
    userId: string,
    freshness: 'live' | 'cached',
  ) => Promise<ConversationFacts>,
  options: CallReaderOptions,
): ConversationReader {
  const ttlMs = options.cacheSeconds * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { until: number; facts: ConversationFacts }>();

  const cached = (key: string): ConversationFacts | undefined => {
    const hit = cache.get(key);
    return hit && hit.until > options.clock.now() ? hit.facts : undefined;
  };

  return {
    cached: (tokenHash, conversationId) => cached(`${tokenHash}:${conversationId}`),
    async read(token, tokenHash, conversationId, userId, freshness) {
      check(conversationId);
      const key = `${tokenHash}:${conversationId}`;
      const facts = freshness === 'cached' ? cached(key) : undefined;
      if (facts) return facts;
      cache.delete(key);
      const read = await ask(token, conversationId, userId, freshness);
      if (ttlMs > 0 && read.agentActive) {
        cache.set(key, { until: options.clock.now() + ttlMs, facts: read });
        while (cache.size > maxEntries) {
          const oldest = cache.keys().next().value;
          if (oldest === undefined) break;
          cache.delete(oldest);
        }
      }
      return read;
    },
  };
}
