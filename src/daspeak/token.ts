import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { TokenResponseSchema, type TokenRequest } from './contract.js';
import { DaspeakError } from './errors.js';
import { httpCall } from './http.js';
import { systemClock, type Clock } from './timing.js';
import { parseResponse } from './validate.js';

/** An access token for the Socket.IO channel. */
export interface AccessToken {
  accessToken: string;
  /** As the server said it, `Bearer` when it said nothing. */
  tokenType: string;
  /** Epoch milliseconds at which the server says the token expires (or the assumed lifetime ends). */
  expiresAt: number;
  /** Whether `expires_in` came from the server or `defaultExpiresInSeconds` was assumed. */
  lifetimeAssumed: boolean;
}

export interface TokenProviderOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Refresh this long before expiry, so a token handed out still works when it is presented. */
  refreshMarginSeconds?: number;
  /** Lifetime assumed when the answer has no `expires_in` (NOT FOUND in the docs). */
  defaultExpiresInSeconds?: number;
  /** Per-request timeout of the token call. */
  timeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface TokenProvider {
  /** A cached token, or a new one; concurrent callers share one request. */
  getToken(options?: { signal?: AbortSignal }): Promise<AccessToken>;
  /**
   * Forgets the cached token, e.g. after the server refused it. With `accessToken`, only when that is
   * still the cached one, so many sockets refused at once cause one refresh, not many.
   */
  invalidate(accessToken?: string): void;
}

export const TOKEN_DEFAULTS = {
  refreshMarginSeconds: 60,
  defaultExpiresInSeconds: 300,
  timeoutMs: 10_000,
} as const;

/** OAuth2 client credentials against the das-Peak authentication server (SIO-EX). */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const margin = options.refreshMarginSeconds ?? TOKEN_DEFAULTS.refreshMarginSeconds;
  const assumedLifetime = options.defaultExpiresInSeconds ?? TOKEN_DEFAULTS.defaultExpiresInSeconds;
  const timeoutMs = options.timeoutMs ?? TOKEN_DEFAULTS.timeoutMs;
  const operation = `POST ${pathOf(options.tokenUrl)}`;

  let cached: { token: AccessToken; refreshAt: number } | undefined;
  let inFlight: Promise<AccessToken> | undefined;
  // Bumped by invalidate(): an answer to a request sent before it must not refill the cache.
  let generation = 0;

  async function fetchToken(): Promise<{ token: AccessToken; refreshAt: number }> {
    const startedAt = clock.now();
    const form: TokenRequest = {
      client_id: options.clientId,
      client_secret: options.clientSecret,
      grant_type: 'client_credentials',
    };
    const answer = await httpCall({
      method: 'POST',
      url: options.tokenUrl,
      operation,
      form: new URLSearchParams(form),
      timeoutMs,
      secrets: [options.clientSecret],
      authHint: 'check daspeak.auth.clientId and daspeak.auth.clientSecret (DASPEAK_CLIENT_SECRET)',
      // RFC 6749 §5.2: a refused client is 400 invalid_client / unauthorized_client, or 401.
      isAuthFailure: (status, code) =>
        status === 401 ||
        status === 403 ||
        (status === 400 && ['invalid_client', 'unauthorized_client', 'invalid_grant'].includes(code ?? '')),
    });
    const body = parseResponse(TokenResponseSchema, answer.body, operation);
    const lifetimeAssumed = body.expires_in === undefined;
    const lifetime = body.expires_in ?? assumedLifetime;
    // A margin as long as the lifetime would refetch on every call; never use more than half of it.
    const effectiveMargin = Math.min(margin, lifetime / 2);
    const token: AccessToken = {
      accessToken: body.access_token,
      tokenType: body.token_type ?? 'Bearer',
      expiresAt: startedAt + lifetime * 1000,
      lifetimeAssumed,
    };
    logger.debug({ expiresInSeconds: lifetime, lifetimeAssumed }, 'das-Peak access token issued');
    return { token, refreshAt: startedAt + (lifetime - effectiveMargin) * 1000 };
  }

  function start(): Promise<AccessToken> {
    const requestGeneration = generation;
    const request = fetchToken().then(
      (fresh) => {
        if (requestGeneration === generation) cached = fresh;
        if (inFlight === request) inFlight = undefined;
        return fresh.token;
      },
      (err: unknown) => {
        if (inFlight === request) inFlight = undefined;
        throw err;
      },
    );
    inFlight = request;
    return request;
  }

  return {
    async getToken({ signal } = {}) {
      if (signal?.aborted) throw aborted(operation);
      if (cached && clock.now() < cached.refreshAt) return cached.token;
      const shared = inFlight ?? start();
      if (!signal) return shared;
      // One caller giving up must not cancel the request the others wait on.
      return new Promise<AccessToken>((resolve, reject) => {
        const onAbort = () => reject(aborted(operation));
        signal.addEventListener('abort', onAbort, { once: true });
        shared.then(
          (token) => {
            signal.removeEventListener('abort', onAbort);
            resolve(token);
          },
          (err: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      });
    },
    invalidate(accessToken) {
      if (accessToken !== undefined && cached?.token.accessToken !== accessToken) return;
      cached = undefined;
      generation += 1;
      // A request already under way may return the token just refused; let the next caller ask anew.
      inFlight = undefined;
    },
  };
}

function aborted(operation: string): DaspeakError {
  return new DaspeakError('daspeak.aborted', `${operation}: cancelled by the caller`, { operation });
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
