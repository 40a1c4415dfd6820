import type { AccessToken, TokenProvider } from '../../daspeak/index.js';
import { isDaspeakError } from '../../daspeak/index.js';
import type { Logger } from '../../log.js';
import type { Clock } from '../clock.js';
import { ApiError } from '../errors.js';

/** A token handed to the widget, with the seconds it still has. */
export interface IssuedToken {
  accessToken: string;
  tokenType: string;
  expiresInSeconds: number;
}

export interface TokenSourceOptions {
  provider: TokenProvider;
  clock: Clock;
  logger: Logger;
  /** A token with less validity left than this is never handed out (it would expire on connect). */
  minValidityMs?: number;
  /** The pause after the first failed upstream request; each further failure doubles it. */
  firstPauseMs?: number;
  /** The longest pause between two upstream requests while the auth server keeps failing. */
  maxPauseMs?: number;
  /** Told of each upstream token request's outcome (once per request, however many waited on it). */
  onUpstream?: (outcome: 'ok' | 'error') => void;
}

/** What the source knows without asking anyone (for /readyz). */
export interface TokenSourceState {
  /** A token with validity left is held. */
  valid: boolean;
  /** The code of the last failed upstream request, while failures go on. */
  lastError?: string;
  /** Epoch ms before which the auth server is not asked again (0: it may be asked now). */
  pausedUntil: number;
}

export interface TokenSource {
  /** A token for the widget (direct mode), with the seconds it still has. */
  issue(): Promise<IssuedToken>;
  /** The token itself, for the backend's own das-Peak sessions (relay mode). */
  accessToken(): Promise<AccessToken>;
  /** Whether a token with validity left is held, without asking anyone. */
  hasValidToken(): boolean;
  state(): TokenSourceState;
}

/**
 * das-Peak access tokens for the widget and the relay. The provider caches a token until shortly
 * before it expires and makes one request for all concurrent callers (one upstream attempt at a
 * time). On top of that, when a request fails the auth server is left alone for a pause that
 * doubles with each further failure (firstPauseMs, 2×, 4×… up to maxPauseMs) and resets on a
 * success; during the pause a cached token that is still valid keeps being served, and without one
 * the answer is token.unavailable with the pause left as Retry-After, without an upstream request.
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const minValidityMs = options.minValidityMs ?? 5_000;
  const firstPauseMs = options.firstPauseMs ?? 1_000;
  const maxPauseMs = options.maxPauseMs ?? 60_000;
  let last: AccessToken | undefined;
  let failures = 0;
  let pausedUntil = 0;
  let lastError: unknown;
  // The provider hands every waiter of one request the same token or the same error object.
  const seenErrors = new WeakSet<object>();

  const usable = (token: AccessToken | undefined, now: number): token is AccessToken =>
    token !== undefined && token.expiresAt - now > minValidityMs;

  const issued = (token: AccessToken, now: number): IssuedToken => ({
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    expiresInSeconds: Math.max(0, Math.floor((token.expiresAt - now) / 1000)),
  });

  async function accessToken(): Promise<AccessToken> {
    const before = options.clock.now();
    if (before < pausedUntil) {
      if (usable(last, before)) return last;
      throw tokenUnavailable(lastError, pausedUntil - before);
    }
    let token: AccessToken;
    try {
      token = await options.provider.getToken();
    } catch (err) {
      const now = options.clock.now();
      if (typeof err === 'object' && err !== null && !seenErrors.has(err)) {
        seenErrors.add(err);
        failures += 1;
        lastError = err;
        pausedUntil = now + Math.min(maxPauseMs, firstPauseMs * 2 ** (failures - 1));
        options.onUpstream?.('error');
        options.logger.warn(
          {
            code: isDaspeakError(err) ? err.code : 'unknown',
            servingCached: usable(last, now),
            failures,
            pauseMs: pausedUntil - now,
          },
          'das-Peak token request failed; backing off',
        );
      }
      if (usable(last, now)) return last;
      throw tokenUnavailable(err, Math.max(0, pausedUntil - now));
    }
    failures = 0;
    pausedUntil = 0;
    lastError = undefined;
    if (token !== last) {
      if (last === undefined || token.accessToken !== last.accessToken) options.onUpstream?.('ok');
      last = token;
    }
    if (!usable(token, options.clock.now())) throw tokenUnavailable(undefined, 0);
    return token;
  }

  return {
    hasValidToken: () => usable(last, options.clock.now()),
    state: () => ({
      valid: usable(last, options.clock.now()),
      ...(lastError !== undefined
        ? { lastError: isDaspeakError(lastError) ? lastError.code : 'token.unavailable' }
        : {}),
      pausedUntil,
    }),
    accessToken,
    async issue() {
      const token = await accessToken();
      return issued(token, options.clock.now());
    },
  };
}

function tokenUnavailable(err: unknown, pauseMs: number): ApiError {
  if (isDaspeakError(err) && err.code === 'daspeak.auth_failed') {
    return new ApiError(
      502,
      'token.upstream_refused',
      "the das-Peak authentication server refused the backend's client credentials; the operator must check daspeak.auth",
      { cause: err },
    );
  }
  const why = isDaspeakError(err) ? ` (${err.code})` : '';
  return new ApiError(
    503,
    'token.unavailable',
    `the das-Peak authentication server could not issue a token${why}; try again shortly`,
    { retryAfterSeconds: Math.max(1, Math.ceil(pauseMs / 1000)), cause: err },
  );
}
