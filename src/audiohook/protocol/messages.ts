import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  AckSeqSchema,
  DurationSchema,
  JsonObjectSchema,
  LanguageCodeSchema,
  MediaParameterSchema,
  SeqSchema,
  StringMapSchema,
  UuidSchema,
} from './core.js';

/*
 * Every Audiohook text message, both directions: one TypeBox schema each, the TypeScript type derived
 * from it. Unknown extra properties are allowed everywhere (Genesys adds fields over time; the reference
 * validators ignore them too); known ones are checked strictly.
 */

const Empty = Type.Object({});

// ---- parameters, client → server ------------------------------------------------------------------

export const ParticipantSchema = Type.Object({
  id: UuidSchema,
  ani: Type.String(),
  // Required by the reference validator; optional here so a server accepts a sparse participant.
  aniName: Type.Optional(Type.String()),
  dnis: Type.Optional(Type.String()),
});
export type Participant = Static<typeof ParticipantSchema>;

export const ContinuedSessionSchema = Type.Object({
  id: UuidSchema,
  serverseq: AckSeqSchema,
  clientseq: AckSeqSchema,
});

export const OpenParametersSchema = Type.Object({
  organizationId: UuidSchema,
  conversationId: UuidSchema,
  participant: ParticipantSchema,
  media: Type.Array(MediaParameterSchema, { maxItems: 16 }),
  language: Type.Optional(LanguageCodeSchema),
  supportedLanguages: Type.Optional(Type.Boolean()),
  continuedSessions: Type.Optional(Type.Array(ContinuedSessionSchema)),
  customConfig: Type.Optional(JsonObjectSchema),
  /** Audio Connector only. */
  inputVariables: Type.Optional(StringMapSchema),
});
export type OpenParameters = Static<typeof OpenParametersSchema>;

export const CloseReasonSchema = Type.Union([
  Type.Literal('end'),
  Type.Literal('error'),
  Type.Literal('disconnect'),
  Type.Literal('reconnect'),
]);
export type CloseReason = Static<typeof CloseReasonSchema>;

export const CloseParametersSchema = Type.Object({ reason: CloseReasonSchema });
export type CloseParameters = Static<typeof CloseParametersSchema>;

export const PingParametersSchema = Type.Object({ rtt: Type.Optional(DurationSchema) });
export type PingParameters = Static<typeof PingParametersSchema>;

export const PausedParametersSchema = Empty;

export const StartDiscardedSchema = Type.Object({ start: DurationSchema, discarded: DurationSchema });
export type ResumedParameters = Static<typeof StartDiscardedSchema>;
export type DiscardedParameters = Static<typeof StartDiscardedSchema>;

export const UpdateParametersSchema = Type.Object({ language: LanguageCodeSchema });
export type UpdateParameters = Static<typeof UpdateParametersSchema>;

export const ErrorParametersSchema = Type.Object({
  // 400 bad message, 405, 408 timeout, 409 unexpected, 413 too large, 415 unsupported, 429, 500, 503.
  code: Type.Integer({ minimum: 400, maximum: 9999 }),
  message: Type.String(),
  retryAfter: Type.Optional(DurationSchema),
});
export type ErrorParameters = Static<typeof ErrorParametersSchema>;

// ---- parameters, server → client ------------------------------------------------------------------

export const OpenedParametersSchema = Type.Object({
  // At most one entry is legal; the client checks that itself so it can answer with a precise 400.
  media: Type.Array(MediaParameterSchema, { maxItems: 16 }),
  discardTo: Type.Optional(DurationSchema),
  startPaused: Type.Optional(Type.Boolean()),
  supportedLanguages: Type.Optional(Type.Array(Type.String())),
});
export type OpenedParameters = Static<typeof OpenedParametersSchema>;

export const DisconnectReasonSchema = Type.Union([
  Type.Literal('completed'),
  Type.Literal('unauthorized'),
  Type.Literal('error'),
]);
export type DisconnectReason = Static<typeof DisconnectReasonSchema>;

export const DisconnectParametersSchema = Type.Object({
  reason: DisconnectReasonSchema,
  info: Type.Optional(Type.String()),
  /** Audio Connector only. */
  outputVariables: Type.Optional(StringMapSchema),
});
export type DisconnectParameters = Static<typeof DisconnectParametersSchema>;

export const EventEntitySchema = Type.Object({ type: Type.String(), data: Type.Unknown() });
export type EventEntity = Static<typeof EventEntitySchema>;

export const EventParametersSchema = Type.Object({ entities: Type.Array(EventEntitySchema) });
export type EventParameters = Static<typeof EventParametersSchema>;

export const ReconnectParametersSchema = Type.Object({ info: Type.Optional(Type.String()) });

// ---- envelopes ------------------------------------------------------------------------------------

const baseFields = {
  version: Type.Literal('2'),
  id: UuidSchema,
  seq: SeqSchema,
};

const clientFields = { ...baseFields, serverseq: AckSeqSchema, position: DurationSchema };
const serverFields = { ...baseFields, clientseq: AckSeqSchema };

/** Any client message before its type is known: the fields every client message has. */
export const ClientEnvelopeSchema = Type.Object({
  ...clientFields,
  type: Type.String(),
  parameters: Type.Object({}),
});
export type ClientEnvelope = Static<typeof ClientEnvelopeSchema>;

/** Any server message before its type is known. */
export const ServerEnvelopeSchema = Type.Object({
  ...serverFields,
  type: Type.String(),
  parameters: Type.Object({}),
});
export type ServerEnvelope = Static<typeof ServerEnvelopeSchema>;

const clientMessage = <T extends string, P extends TSchema>(type: T, parameters: P) =>
  Type.Object({ ...clientFields, type: Type.Literal<T>(type), parameters });

const serverMessage = <T extends string, P extends TSchema>(type: T, parameters: P) =>
  Type.Object({ ...serverFields, type: Type.Literal<T>(type), parameters });

// ---- client → server messages ---------------------------------------------------------------------

export const OpenMessageSchema = clientMessage('open', OpenParametersSchema);
export const CloseMessageSchema = clientMessage('close', CloseParametersSchema);
export const PingMessageSchema = clientMessage('ping', PingParametersSchema);
export const PausedMessageSchema = clientMessage('paused', PausedParametersSchema);
export const ResumedMessageSchema = clientMessage('resumed', StartDiscardedSchema);
export const DiscardedMessageSchema = clientMessage('discarded', StartDiscardedSchema);
export const UpdateMessageSchema = clientMessage('update', UpdateParametersSchema);
export const ErrorMessageSchema = clientMessage('error', ErrorParametersSchema);

export type OpenMessage = Static<typeof OpenMessageSchema>;
export type CloseMessage = Static<typeof CloseMessageSchema>;
export type PingMessage = Static<typeof PingMessageSchema>;
export type PausedMessage = Static<typeof PausedMessageSchema>;
export type ResumedMessage = Static<typeof ResumedMessageSchema>;
export type DiscardedMessage = Static<typeof DiscardedMessageSchema>;
export type UpdateMessage = Static<typeof UpdateMessageSchema>;
export type ErrorMessage = Static<typeof ErrorMessageSchema>;

export const CLIENT_MESSAGE_SCHEMAS = {
  open: OpenMessageSchema,
  close: CloseMessageSchema,
  ping: PingMessageSchema,
  paused: PausedMessageSchema,
  resumed: ResumedMessageSchema,
  discarded: DiscardedMessageSchema,
  update: UpdateMessageSchema,
  error: ErrorMessageSchema,
} as const;

export type ClientMessageType = keyof typeof CLIENT_MESSAGE_SCHEMAS;
export type ClientMessage = Static<(typeof CLIENT_MESSAGE_SCHEMAS)[ClientMessageType]>;
export type ClientMessageOf<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;
export type ClientParameters<T extends ClientMessageType> = ClientMessageOf<T>['parameters'];

// ---- server → client messages ---------------------------------------------------------------------

export const OpenedMessageSchema = serverMessage('opened', OpenedParametersSchema);
export const ClosedMessageSchema = serverMessage('closed', Empty);
export const PongMessageSchema = serverMessage('pong', Empty);
export const PauseMessageSchema = serverMessage('pause', Empty);
export const ResumeMessageSchema = serverMessage('resume', Empty);
export const UpdatedMessageSchema = serverMessage('updated', Empty);
export const EventMessageSchema = serverMessage('event', EventParametersSchema);
export const DisconnectMessageSchema = serverMessage('disconnect', DisconnectParametersSchema);
export const ReconnectMessageSchema = serverMessage('reconnect', ReconnectParametersSchema);

export type OpenedMessage = Static<typeof OpenedMessageSchema>;
export type ClosedMessage = Static<typeof ClosedMessageSchema>;
export type PongMessage = Static<typeof PongMessageSchema>;
export type PauseMessage = Static<typeof PauseMessageSchema>;
export type ResumeMessage = Static<typeof ResumeMessageSchema>;
export type UpdatedMessage = Static<typeof UpdatedMessageSchema>;
export type EventMessage = Static<typeof EventMessageSchema>;
export type DisconnectMessage = Static<typeof DisconnectMessageSchema>;
export type ReconnectMessage = Static<typeof ReconnectMessageSchema>;

export const SERVER_MESSAGE_SCHEMAS = {
  opened: OpenedMessageSchema,
  closed: ClosedMessageSchema,
  pong: PongMessageSchema,
  pause: PauseMessageSchema,
  resume: ResumeMessageSchema,
  updated: UpdatedMessageSchema,
  event: EventMessageSchema,
  disconnect: DisconnectMessageSchema,
  reconnect: ReconnectMessageSchema,
} as const;

export type ServerMessageType = keyof typeof SERVER_MESSAGE_SCHEMAS;
export type ServerMessage = Static<(typeof SERVER_MESSAGE_SCHEMAS)[ServerMessageType]>;
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;
export type ServerParameters<T extends ServerMessageType> = ServerMessageOf<T>['parameters'];

export const CLIENT_MESSAGE_TYPES = Object.keys(CLIENT_MESSAGE_SCHEMAS) as ClientMessageType[];
export const SERVER_MESSAGE_TYPES = Object.keys(SERVER_MESSAGE_SCHEMAS) as ServerMessageType[];

export function isClientMessageType(type: string): type is ClientMessageType {
  return Object.hasOwn(CLIENT_MESSAGE_SCHEMAS, type);
}

export function isServerMessageType(type: string): type is ServerMessageType {
  return Object.hasOwn(SERVER_MESSAGE_SCHEMAS, type);
}
