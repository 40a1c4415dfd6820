import type { IncomingMessage } from 'node:http';
import type { Operation } from '../../daspeak/index.js';
import { bearerToken } from '../auth/agent.js';
import type { Agent, AgentVerifier } from '../auth/agent-verifier.js';
import { checkAgentActive, customerE164, missingConversation } from '../auth/caller.js';
import { ApiError } from '../errors.js';
import type { RouteContext } from '../routes/context.js';
import { CONVERSATION_ID } from '../schemas.js';

/** Who a relay socket belongs to, once its handshake passed: the agent, the call and its caller. */
export interface RelayPeer {
  operation: Operation;
  agent: Agent;
  /** The agent's Genesys token, for nothing but the checks made on the agent's behalf. Never logged. */
  token: string;
  conversationId: string;
  /** The conversation's customer number, E.164: the only caller this socket can touch. */
  e164: string;
}

/** What the browser sends in the Socket.IO handshake (`io(url, { auth })`). */
function handshakeFields(auth: unknown): { token: unknown; conversationId: unknown } {
  const fields = typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>) : {};
  return { token: fields.token, conversationId: fields.conversationId };
}

/** The conversation id the handshake names, when it is one; for the audit of a refusal. */
export function namedConversation(auth: unknown): string | undefined {
  const { conversationId } = handshakeFields(auth);
  return typeof conversationId === 'string' && CONVERSATION_ID.test(conversationId)
    ? conversationId
    : undefined;
}

/**
 * Checks a relay handshake as the credential routes check a request, with the conversation read
 * live: the agent's token (org, a user), the agent still connected to the conversation, and the
 * conversation's customer number, which becomes the only caller this socket may register or verify.
 * Throws the ApiError the browser gets as `connect_error`.
 */
export async function authorizeRelay(
  ctx: RouteContext,
  verifier: AgentVerifier,
  operation: Operation,
  auth: unknown,
  onAgent: (agent: Agent) => void,
): Promise<RelayPeer> {
  const fields = handshakeFields(auth);
  if (fields.token === undefined || fields.token === '') {
    throw new ApiError(
      401,
      'auth.missing_token',
      "send the agent's Genesys Cloud token in the Socket.IO auth payload: { token, conversationId }",
    );
  }
  const token = typeof fields.token === 'string' ? bearerToken(`Bearer ${fields.token}`) : undefined;
  if (token === undefined) {
    throw new ApiError(401, 'auth.malformed_token', 'auth.token must be a Genesys Cloud access token');
  }
  if (fields.conversationId === undefined || fields.conversationId === '') throw missingConversation();
  if (typeof fields.conversationId !== 'string' || !CONVERSATION_ID.test(fields.conversationId)) {
    throw new ApiError(
      400,
      'conversation.invalid_id',
      'auth.conversationId must be a Genesys conversation id (a UUID)',
    );
  }
  const conversationId = fields.conversationId;
  const agent = await verifier.verify(token);
  onAgent(agent);
  const limited = await ctx.limits.takeAgent(agent.userId);
  if (limited) throw limited;
  const facts = await ctx.conversations.read(token, agent.tokenHash, conversationId, agent.userId, 'live');
  checkAgentActive(facts);
  const e164 = customerE164(facts, ctx.config.backend.defaultCountry);
  return { operation, agent, token, conversationId, e164 };
}

/** The address a handshake came from, as Express would see it (for the limits on refusals). */
export function handshakeAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
