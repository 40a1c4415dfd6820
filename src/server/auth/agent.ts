import type { RequestHandler } from 'express';
import { ApiError } from '../errors.js';
import { stateOf } from '../locals.js';
import type { AgentVerifier } from './agent-verifier.js';

/** RFC 6750 b64token; Genesys tokens fit it. Anything else is not worth a call to Genesys. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,4096}=*) *$/i;

/** The token of a well-formed `Authorization: Bearer …` header, else undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/**
 * Requires `Authorization: Bearer <Genesys agent token>` and checks it with the org. The verdict
 * (user id, org) goes to res.locals; the token is kept there for calls made on the agent's behalf.
 */
export function requireAgent(verifier: AgentVerifier): RequestHandler {
  return async (req, res, next) => {
    const state = stateOf(res);
    state.actor = { type: 'agent', id: 'unauthenticated' };
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '') {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new ApiError(
        401,
        'auth.missing_token',
        "send the agent's Genesys Cloud token as Authorization: Bearer <token>",
      );
    }
    const token = bearerToken(header);
    if (token === undefined) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_request"');
      throw new ApiError(
        401,
        'auth.malformed_token',
        'the Authorization header must be Bearer followed by a Genesys Cloud token',
      );
    }
    const agent = await verifier.verify(token);
    state.agent = agent;
    state.agentToken = token;
    state.actor = { type: 'agent', id: agent.userId };
    next();
  };
}
