import type { Request, Response } from 'express';
import { normaliseAni } from '../../identity/ani.js';
import { isKitError } from '../../errors.js';
import type { AccessContext } from '../../store/index.js';
import { ApiError } from '../errors.js';
import type { ConversationFacts, ConversationReader } from '../platform/calls.js';
import { stateOf } from '../locals.js';
import { checkCallId, type PlatformName } from '../platform/platform.js';

/** Header the widget's utils.js sends the conversation id in (a field of the same name also works). */
export const CONVERSATION_HEADER = 'x-conversation-id';

/**
 * The conversation a request names, from the X-Conversation-Id header or a `conversationId` field
 * (already checked by the route's schema). Both may be sent, but then they must agree. A plain
 * function, so the fast path (outside Express) decides exactly as the routes do.
 */
export function conversationIdFrom(
  platform: PlatformName,
  header: string | string[] | undefined,
  field: string | undefined,
): string | undefined {
  if (header !== undefined) checkCallId(platform, header, 'the X-Conversation-Id header');
  if (header !== undefined && field !== undefined && header !== field) {
    throw new ApiError(
      400,
      'conversation.ambiguous',
      'the X-Conversation-Id header and the conversationId field name different conversations',
    );
  }
  return header ?? field;
}

/** conversationIdFrom for an Express request; notes the id for the audit of a refusal. */
export function conversationIdOf(
  platform: PlatformName,
  req: Request,
  res: Response,
  field: string | undefined,
): string | undefined {
  const id = conversationIdFrom(platform, req.headers[CONVERSATION_HEADER], field);
  if (id !== undefined) stateOf(res).conversationId = id;
  return id;
}

export const missingConversation = () =>
  new ApiError(
    400,
    'conversation.missing_id',
    'send the id of the conversation the agent is on (X-Conversation-Id header or conversationId field)',
  );

/** The agent must still be connected to the conversation. */
export function checkAgentActive(facts: ConversationFacts): void {
  if (!facts.agentActive) {
    throw new ApiError(403, 'auth.not_on_conversation', 'the agent is not connected to that conversation');
  }
}

/** The conversation's customer number in E.164; 409 when it has none that normalises. */
export function customerE164(facts: ConversationFacts, defaultCountry: string | undefined): string {
  try {
    return normaliseAni(facts.customerAni, { defaultCountry });
  } catch (err) {
    if (!isKitError(err) || !err.code.startsWith('ani.')) throw err;
    throw new ApiError(
      409,
      'conversation.no_caller_number',
      'the conversation has no usable customer number (withheld or not a phone number)',
    );
  }
}

/**
 * The rule itself, on what Genesys said of the conversation: the agent is still connected, and its
 * customer's ANI, normalised, is `e164` (the requested number, normalised). Throws the refusal.
 */
export function checkConversationCaller(
  facts: ConversationFacts,
  e164: string,
  defaultCountry: string | undefined,
): void {
  checkAgentActive(facts);
  const customer = customerE164(facts, defaultCountry);
  if (customer !== e164) {
    throw new ApiError(403, 'ani.mismatch', "the number is not the caller of the agent's conversation");
  }
}

export interface CallerAccess {
  /** The caller number in E.164, the key of the store. */
  e164: string;
  ctx: AccessContext;
}

/**
 * How fresh the conversation check must be. `live`: asked of Genesys now (writes, deletes, consent
 * changes, relay sessions), so a revoked token or an agent who left is refused at once. `cached`: a
 * positive answer of the last `backend.conversationCacheSeconds` may stand (reads, /token, status).
 */
export type Freshness = 'live' | 'cached';

/**
 * An agent may read, write or delete only the credential of the customer on a conversation the
 * agent is on now: the conversation is read with the agent's own token, and its customer ANI,
 * normalised, must be the number the request names, normalised.
 */
export async function authorizeAgentForCaller(
  res: Response,
  conversations: ConversationReader,
  requestedAni: string,
  conversationId: string | undefined,
  defaultCountry: string | undefined,
  freshness: Freshness,
): Promise<CallerAccess> {
  const state = stateOf(res);
  const agent = state.agent;
  const token = state.agentToken;
  if (!agent || token === undefined) throw new Error('authorizeAgentForCaller used without requireAgent');
  state.requestedAni = requestedAni;
  if (conversationId === undefined) throw missingConversation();
  const e164 = normaliseAni(requestedAni, { defaultCountry });
  const facts = await conversations.read(token, agent.tokenHash, conversationId, agent.userId, freshness);
  checkConversationCaller(facts, e164, defaultCountry);
  return { e164, ctx: { actor: { type: 'agent', id: agent.userId }, conversationId } };
}

/** The agent is on the conversation now (no caller number named): what `GET /token` needs. */
export async function authorizeAgentOnConversation(
  res: Response,
  conversations: ConversationReader,
  conversationId: string | undefined,
  freshness: Freshness,
): Promise<AccessContext> {
  const state = stateOf(res);
  const agent = state.agent;
  const token = state.agentToken;
  if (!agent || token === undefined)
    throw new Error('authorizeAgentOnConversation used without requireAgent');
  if (conversationId === undefined) throw missingConversation();
  const facts = await conversations.read(token, agent.tokenHash, conversationId, agent.userId, freshness);
  checkAgentActive(facts);
  return { actor: { type: 'agent', id: agent.userId }, conversationId };
}
