import type { RequestHandler } from 'express';
import { MemoryStore, type Options } from 'express-rate-limit';
import { ApiError, sendError } from './errors.js';
import { stateOf } from './locals.js';
import type { ServerMetrics } from './metrics.js';

type Kind = 'agent' | 'api_key';

export interface RateLimiters {
  /** Per agent (Genesys user id); mount after requireAgent. */
  agent: RequestHandler;
  /** Per API key; mount after requireApiKey. */
  apiKey: RequestHandler;
  /**
   * Counts one request of an agent: resolves to undefined when it is allowed, else to the 429 to
   * answer. The middleware `agent` and the fast path (outside Express) both count through this.
   */
  takeAgent(userId: string): Promise<ApiError | undefined>;
  /** The same for the API key with this 1-based index (api-key-1, api-key-2). */
  takeApiKey(index: number): Promise<ApiError | undefined>;
  /** Stops the stores' reset timers. */
  close(): void;
}

const WINDOW_MS = 60_000;
export const agentKey = (userId: string) => `agent:${userId}`;
export const apiKeyKey = (index: number) => `key:${index}`;

function limitedError(kind: Kind, perMinute: number, resetTime: Date | undefined): ApiError {
  const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
  const who = kind === 'agent' ? 'this agent' : 'this API key';
  return new ApiError(
    429,
    'rate_limited',
    `${who} sent more than ${perMinute} requests in a minute; wait before trying again`,
    { retryAfterSeconds: seconds },
  );
}

/**
 * Request limits per agent and per API key (backend.rateLimit), counted in this process. Behind a
 * load balancer each instance counts its own share, which errs on the side of letting work through.
 *
 * The windows are express-rate-limit's MemoryStore (fixed one-minute windows per key). The
 * middleware is a few lines over it rather than express-rate-limit's own: that one validates and
 * decorates every request, which cost more than the count itself, and the fast path must count in
 * the very same budget through the very same function anyway.
 */
export function createRateLimiters(
  limits: { agentPerMinute: number; apiKeyPerMinute: number },
  metrics: ServerMetrics,
): RateLimiters {
  const window = (): MemoryStore => {
    const store = new MemoryStore();
    // init() only reads windowMs (and starts the timer that forgets expired keys).
    store.init({ windowMs: WINDOW_MS } as Options);
    return store;
  };
  const agentStore = window();
  const keyStore = window();

  const take = async (kind: Kind, store: MemoryStore, key: string, perMinute: number) => {
    const hit = await store.increment(key);
    if (hit.totalHits <= perMinute) return undefined;
    metrics.rateLimited.inc({ kind });
    return limitedError(kind, perMinute, hit.resetTime);
  };
  const takeAgent = (userId: string) => take('agent', agentStore, agentKey(userId), limits.agentPerMinute);
  const takeApiKey = (index: number) => take('api_key', keyStore, apiKeyKey(index), limits.apiKeyPerMinute);

  const middleware =
    (limited: (state: ReturnType<typeof stateOf>) => Promise<ApiError | undefined>): RequestHandler =>
    async (_req, res, next) => {
      const refusal = await limited(stateOf(res));
      if (refusal) {
        sendError(res, refusal);
        return;
      }
      next();
    };

  return {
    agent: middleware((state) => takeAgent(state.agent?.userId ?? 'unknown')),
    apiKey: middleware((state) => takeApiKey(state.apiKeyIndex ?? 0)),
    takeAgent,
    takeApiKey,
    close: () => {
      agentStore.shutdown();
      keyStore.shutdown();
    },
  };
}
