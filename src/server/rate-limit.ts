import type { RequestHandler } from 'express';
import { MemoryStore, type Options, type Store } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Logger } from '../log.js';
import { ApiError, sendError } from './errors.js';
import { stateOf } from './locals.js';
import type { ServerMetrics } from './metrics.js';

type Kind = 'agent' | 'api_key' | 'address';

export interface RateLimitSettings {
  agentPerMinute: number;
  apiKeyPerMinute: number;
  failuresPerMinute: number;
  redisPrefix: string;
}

/** One Redis command, as node-redis' `sendCommand` runs it; given when `backend.rateLimit.redisUrl` is set. */
export type RedisCommand = (args: string[]) => Promise<unknown>;

export interface RateLimiters {
  /** Per agent (Genesys user id); mount after requireAgent. */
  agent: RequestHandler;
  /** Per API key; mount after requireApiKey. */
  apiKey: RequestHandler;
  /**
   * Counts one request of an agent: resolves to undefined when it is allowed, else to the 429 to
   * answer. The middleware `agent`, the fast path (outside Express) and the relay all count here.
   */
  takeAgent(userId: string): Promise<ApiError | undefined>;
  /** The same for the API key with this 1-based index (api-key-1, api-key-2). */
  takeApiKey(index: number): Promise<ApiError | undefined>;
  /**
   * Reserves one failure of the client address before a check that may fail (an unknown token, an
   * API key): resolves to the 429 to answer instead when the address has used its budget. A check
   * that passes gives the reservation back (refundFailure), so agents whose tokens are good never
   * use the budget, and concurrent checks can never exceed it.
   */
  reserveFailure(address: string): Promise<ApiError | undefined>;
  refundFailure(address: string): Promise<void>;
  /** Where the counts live: `memory` (this process) or `redis` (shared by every instance). */
  readonly shared: 'memory' | 'redis';
  /** Stops the stores' reset timers. */
  close(): void;
}

const WINDOW_MS = 60_000;
export const agentKey = (userId: string) => `agent:${userId}`;
export const apiKeyKey = (index: number) => `key:${index}`;
export const addressKey = (address: string) => `addr:${address}`;

function limitedError(kind: Kind, perMinute: number, resetTime: Date | undefined): ApiError {
  const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
  const what =
    kind === 'agent'
      ? `this agent sent more than ${perMinute} requests in a minute`
      : kind === 'api_key'
        ? `this API key sent more than ${perMinute} requests in a minute`
        : `too many refused or unauthenticated requests came from this address (more than ${perMinute} in a minute)`;
  return new ApiError(429, 'rate_limited', `${what}; wait before trying again`, {
    retryAfterSeconds: seconds,
  });
}

/**
 * Request limits (backend.rateLimit): per agent, per API key, and per client address for failures.
 * The windows are express-rate-limit stores (fixed one-minute windows per key): its MemoryStore in
 * this process, or rate-limit-redis' RedisStore when Redis is configured, so the limits hold across
 * every instance behind a load balancer. One mechanism for everything that counts: the Express
 * middlewares, the fast path and the relay all count through `take*` here.
 *
 * The middleware is a few lines over the stores rather than express-rate-limit's own: that one
 * validates and decorates every request, which cost more than the count itself, and the fast path
 * must count in the very same budget through the very same function anyway.
 *
 * A store that fails (Redis unreachable) lets the request through: the limits protect capacity,
 * and an outage of their counter must not stop verifications. Each such failure is logged and
 * counted (`daspeak_backend_rate_limit_store_errors_total`).
 */
export function createRateLimiters(
  limits: RateLimitSettings,
  metrics: ServerMetrics,
  logger: Logger,
  redis?: RedisCommand,
): RateLimiters {
  const window = (name: string): Store => {
    const store: Store = redis
      ? new RedisStore({
          prefix: `${limits.redisPrefix}${name}:`,
          sendCommand: (...args: string[]) => redis(args) as Promise<RedisReply>,
        })
      : new MemoryStore();
    // init() only reads windowMs (MemoryStore starts the timer that forgets expired keys).
    void Promise.resolve(store.init?.({ windowMs: WINDOW_MS } as Options)).catch((err: unknown) =>
      storeFailed(err, name),
    );
    return store;
  };
  const storeFailed = (err: unknown, what: string) => {
    metrics.rateLimitStoreErrors.inc();
    logger.warn(
      { store: redis ? 'redis' : 'memory', what, reason: err instanceof Error ? err.message : String(err) },
      'rate-limit store failed; the request is let through',
    );
  };
  const agentStore = window('agent');
  const keyStore = window('key');
  const addressStore = window('addr');

  const take = async (kind: Kind, store: Store, key: string, perMinute: number) => {
    let hit;
    try {
      hit = await store.increment(key);
    } catch (err) {
      storeFailed(err, kind);
      return undefined;
    }
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
    reserveFailure: (address) => take('address', addressStore, addressKey(address), limits.failuresPerMinute),
    async refundFailure(address) {
      try {
        await addressStore.decrement(addressKey(address));
      } catch (err) {
        storeFailed(err, 'address');
      }
    },
    shared: redis ? 'redis' : 'memory',
    close: () => {
      for (const store of [agentStore, keyStore, addressStore]) {
        if (store instanceof MemoryStore) store.shutdown();
      }
    },
  };
}
