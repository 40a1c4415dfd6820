import type { RequestHandler } from 'express';
import { clientAddress } from '../client-address.js';
import { ApiError } from '../errors.js';
import { stateOf } from '../locals.js';
import type { RateLimiters } from '../rate-limit.js';
import type { AgentVerifier } from './agent-verifier.js';
import { agentUnderBudget } from './failures.js';

/** RFC 6750 b64token; Genesys tokens fit it. Anything else is not worth a call to Genesys. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,4096}=*) *$/i;

/** The token of a well-formed `Authorization: Bearer …` header, else undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

export const missingToken = (tokenName = 'Genesys Cloud token') =>
  new ApiError(401, 'auth.missing_token', `send the agent's ${tokenName} as Authorization: Bearer <token>`);

export const malformedToken = (tokenName = 'Genesys Cloud token') =>
  new ApiError(
    401,
    'auth.malformed_token',
    `the Authorization header must be Bearer followed by the agent's ${tokenName}`,
  );

/**
 * Requires `Authorization: Bearer <agent token>` (Genesys Cloud, or Flex) and checks it with the platform. The verdict
 * (user id, org) goes to res.locals; the token is kept there for calls made on the agent's behalf.
 * A token whose positive verdict is cached passes at once; anything else (no token, a token not
 * seen yet, one Genesys refused) is checked under the client address's failure budget.
 */
export function requireAgent(
  verifier: AgentVerifier,
  limits: Pick<RateLimiters, 'reserveFailure' | 'refundFailure'>,
  trustProxy: number,
  tokenName?: string,
): RequestHandler {
  return async (req, res, next) => {
    const state = stateOf(res);
    state.actor = { type: 'agent', id: 'unauthenticated' };
    const header = req.headers.authorization;
    const token = bearerToken(header);
    const agent = await agentUnderBudget(verifier, limits, clientAddress(req, trustProxy), token, () => {
      if (header === undefined || header.trim() === '') {
        res.setHeader('WWW-Authenticate', 'Bearer');
        throw missingToken(tokenName);
      }
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_request"');
      throw malformedToken(tokenName);
    });
    state.agent = agent;
    state.agentToken = token;
    state.actor = { type: 'agent', id: agent.userId };
    next();
  };
}
