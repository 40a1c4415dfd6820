import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from '../errors.js';
import { clientAddress } from '../client-address.js';
import { stateOf } from '../locals.js';
import type { RateLimiters } from '../rate-limit.js';

/** Header data actions send the key in (the Genesys integration credential fills it). */
export const API_KEY_HEADER = 'x-api-key';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Returns which configured key (0-based) `presented` is, or -1. Every key is compared, on digests of
 * equal length, so neither the time taken nor an early exit says how much of a guess was right or
 * which key it was close to.
 */
export function matchApiKey(keys: readonly Buffer[], presented: string): number {
  const candidate = digest(presented);
  let found = -1;
  for (let i = 0; i < keys.length; i++) {
    if (timingSafeEqual(keys[i]!, candidate) && found === -1) found = i;
  }
  return found;
}

/** The digests matchApiKey compares against, computed once per app. */
export const apiKeyDigests = (apiKeys: readonly string[]): Buffer[] => apiKeys.map(digest);

/**
 * Which configured key (1-based: api-key-1, api-key-2) the X-API-Key header holds, else the 401 to
 * answer. A plain function: the middleware and the fast path (outside Express) both check through it.
 */
export function apiKeyIndex(keys: readonly Buffer[], presented: string | string[] | undefined): number {
  if (presented === undefined || presented === '') {
    throw new ApiError(401, 'auth.missing_api_key', 'send the backend API key in the X-API-Key header');
  }
  if (typeof presented !== 'string' || presented.length > 1024) {
    throw new ApiError(401, 'auth.invalid_api_key', 'the API key is not valid');
  }
  const index = matchApiKey(keys, presented);
  if (index < 0) throw new ApiError(401, 'auth.invalid_api_key', 'the API key is not valid');
  return index + 1;
}

/**
 * Requires one of `backend.apiKeys` (two during a rotation) in X-API-Key. A wrong or missing key
 * uses the client address's failure budget; over it, the answer is 429 and no audit row.
 */
export function requireApiKey(
  keys: readonly Buffer[],
  limits: Pick<RateLimiters, 'reserveFailure' | 'refundFailure'>,
  trustProxy: number,
): RequestHandler {
  return async (req, res, next) => {
    const state = stateOf(res);
    state.actor = { type: 'ivr', id: 'unauthenticated' };
    const presented = req.headers[API_KEY_HEADER];
    let index: number;
    try {
      index = apiKeyIndex(keys, presented);
    } catch (err) {
      // Counted only when refused: a good key costs nothing and never waits on the count.
      const limited = await limits.reserveFailure(clientAddress(req, trustProxy));
      throw limited ?? err;
    }
    state.apiKeyIndex = index;
    state.actor = { type: 'ivr', id: `api-key-${index}` };
    next();
  };
}
