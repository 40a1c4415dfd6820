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
  /** After a failed refresh, serve the cached token this long before asking the auth server again. */
  retryAfterFailureMs?: number;
  /** Told of each upstream token request's outcome (once per request, however many waited on it). */
  onUpstream?: (outcome: 'ok' | 'error') => void;
}

export interface TokenSource {
  issue(): Promise<IssuedToken>;
  /** Whether a token with validity left is held, without asking anyone. */
  hasValidToken(): boolean;
}

/**
 * das-Peak access tokens for the widget. The provider caches a token until shortly before it
 * expires and makes one request for all concurrent callers; on top of that, while the auth server is
 * down, a cached token that is still valid keeps being served, and the server is asked again only
 * every `retryAfterFailureMs` instead of once per widget.
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const minValidityMs = options.minValidityMs ?? 5_000;
  const retryAfterFailureMs = options.retryAfterFailureMs ?? 5_000;
  let last: AccessToken | undefined;
  let quietUntil = 0;
  // The provider hands every waiter of one request the same token or the same error object.
  const seenErrors = new WeakSet<object>();

  const usable = (token: AccessToken | undefined, now: number): token is AccessToken =>
    token !== undefined && token.expiresAt - now > minValidityMs;

  const issued = (token: AccessToken, now: number): IssuedToken => ({
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    expiresInSeconds: Math.max(0, Math.floor((token.expiresAt - now) / 1000)),
  });

  return {
    hasValidToken: () => usable(last, options.clock.now()),
    async issue() {
      const before = options.clock.now();
      if (before < quietUntil && usable(last, before)) return issued(last, before);
      let token: AccessToken;
      try {
        token = await options.provider.getToken();
      } catch (err) {
        if (typeof err === 'object' && err !== null && !seenErrors.has(err)) {
          seenErrors.add(err);
          options.onUpstream?.('error');
          options.logger.warn(
            {
              code: isDaspeakError(err) ? err.code : 'unknown',
              servingCached: usable(last, options.clock.now()),
            },
            'das-Peak token request failed',
          );
        }
        const now = options.clock.now();
        if (usable(last, now)) {
          quietUntil = now + retryAfterFailureMs;
          return issued(last, now);
        }
        throw tokenUnavailable(err);
      }
      if (token !== last) {
        if (last === undefined || token.accessToken !== last.accessToken) options.onUpstream?.('ok');
        last = token;
      }
      const now = options.clock.now();
      if (!usable(token, now)) throw tokenUnavailable(undefined);
      return issued(token, now);
    },
  };
}

function tokenUnavailable(err: unknown): ApiError {
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
    { retryAfterSeconds: 5, cause: err },
  );
}
