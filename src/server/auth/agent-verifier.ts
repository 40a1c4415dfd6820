import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { ApiError } from '../errors.js';
import { expectShape, genesysRequest, genesysUnavailable } from '../genesys/http.js';
import type { OrganizationSource } from '../genesys/organization.js';
import { TokenInfo, UserMe } from '../schemas.js';

/** An agent whose Genesys token the org vouched for. */
export interface Agent {
  /** Genesys user id. */
  userId: string;
  organizationId: string;
  /** SHA-256 of the bearer token: names the token in caches without holding it. */
  tokenHash: string;
}

export interface AgentVerifierOptions {
  /** Platform API prefix of the org. */
  apiUrl: string;
  organization: OrganizationSource;
  /** How long a verdict on a token is kept (backend.agentTokenCacheSeconds); 0 asks every time. */
  cacheSeconds: number;
  clock: Clock;
  timeoutMs?: number;
  /** Verdicts kept at most; the oldest go first. */
  maxEntries?: number;
  /** Told whether each verification was answered from the cache or asked of Genesys. */
  onCheck?: (source: 'cache' | 'genesys', outcome: 'ok' | 'refused' | 'unavailable') => void;
}

export interface AgentVerifier {
  /** Resolves to the agent, or rejects with an ApiError (401, 403, 503). */
  verify(token: string): Promise<Agent>;
  /**
   * The agent when a positive verdict on the token is cached and current; never asks Genesys.
   * `tokenHash` spares hashing again when the caller has it already.
   */
  cached(token: string, tokenHash?: string): Agent | undefined;
  /** Whether a check of this token is already being asked of Genesys (a new one would only join it). */
  checking(token: string): boolean;
}

type Verdict = { ok: true; agent: Agent } | { ok: false; error: ApiError };

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export const invalidToken = () =>
  new ApiError(
    401,
    'auth.invalid_token',
    'Genesys Cloud refused the bearer token: it is expired, revoked or not a token of this org',
  );

/**
 * Checks agent tokens against the org's Platform API: `GET /api/v2/tokens/me` for the organization,
 * then `GET /api/v2/users/me` for the user. Verdicts, refusals included, are cached by token hash
 * for `cacheSeconds`; concurrent checks of one token share one pair of requests.
 */
export function createAgentVerifier(options: AgentVerifierOptions): AgentVerifier {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.cacheSeconds * 1000;
  const cache = new Map<string, { until: number; verdict: Verdict }>();
  const inFlight = new Map<string, Promise<Verdict>>();

  function remember(hash: string, verdict: Verdict): void {
    if (ttlMs <= 0) return;
    cache.delete(hash);
    cache.set(hash, { until: options.clock.now() + ttlMs, verdict });
    while (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  }

  async function ask(token: string, tokenHash: string): Promise<Verdict> {
    const what = 'about the agent token';
    // One request after the other: a token Genesys does not know costs one call, not two.
    const info = await genesysRequest(`${options.apiUrl}/api/v2/tokens/me`, { token, timeoutMs, what });
    if (info.status === 401) return { ok: false, error: invalidToken() };
    if (info.status < 200 || info.status > 299) throw genesysUnavailable(what);
    const organizationId = expectShape(TokenInfo, info.body, 'tokens/me').organization.id.toLowerCase();
    const user = await genesysRequest(`${options.apiUrl}/api/v2/users/me`, { token, timeoutMs, what });
    if (user.status === 401) return { ok: false, error: invalidToken() };
    if (user.status === 400 || user.status === 403 || user.status === 404) {
      return {
        ok: false,
        error: new ApiError(
          403,
          'auth.not_an_agent',
          "the bearer token is not a user's token; the widget routes need the agent's own Genesys login",
        ),
      };
    }
    if (user.status < 200 || user.status > 299) throw genesysUnavailable(what);
    const userId = expectShape(UserMe, user.body, 'users/me').id;
    const expected = await options.organization();
    if (organizationId !== expected) {
      return {
        ok: false,
        error: new ApiError(
          403,
          'auth.wrong_org',
          'the bearer token belongs to another Genesys Cloud organization than the one this backend serves',
        ),
      };
    }
    return { ok: true, agent: { userId, organizationId, tokenHash } };
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
            options.onCheck?.('genesys', verdict.ok ? 'ok' : 'refused');
            return verdict;
          },
          (err: unknown) => {
            options.onCheck?.('genesys', 'unavailable');
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
