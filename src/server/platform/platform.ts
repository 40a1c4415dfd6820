import type { AudioProtocol } from '../../daspeak/index.js';
import type { AgentVerifier } from '../auth/verdicts.js';
import { ApiError } from '../errors.js';
import type { ConversationReader } from './calls.js';
import { CALL_SID, CONVERSATION_ID } from '../schemas.js';

/** The contact-center platforms the backend serves agents of (config `platform`). */
export type PlatformName = 'genesys' | 'twilio';

/**
 * What the backend needs of the contact-center platform its agents work in: who an agent's token
 * belongs to, and what a call is to that agent (is the agent on it, who is the caller). Everything
 * else — routes, consent, the store, rate limits, audit, the relay — is the same for every
 * platform. Genesys Cloud (platform/genesys.ts) and Twilio Flex (platform/twilio.ts) implement it.
 */
export interface AgentPlatform {
  readonly name: PlatformName;
  /** Checks the agent's bearer token; verdicts cached per token (backend.agentTokenCacheSeconds). */
  readonly verifier: AgentVerifier;
  /**
   * The facts of a call for an agent: whether the agent is on it now, and its customer's number.
   * Refuses (400 `conversation.invalid_id`) a call id of another platform before asking anything.
   */
  readonly calls: ConversationReader;
  /** das-Peak's `audio_protocol` for this platform's call audio (`call_id` is the platform's call id). */
  readonly audioProtocol: AudioProtocol;
  /** Origin of the agent UI the widget runs in: allowed by CORS and as a frame ancestor. */
  readonly appsOrigin: string;
  /** Origin of the platform API the widget page may call itself (CSP connect-src). */
  readonly apiOrigin: string;
  /** What the agent's bearer token is called in messages ("Genesys Cloud token", "Flex token"). */
  readonly tokenName: string;
  /**
   * Makes the call's audio reach das-Peak for a session about to start on it, where the platform
   * needs asking (Twilio: das-Peak closes a Media Stream once it has heard enough, so each session
   * after the first needs a new one). Genesys streams Audiohook by itself: absent there.
   */
  readonly prepareAudio?: (callId: string) => Promise<void>;
}

/** How each platform names a call, and what its id looks like. */
const CALL_IDS: Record<PlatformName, { pattern: RegExp; what: string; serves: string }> = {
  genesys: {
    pattern: CONVERSATION_ID,
    what: 'a Genesys conversation id (a UUID)',
    serves: 'Genesys Cloud (platform: genesys)',
  },
  twilio: {
    pattern: CALL_SID,
    what: 'a Twilio call SID (CA followed by 32 hex digits)',
    serves: 'Twilio Flex (platform: twilio)',
  },
};

/** What a call id of this platform must be, for messages ("must be …"). */
export const callIdWhat = (platform: PlatformName): string => CALL_IDS[platform].what;

/**
 * Refuses, with a 400 that says why, a call id that is not one of this platform: in particular
 * the other platform's (a Genesys UUID sent to a Twilio backend, or the reverse). `where` names
 * what carried it ("the conversation id", "auth.conversationId").
 */
export function checkCallId(
  platform: PlatformName,
  id: unknown,
  where = 'the conversation id',
): asserts id is string {
  const mine = CALL_IDS[platform];
  if (typeof id === 'string' && mine.pattern.test(id)) return;
  const other = (Object.keys(CALL_IDS) as PlatformName[]).find(
    (name) => name !== platform && typeof id === 'string' && CALL_IDS[name].pattern.test(id),
  );
  throw new ApiError(
    400,
    'conversation.invalid_id',
    other === undefined
      ? `${where} must be ${mine.what}`
      : `${where} must be ${mine.what}: this backend serves ${mine.serves}, and that is ${CALL_IDS[other].what}`,
  );
}
