import type { Operation } from '../../daspeak/index.js';
import { bearerToken } from '../auth/agent.js';
import type { Agent, AgentVerifier } from '../auth/agent-verifier.js';
import { checkAgentActive, customerE164, missingConversation } from '../auth/caller.js';
import { agentUnderBudget } from '../auth/failures.js';
import { ApiError } from '../errors.js';
import type { RouteContext } from '../routes/context.js';
import { checkCallId } from '../platform/platform.js';
import { CALL_ID } from '../schemas.js';

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
  return typeof conversationId === 'string' && CALL_ID.test(conversationId) ? conversationId : undefined;
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
  address: string,
  onAgent: (agent: Agent) => void,
): Promise<RelayPeer> {
  const fields = handshakeFields(auth);
  const token = typeof fields.token === 'string' ? bearerToken(`Bearer ${fields.token}`) : undefined;
  // As for the HTTP routes: a token whose positive verdict is cached passes at once; anything else
  // is checked under the client address's failure budget (a flood of bad tokens costs nothing).
  const agent = await agentUnderBudget(verifier, ctx.limits, address, token, () => {
    if (fields.token === undefined || fields.token === '') {
      throw new ApiError(
        401,
        'auth.missing_token',
        `send the agent's ${ctx.platform.tokenName} in the Socket.IO auth payload: { token, conversationId }`,
      );
    }
    throw new ApiError(
      401,
      'auth.malformed_token',
      `auth.token must be the agent's ${ctx.platform.tokenName}`,
    );
  });
  onAgent(agent);
  if (fields.conversationId === undefined || fields.conversationId === '') throw missingConversation();
  checkCallId(ctx.platform.name, fields.conversationId, 'auth.conversationId');
  const conversationId = fields.conversationId;
  const limited = await ctx.limits.takeAgent(agent.userId);
  if (limited) throw limited;
  const facts = await ctx.conversations.read(token!, agent.tokenHash, conversationId, agent.userId, 'live');
  checkAgentActive(facts);
  const e164 = customerE164(facts, ctx.config.backend.defaultCountry);
  return { operation, agent, token: token!, conversationId, e164 };
}
