import type { RequestHandler, Response } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
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
   * Counts one request of an agent outside Express (the token fast path), in the same budget as
   * `agent`: resolves to undefined when it is allowed, else to the 429 to answer.
   */
  takeAgent(userId: string): Promise<ApiError | undefined>;
  /** Stops the stores' reset timers. */
  close(): void;
}

const WINDOW_MS = 60_000;
export const agentKey = (userId: string) => `agent:${userId}`;

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
 */
export function createRateLimiters(
  limits: { agentPerMinute: number; apiKeyPerMinute: number },
  metrics: ServerMetrics,
): RateLimiters {
  const stores: MemoryStore[] = [];
  const limiter = (kind: Kind, perMinute: number, store: MemoryStore, keyOf: (res: Response) => string) =>
    rateLimit({
      windowMs: WINDOW_MS,
      limit: perMinute,
      store,
      // Retry-After on a 429 says what a client needs; RateLimit headers on every answer cost more than they tell.
      standardHeaders: false,
      legacyHeaders: false,
      keyGenerator: (_req, res) => keyOf(res),
      // The keys are user ids and key numbers, never addresses: the IP checks do not apply.
      validate: { ip: false, trustProxy: false, xForwardedForHeader: false, keyGeneratorIpFallback: false },
      handler: (req, res) => {
        metrics.rateLimited.inc({ kind });
        sendError(
          res,
          limitedError(kind, perMinute, (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime),
        );
      },
    });
  const agentStore = new MemoryStore();
  const keyStore = new MemoryStore();
  stores.push(agentStore, keyStore);
  return {
    agent: limiter('agent', limits.agentPerMinute, agentStore, (res) =>
      agentKey(stateOf(res).agent?.userId ?? 'unknown'),
    ),
    apiKey: limiter(
      'api_key',
      limits.apiKeyPerMinute,
      keyStore,
      (res) => `key:${stateOf(res).apiKeyIndex ?? 0}`,
    ),
    async takeAgent(userId) {
      const hit = await agentStore.increment(agentKey(userId));
      if (hit.totalHits <= limits.agentPerMinute) return undefined;
      metrics.rateLimited.inc({ kind: 'agent' });
      return limitedError('agent', limits.agentPerMinute, hit.resetTime);
    },
    close: () => {
      for (const s of stores) s.shutdown();
    },
  };
}
