import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ApiError } from '../errors.js';

/** An agent whose token the platform vouched for. */
export interface Agent {
  /** Who the agent is on the platform: the Genesys user id, or the Twilio TaskRouter worker SID (WK…). */
  userId: string;
  /** The Genesys organization id, or the Twilio account SID (AC…) the token was checked against. */
  organizationId: string;
  /** SHA-256 of the bearer token: names the token in caches without holding it. */
  tokenHash: string;
}

/** Where a verdict came from, for `daspeak_backend_agent_token_checks_total{source}`. */
export type CheckSource = 'cache' | 'genesys' | 'twilio';
export type CheckOutcome = 'ok' | 'refused' | 'unavailable';

export interface AgentVerifier {
  /** Resolves to the agent, or rejects with an ApiError (401, 403, 503). */
  verify(token: string): Promise<Agent>;
  /**
   * The agent when a positive verdict on the token is cached and current; never asks the platform.
   * `tokenHash` spares hashing again when the caller has it already.
   */
  cached(token: string, tokenHash?: string): Agent | undefined;
  /** Whether a check of this token is already being asked of the platform (a new one would only join it). */
  checking(token: string): boolean;
}

/**
 * What the platform said of one token. A positive verdict may say until when the token itself is
 * valid (a Flex token's expiration): it is never kept past that.
 */
export type Verdict = { ok: true; agent: Agent; validUntil?: number } | { ok: false; error: ApiError };

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export interface VerdictCacheOptions {
  /** How long a verdict on a token is kept (backend.agentTokenCacheSeconds); 0 asks every time. */
  cacheSeconds: number;
  clock: Clock;
  /** The `source` label of a check asked of the platform. */
  source: Exclude<CheckSource, 'cache'>;
  /** Verdicts kept at most; the oldest go first. */
  maxEntries?: number;
  /** Told whether each verification was answered from the cache or asked of the platform. */
  onCheck?: (source: CheckSource, outcome: CheckOutcome) => void;
}

/**
 * An AgentVerifier around one platform's check (`ask`): verdicts, refusals included, are cached by
 * token hash for `cacheSeconds` (a positive one never past the token's own end), and concurrent
 * checks of one token share one check. `ask` resolves to a verdict, or rejects (an ApiError such
 * as 503) when the platform could not say; such a failure is not cached.
 */
export function verdictCache(
  ask: (token: string, tokenHash: string) => Promise<Verdict>,
  options: VerdictCacheOptions,
): AgentVerifier {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.cacheSeconds * 1000;
  const cache = new Map<string, { until: number; verdict: Verdict }>();
  const inFlight = new Map<string, Promise<Verdict>>();

  function remember(hash: string, verdict: Verdict): void {
    if (ttlMs <= 0) return;
    const now = options.clock.now();
    const until = Math.min(
      now + ttlMs,
      verdict.ok && verdict.validUntil !== undefined ? verdict.validUntil : Infinity,
    );
    if (until <= now) return;
    cache.delete(hash);
    cache.set(hash, { until, verdict });
    while (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  }

  return {
    checking: (token) => inFlight.has(hashToken(token)),
    cached(token, tokenHash = hashToken(token)) {
      const hit = cache.get(tokenHash);
      if (!hit?.verdict.ok || hit.until <= options.clock.now()) return undefined;
      options.onCheck?.('cache', 'ok');
      return hit.verdict.agent;
    },
    async verify(token) {
      const tokenHash = hashToken(token);
      const hit = cache.get(tokenHash);
      if (hit && hit.until > options.clock.now()) {
        options.onCheck?.('cache', hit.verdict.ok ? 'ok' : 'refused');
        if (hit.verdict.ok) return hit.verdict.agent;
        throw hit.verdict.error;
      }
      if (hit) cache.delete(tokenHash);
      let pending = inFlight.get(tokenHash);
      if (!pending) {
        pending = ask(token, tokenHash).then(
          (verdict) => {
            remember(tokenHash, verdict);
            options.onCheck?.(options.source, verdict.ok ? 'ok' : 'refused');
            return verdict;
          },
          (err: unknown) => {
            options.onCheck?.(options.source, 'unavailable');
            throw err;
          },
        );
        inFlight.set(tokenHash, pending);
        pending.then(
          () => inFlight.delete(tokenHash),
          () => inFlight.delete(tokenHash),
        );
      }
      const verdict = await pending;
      if (verdict.ok) return verdict.agent;
      throw verdict.error;
    },
  };
}
