import type { Response } from 'express';
import type { Actor, AuditAction } from '../store/index.js';
import type { Agent } from './auth/agent-verifier.js';

/** What the middlewares of one request learn and hand on, kept in `res.locals`. */
export interface RequestState {
  requestId: string;
  /** The audit action a refusal of this route is recorded under, when the store has one for it. */
  audit?: AuditAction;
  /** Who is asking, once known (an agent or the API key's holder). */
  actor?: Actor;
  agent?: Agent;
  /** The agent's bearer token, for the calls made to Genesys on the agent's behalf. Never logged. */
  agentToken?: string;
  /** The conversation the request names, once it passed its syntax check. */
  conversationId?: string;
  /** The caller number the request names, as given (the store hashes it for the audit row). */
  requestedAni?: string;
  /** Which configured API key matched (1 or 2), for rate limits and the audit actor. */
  apiKeyIndex?: number;
}

export function stateOf(res: Response): RequestState {
  return res.locals as RequestState;
}
