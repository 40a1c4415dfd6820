import type { Clock } from '../clock.js';
import { ApiError } from '../errors.js';
import { Conversation, CONVERSATION_ID } from '../schemas.js';
import { expectShape, genesysRequest, genesysUnavailable } from './http.js';

/** What the backend needs to know of a conversation to let an agent touch a caller's credential. */
export interface ConversationFacts {
  /** The customer participant's ANI as Genesys gives it (tel:+34…), or undefined when none is known. */
  customerAni: string | undefined;
  /** Whether the agent is still connected on the call. */
  agentActive: boolean;
}

export interface ConversationReaderOptions {
  apiUrl: string;
  clock: Clock;
  /** A positive answer is reused this long for the same token and conversation (0: never). */
  cacheSeconds: number;
  timeoutMs?: number;
  maxEntries?: number;
}

export interface ConversationReader {
  /**
   * Reads the conversation with the agent's own token; rejects with an ApiError. `cached` may answer
   * from a positive answer of the last `cacheSeconds`; `live` always asks Genesys (and refreshes it).
   */
  read(
    token: string,
    tokenHash: string,
    conversationId: string,
    userId: string,
    freshness: 'live' | 'cached',
  ): Promise<ConversationFacts>;
  /** The facts of a positive answer still cached for this token and conversation; never asks Genesys. */
  cached(tokenHash: string, conversationId: string): ConversationFacts | undefined;
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
  const ttlMs = options.cacheSeconds * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { until: number; facts: ConversationFacts }>();

  const cached = (key: string): ConversationFacts | undefined => {
    const hit = cache.get(key);
    return hit && hit.until > options.clock.now() ? hit.facts : undefined;
  };

  return {
    cached: (tokenHash, conversationId) => cached(`${tokenHash}:${conversationId}`),
    async read(token, tokenHash, conversationId, userId, freshness) {
      // Checked here too, whatever the route did: only a UUID ever reaches a Platform API path.
      if (!CONVERSATION_ID.test(conversationId)) {
        throw new ApiError(
          400,
          'conversation.invalid_id',
          'the conversation id must be a Genesys conversation id (a UUID)',
        );
      }
      const key = `${tokenHash}:${conversationId}`;
      const facts = freshness === 'cached' ? cached(key) : undefined;
      if (facts) return facts;
      cache.delete(key);

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
      const read = factsOf(expectShape(Conversation, answer.body, 'the conversation'), userId);
      if (ttlMs > 0 && read.agentActive) {
        cache.set(key, { until: options.clock.now() + ttlMs, facts: read });
        while (cache.size > maxEntries) {
          const oldest = cache.keys().next().value;
          if (oldest === undefined) break;
          cache.delete(oldest);
        }
      }
      return read;
    },
  };
}
