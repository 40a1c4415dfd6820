import type { RequestHandler } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import { ApiError, sendError } from './errors.js';
import { stateOf } from './locals.js';
import type { ServerMetrics } from './metrics.js';

export interface RateLimiters {
  /** Per agent (Genesys user id); mount after requireAgent. */
  agent: RequestHandler;
  /** Per API key; mount after requireApiKey. */
  apiKey: RequestHandler;
  /** Stops the stores' reset timers. */
  close(): void;
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
  const limiter = (
    kind: 'agent' | 'api_key',
    perMinute: number,
    keyOf: (res: Parameters<RequestHandler>[1]) => string,
  ) => {
    const store = new MemoryStore();
    stores.push(store);
    return rateLimit({
      windowMs: 60_000,
      limit: perMinute,
      store,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      keyGenerator: (_req, res) => keyOf(res),
      // The keys are user ids and key numbers, never addresses: the IP checks do not apply.
      validate: { ip: false, trustProxy: false, xForwardedForHeader: false, keyGeneratorIpFallback: false },
      handler: (req, res) => {
        const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
        const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
        metrics.rateLimited.inc({ kind });
        sendError(
          res,
          new ApiError(
            429,
            'rate_limited',
            kind === 'agent'
              ? `this agent sent more than ${perMinute} requests in a minute; wait before trying again`
              : `this API key sent more than ${perMinute} requests in a minute; wait before trying again`,
            { retryAfterSeconds: seconds },
          ),
        );
      },
    });
  };
  return {
    agent: limiter(
      'agent',
      limits.agentPerMinute,
      (res) => `agent:${stateOf(res).agent?.userId ?? 'unknown'}`,
    ),
    apiKey: limiter('api_key', limits.apiKeyPerMinute, (res) => `key:${stateOf(res).apiKeyIndex ?? 0}`),
    close: () => {
      for (const s of stores) s.shutdown();
    },
  };
}
