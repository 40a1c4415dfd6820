import type { Clock } from '../clock.js';
import { ApiError } from '../errors.js';
import { cachedCallReader, type ConversationFacts, type ConversationReader } from '../platform/calls.js';
import { checkCallId } from '../platform/platform.js';
import { Conversation } from '../schemas.js';
import { expectShape, genesysRequest, genesysUnavailable } from './http.js';

export type { ConversationFacts, ConversationReader } from '../platform/calls.js';

export interface ConversationReaderOptions {
  apiUrl: string;
  clock: Clock;
  /** A positive answer is reused this long for the same token and conversation (0: never). */
  cacheSeconds: number;
  timeoutMs?: number;
  maxEntries?: number;
}

const ENDED_STATES = new Set(['disconnected', 'terminated', 'ended']);
const CUSTOMER_PURPOSES = new Set(['customer', 'external']);

export function factsOf(conversation: Conversation, userId: string): ConversationFacts {
  const customer = conversation.participants.find(
    (p) =>
      CUSTOMER_PURPOSES.has((p.purpose ?? '').toLowerCase()) && typeof p.ani === 'string' && p.ani !== '',
  );
  const agentActive =
    conversation.endTime === undefined &&
    conversation.participants.some(
      (p) =>
        p.userId === userId &&
        p.endTime === undefined &&
        !ENDED_STATES.has((p.state ?? '').toLowerCase()) &&
        (p.calls === undefined ||
          p.calls.length === 0 ||
          p.calls.some((c) => !ENDED_STATES.has((c.state ?? '').toLowerCase()))),
    );
  return { customerAni: customer?.ani, agentActive };
}

/**
 * `GET /api/v2/conversations/{id}` with the agent's token: Genesys itself refuses (403) a
 * conversation the agent has no part in, and the participants list says whether the agent is still
 * on it and who the customer is.
 */
export function createConversationReader(options: ConversationReaderOptions): ConversationReader {
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Checked here too, whatever the route did: only a UUID ever reaches a Platform API path.
  const check = (conversationId: string) => checkCallId('genesys', conversationId);
  const ask = async (token: string, conversationId: string, userId: string) => {
    const what = 'about the conversation';
    const answer = await genesysRequest(
      `${options.apiUrl}/api/v2/conversations/${encodeURIComponent(conversationId)}`,
      { token, timeoutMs, what },
    );
    if (answer.status === 401) {
      throw new ApiError(401, 'auth.invalid_token', 'Genesys Cloud refused the bearer token');
    }
    if (answer.status === 403) {
      throw new ApiError(
        403,
        'auth.not_on_conversation',
        'the agent is not a participant of that conversation',
      );
    }
    if (answer.status === 404 || answer.status === 400) {
      throw new ApiError(404, 'conversation.not_found', 'Genesys Cloud knows no conversation with that id');
    }
    if (answer.status < 200 || answer.status > 299) throw genesysUnavailable(what);
    return factsOf(expectShape(Conversation, answer.body, 'the conversation'), userId);
  };
  return cachedCallReader(check, ask, {
    clock: options.clock,
    cacheSeconds: options.cacheSeconds,
    ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}),
  });
}
