import { Type, type Static } from '@sinclair/typebox';

/**
 * Request schemas of the backend's routes. Descriptions complete the 400 message ("the body field
 * "credential" must be …"), so they are written as the end of that sentence.
 */

/** das-Peak credentials are a few kilobytes; the store refuses more than 256 KiB. */
export const MAX_CREDENTIAL_LENGTH = 256 * 1024;

/**
 * Genesys conversation ids are UUIDs. Nothing else is let through to a Platform API path, so `.`,
 * `..` or an encoded slash can never make the backend ask Genesys for another resource.
 */
export const CONVERSATION_ID_PATTERN =
  '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$';
export const CONVERSATION_ID = new RegExp(CONVERSATION_ID_PATTERN);

/** Twilio call SIDs: `CA` and 32 lowercase hex digits (the customer leg of a Flex voice task). */
export const CALL_SID_PATTERN = '^CA[0-9a-f]{32}$';
export const CALL_SID = new RegExp(CALL_SID_PATTERN);

/**
 * A call id of either platform, the syntax every route and the relay accept before anything else;
 * the platform the backend serves then refuses the other's (platform/platform.ts checkCallId) with
 * a 400 that says so, before it asks anything.
 */
export const CALL_ID_PATTERN = `^(?:${CONVERSATION_ID_PATTERN.slice(1, -1)}|${CALL_SID_PATTERN.slice(1, -1)})$`;
export const CALL_ID = new RegExp(CALL_ID_PATTERN);

export const ConversationId = Type.String({
  pattern: CALL_ID_PATTERN,
  description: 'must be the call id: a Genesys conversation id (a UUID) or a Twilio call SID (CA…)',
});

/** A caller number in any form normaliseAni accepts; the normalisation itself reports what is wrong. */
const CallerId = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'must be the caller number, 1 to 256 characters',
});

/**
 * das-Peak credentials are opaque base64 strings; base64url and dotted (JWT-like) forms are let
 * through too. Anything else (a NUL, spaces, markup) is not one, and is refused before it is stored.
 */
export const CREDENTIAL_PATTERN = '^[A-Za-z0-9+/_.-]+={0,2}$';

const Credential = Type.String({
  minLength: 1,
  maxLength: MAX_CREDENTIAL_LENGTH,
  pattern: CREDENTIAL_PATTERN,
  description: `must be the credential das-Peak returned: 1 to ${MAX_CREDENTIAL_LENGTH} base64 characters`,
});

const ModelHash = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'must be the das-Peak model hash, 1 to 256 characters',
});

const WordingVersion = Type.String({
  pattern: '^[A-Za-z0-9._:-]{1,64}$',
  description: 'must name the consent wording version (1 to 64 letters, digits or . _ : -)',
});

const closed = { additionalProperties: false } as const;

/**
 * A conversation id where it is optional: an empty value counts as none, because a data action
 * always renders its `conversationId` input into the URL, empty or not.
 */
const OptionalConversationId = Type.Optional(
  Type.Union([ConversationId, Type.Literal('')], {
    description: 'must be the call id (a Genesys conversation id, a UUID; a Twilio call SID, CA…) or empty',
  }),
);

/** The conversation id of a parsed query or body: undefined when absent or empty. */
export const conversationField = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

// --- widget routes of the seed utils.js (form-encoded) ----------------------------------------------

export const StoreCredentialForm = Type.Object(
  {
    id: CallerId,
    credential: Credential,
    conversationId: Type.Optional(ConversationId),
    modelHash: Type.Optional(ModelHash),
  },
  closed,
);
export type StoreCredentialForm = Static<typeof StoreCredentialForm>;

export const CallerIdForm = Type.Object(
  { id: CallerId, conversationId: Type.Optional(ConversationId) },
  closed,
);
export type CallerIdForm = Static<typeof CallerIdForm>;

// --- JSON resource API (widget and data actions) ---------------------------------------------------

export const ConversationQuery = Type.Object({ conversationId: OptionalConversationId }, closed);
export type ConversationQuery = Static<typeof ConversationQuery>;

export const PutCredentialBody = Type.Object(
  {
    credential: Credential,
    modelHash: Type.Optional(ModelHash),
    conversationId: OptionalConversationId,
  },
  closed,
);
export type PutCredentialBody = Static<typeof PutCredentialBody>;

const ConsentDecision = Type.Unsafe<'granted' | 'refused'>({
  type: 'string',
  enum: ['granted', 'refused'],
  description: 'must be granted or refused',
});

export const PutConsentBody = Type.Object(
  {
    wordingVersion: WordingVersion,
    decision: Type.Optional(ConsentDecision),
    conversationId: OptionalConversationId,
  },
  closed,
);
export type PutConsentBody = Static<typeof PutConsentBody>;

export const EmptyQuery = Type.Object({}, closed);

// --- Genesys Platform API answers the backend relies on ------------------------------------------

/** GET /api/v2/tokens/me (TokenInfo): only the organization is read. */
export const TokenInfo = Type.Object({
  organization: Type.Object({ id: Type.String({ minLength: 1 }) }),
});
export type TokenInfo = Static<typeof TokenInfo>;

/** GET /api/v2/users/me: the agent's user id. */
export const UserMe = Type.Object({ id: Type.String({ minLength: 1 }), name: Type.Optional(Type.String()) });
export type UserMe = Static<typeof UserMe>;

/** GET /api/v2/conversations/{id}: the participants say who the caller is and who is on the call. */
export const ConversationParticipant = Type.Object({
  purpose: Type.Optional(Type.String()),
  userId: Type.Optional(Type.String()),
  ani: Type.Optional(Type.String()),
  endTime: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
  calls: Type.Optional(Type.Array(Type.Object({ state: Type.Optional(Type.String()) }))),
});
export const Conversation = Type.Object({
  id: Type.String({ minLength: 1 }),
  endTime: Type.Optional(Type.String()),
  participants: Type.Array(ConversationParticipant),
});
export type Conversation = Static<typeof Conversation>;

/** POST {login}/oauth/token (client credentials), used to learn the org of the kit's own client. */
export const GenesysTokenAnswer = Type.Object({ access_token: Type.String({ minLength: 1 }) });
