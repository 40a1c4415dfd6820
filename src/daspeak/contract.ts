import { Type, type Static } from '@sinclair/typebox';

/**
 * The das-Peak Streaming contract: one TypeBox schema per request, response and event payload, shared
 * by the client (src/daspeak) and the emulator (src/sandbox/daspeak). Every item is either documented
 * by Veridas or marked DESIGN (ours) in the project's shared reference/daspeak-streaming.md; the table in
 * docs/daspeak-contract.md says which.
 *
 * Objects are open (no `additionalProperties: false`): the Veridas compatibility policy adds response
 * properties without a version bump, so a client must ignore what it does not know.
 *
 * This module imports nothing but TypeBox so that browser code (the widget) can use it as well.
 */

// ---------------------------------------------------------------------------------------------------
// Wire names, paths and namespaces (all defaults; the client takes overrides for every one of them)

/** REST channel paths below the REST base URL. Documented: audio settings and register session. */
export const REST_PATHS = {
  audioSettings: '/v1/audio_settings',
  registerSession: '/v1/register_session',
  /** DESIGN: the verify counterpart of register_session. */
  verifySession: '/v1/verify_session',
  /** DESIGN: status (GET) and cancel (DELETE) of one session; `{id}` is replaced, URI-encoded. */
  registerSessionItem: '/v1/register_session/{id}',
  verifySessionItem: '/v1/verify_session/{id}',
} as const;
export type RestPaths = { [K in keyof typeof REST_PATHS]: string };

/** The documented REST header carrying the API key. */
export const API_KEY_HEADER = 'apikey';

/** Token endpoint below the Socket.IO service base (documented example: `<socket.io base>/oauth2/token`). */
export const TOKEN_PATH = '/socket.io/oauth2/token';

/** Engine.IO path of the documented cloud example (python-socketio's default). */
export const ENGINE_IO_PATH = '/socket.io';

/**
 * Namespaces. The API definition names the channels `/register` and `/verify`; the cloud example
 * connects to `/socket.io/register`. DESIGN: servers accept both spellings, clients are configured.
 */
export const NAMESPACES = {
  register: ['/socket.io/register', '/register'],
  verify: ['/socket.io/verify', '/verify'],
  alive: '/alive',
} as const;

/** Client → server events. */
export const CLIENT_EVENTS = {
  initialize: 'initialize',
  /** On the `/alive` namespace only. */
  alive: 'alive',
} as const;

/** Server → client events, exact and case-sensitive (note `error-das-Peak`). */
export const SERVER_EVENTS = {
  consumerReady: 'info-consumer-ready',
  vadStatus: 'info-vad-status',
  success: 'result-success',
  failScore: 'result-fail-score',
  failSpoof: 'result-fail-spoof',
  errorConsumerNotReady: 'error-consumer-not-ready',
  errorParameters: 'error-parameters',
  errorAudio: 'error-audio',
  errorDasPeak: 'error-das-Peak',
} as const;
export type ServerEventName = (typeof SERVER_EVENTS)[keyof typeof SERVER_EVENTS];

export const INFO_EVENTS = [SERVER_EVENTS.consumerReady, SERVER_EVENTS.vadStatus] as const;
export const RESULT_EVENTS = [
  SERVER_EVENTS.success,
  SERVER_EVENTS.failScore,
  SERVER_EVENTS.failSpoof,
] as const;
export const ERROR_EVENTS = [
  SERVER_EVENTS.errorConsumerNotReady,
  SERVER_EVENTS.errorParameters,
  SERVER_EVENTS.errorAudio,
  SERVER_EVENTS.errorDasPeak,
] as const;
export type ResultEventName = (typeof RESULT_EVENTS)[number];
export type ErrorEventName = (typeof ERROR_EVENTS)[number];
export type TerminalEventName = ResultEventName | ErrorEventName;

/** Which terminal events each channel can end with (SIO-DEF: `result-fail-score` is verify-only). */
export const TERMINAL_EVENTS_BY_OPERATION = {
  register: [SERVER_EVENTS.success, SERVER_EVENTS.failSpoof, ...ERROR_EVENTS],
  verify: [...RESULT_EVENTS, ...ERROR_EVENTS],
} as const satisfies Record<Operation, readonly TerminalEventName[]>;

export type Operation = 'register' | 'verify';
export const OPERATIONS = ['register', 'verify'] as const satisfies readonly Operation[];

// ---------------------------------------------------------------------------------------------------
// Building blocks

const uuidLike = Type.String({ minLength: 1 });
const unit = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });
const seconds = (description: string) => Type.Number({ minimum: 0, description });

/** `Wed, 17 May 2023 09:25:24 GMT`: the documented `created_at` format (not ISO-8601). */
export const RFC1123_PATTERN =
  '^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$';
export const Rfc1123DateSchema = Type.String({ pattern: RFC1123_PATTERN });

/** Formats a date the way the service writes `created_at`. */
export function formatRfc1123(date: Date): string {
  // toUTCString() is specified (ECMA-262 Date.prototype.toUTCString) as exactly this layout.
  return date.toUTCString();
}

/** Parses an RFC-1123 `created_at`; undefined when it is not one. */
export function parseRfc1123(text: string): Date | undefined {
  if (!new RegExp(RFC1123_PATTERN).test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A number, or a string of digits: SIO-EX sends `"8000"` and `"1"` where REST sends numbers (DESIGN: accept both). */
export const NumberOrNumericStringSchema = Type.Union([
  Type.Number({ minimum: 0 }),
  Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$' }),
]);

/** Reads a value that passed NumberOrNumericStringSchema. */
export function toNumber(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}

// ---------------------------------------------------------------------------------------------------
// Authentication (SIO-EX; OAuth2 client credentials, RFC 6749 §4.4)

/** Form fields of the token request (sent as application/x-www-form-urlencoded). */
export const TokenRequestSchema = Type.Object({
  client_id: Type.String({ minLength: 1 }),
  client_secret: Type.String({ minLength: 1 }),
  grant_type: Type.Literal('client_credentials'),
});
export type TokenRequest = Static<typeof TokenRequestSchema>;

/**
 * Documented: `access_token` and `token_type`. NOT FOUND: `expires_in`, `scope`; DESIGN: the emulator
 * answers `{access_token, token_type:"Bearer", expires_in:3600}`. `token_type` is optional here
 * (Bearer assumed) so a server that leaves it out still works.
 */
export const TokenResponseSchema = Type.Object({
  access_token: Type.String({ minLength: 1 }),
  token_type: Type.Optional(Type.String({ minLength: 1 })),
  expires_in: Type.Optional(Type.Number({ minimum: 0 })),
  scope: Type.Optional(Type.String()),
});
export type TokenResponse = Static<typeof TokenResponseSchema>;

/** RFC 6749 §5.2 error answer of a token endpoint (e.g. `invalid_client` for a wrong secret). */
export const OAuthErrorBodySchema = Type.Object({
  error: Type.String(),
  error_description: Type.Optional(Type.String()),
});
export type OAuthErrorBody = Static<typeof OAuthErrorBodySchema>;

// ---------------------------------------------------------------------------------------------------
// Errors (REST DESIGN: `{code, message}`, or das-Peak's batch-API shape `{exception, error}`)

export const CodeMessageErrorSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
});
export const ExceptionErrorSchema = Type.Object({
  exception: Type.String(),
  error: Type.String(),
});
export const ErrorBodySchema = Type.Union([CodeMessageErrorSchema, ExceptionErrorSchema]);
export type ErrorBody = Static<typeof ErrorBodySchema>;

/** The one-line code and message of either error body shape. */
export function describeErrorBody(body: ErrorBody): { code: string; message: string } {
  return 'exception' in body
    ? { code: body.exception, message: body.error }
    : { code: body.code, message: body.message };
}

// ---------------------------------------------------------------------------------------------------
// Audio settings (REST-EX, documented)

/** Documented values are `audiohook` and `twilio`; others are NOT FOUND. */
export const AudioProtocolSchema = Type.Union([Type.Literal('audiohook'), Type.Literal('twilio')]);
export type AudioProtocol = Static<typeof AudioProtocolSchema>;

const audioSettingsFields = {
  audio_protocol: AudioProtocolSchema,
  audio_format: Type.String({ description: '"raw" in every example' }),
  audio_codec: Type.String({ description: '"mulaw" in every example' }),
  sample_format: Type.String({ description: '"" for mulaw' }),
  sample_rate: Type.Integer({ minimum: 1 }),
  channels: Type.Integer({ minimum: 1 }),
};

export const AudioSettingsRequestSchema = Type.Object(audioSettingsFields);
export type AudioSettingsRequest = Static<typeof AudioSettingsRequestSchema>;

/** HTTP 201: the six fields echoed, plus `id` and an RFC-1123 `created_at`. */
export const AudioSettingsResponseSchema = Type.Object({
  ...audioSettingsFields,
  id: uuidLike,
  created_at: Rfc1123DateSchema,
});
export type AudioSettingsResponse = Static<typeof AudioSettingsResponseSchema>;

// ---------------------------------------------------------------------------------------------------
// Sessions

/** Session statuses (DESIGN), named after the Socket.IO events so both channels share one state machine. */
export const SESSION_STATUSES = [
  'waiting-consumer',
  'consumer-ready',
  'collecting',
  'processing',
  'success',
  'fail-score',
  'fail-spoof',
  'error-consumer-not-ready',
  'error-parameters',
  'error-audio',
  'error-das-Peak',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const SessionStatusSchema = Type.Union(SESSION_STATUSES.map((s) => Type.Literal(s)));

export const TERMINAL_STATUSES = [
  'success',
  'fail-score',
  'fail-spoof',
  'error-consumer-not-ready',
  'error-parameters',
  'error-audio',
  'error-das-Peak',
] as const satisfies readonly SessionStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export function isTerminalStatus(status: SessionStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** The Socket.IO event that reports a terminal status, and back. */
export const EVENT_FOR_STATUS = {
  success: SERVER_EVENTS.success,
  'fail-score': SERVER_EVENTS.failScore,
  'fail-spoof': SERVER_EVENTS.failSpoof,
  'error-consumer-not-ready': SERVER_EVENTS.errorConsumerNotReady,
  'error-parameters': SERVER_EVENTS.errorParameters,
  'error-audio': SERVER_EVENTS.errorAudio,
  'error-das-Peak': SERVER_EVENTS.errorDasPeak,
} as const satisfies Record<TerminalStatus, TerminalEventName>;

export function statusForEvent(event: TerminalEventName): TerminalStatus {
  const found = (Object.keys(EVENT_FOR_STATUS) as TerminalStatus[]).find(
    (s) => EVENT_FOR_STATUS[s] === event,
  );
  // EVENT_FOR_STATUS covers every terminal event, so `found` is always set for a well-typed argument.
  return found ?? 'error-das-Peak';
}

/** Documented register request (REST-EX). */
export const RegisterSessionRequestSchema = Type.Object({
  audio_settings_id: uuidLike,
  authenticity_threshold: unit('anti-spoofing threshold; below it the result is a spoof failure'),
  audio_total_duration: seconds('net speech to collect before processing (DESIGN: net, after VAD)'),
  call_id: Type.String({ minLength: 1 }),
  model_hash: Type.String({ minLength: 1 }),
});
export type RegisterSessionRequest = Static<typeof RegisterSessionRequestSchema>;

/** DESIGN: the register request plus the credential to compare against and the score threshold. */
export const VerifySessionRequestSchema = Type.Object({
  ...RegisterSessionRequestSchema.properties,
  credential: Type.String({ minLength: 1, description: 'base64 credential from a registration' }),
  verification_threshold: unit('score threshold; below it the result is a score failure'),
});
export type VerifySessionRequest = Static<typeof VerifySessionRequestSchema>;

/** DESIGN: 201 `{id, audio_settings_id, call_id, status:"waiting-consumer", created_at, …request fields}`. */
export const SessionCreatedSchema = Type.Object({
  id: uuidLike,
  audio_settings_id: uuidLike,
  call_id: Type.String({ minLength: 1 }),
  status: SessionStatusSchema,
  created_at: Type.String({ description: 'RFC-1123, like audio settings' }),
  authenticity_threshold: Type.Optional(Type.Number()),
  audio_total_duration: Type.Optional(Type.Number()),
  model_hash: Type.Optional(Type.String()),
  verification_threshold: Type.Optional(Type.Number()),
});
export type SessionCreated = Static<typeof SessionCreatedSchema>;

/**
 * DESIGN: the outcome of a finished session in a status body. Register success carries `credential`
 * (and `model_hash`, `authenticity`); verify success and score failure carry `score`, `authenticity`
 * and `threshold`; spoof failure carries `authenticity` and `authenticity_threshold`.
 */
export const SessionResultSchema = Type.Object({
  credential: Type.Optional(Type.String({ minLength: 1 })),
  model_hash: Type.Optional(Type.String()),
  score: Type.Optional(unit('verification score')),
  authenticity: Type.Optional(unit('anti-spoofing score')),
  threshold: Type.Optional(unit('verification threshold applied')),
  authenticity_threshold: Type.Optional(unit('authenticity threshold applied')),
});
export type SessionResult = Static<typeof SessionResultSchema>;

/** DESIGN: GET `/v1/{register|verify}_session/{id}` → 200. */
export const SessionStatusBodySchema = Type.Object({
  id: uuidLike,
  status: SessionStatusSchema,
  net_speech_duration: seconds('net speech collected so far'),
  audio_total_duration: seconds('net speech the session waits for'),
  result: Type.Optional(SessionResultSchema),
  error: Type.Optional(ErrorBodySchema),
});
export type SessionStatusBody = Static<typeof SessionStatusBodySchema>;

// ---------------------------------------------------------------------------------------------------
// Socket.IO `initialize` (SIO-DEF, SIO-EX; `verify_request` is DESIGN)

export const InitializeMetadataSchema = Type.Object({
  audio_protocol: AudioProtocolSchema,
  audio_format: Type.String(),
  audio_codec: Type.String(),
  sample_format: Type.String(),
  sample_rate: NumberOrNumericStringSchema,
  channels: NumberOrNumericStringSchema,
  call_id: Type.String({ minLength: 1 }),
});
export type InitializeMetadata = Static<typeof InitializeMetadataSchema>;

export const RegisterRequestSchema = Type.Object({
  authenticity_threshold: unit('anti-spoofing threshold'),
  audio_total_duration: seconds('net speech to collect'),
  model_hash: Type.String({ minLength: 1 }),
});
export type RegisterRequest = Static<typeof RegisterRequestSchema>;

export const VerifyRequestSchema = Type.Object({
  credential: Type.String({ minLength: 1 }),
  authenticity_threshold: unit('anti-spoofing threshold'),
  audio_total_duration: seconds('net speech to collect'),
  model_hash: Type.String({ minLength: 1 }),
  verification_threshold: unit('score threshold'),
});
export type VerifyRequest = Static<typeof VerifyRequestSchema>;

export const RegisterInitializeSchema = Type.Object({
  metadata: InitializeMetadataSchema,
  register_request: RegisterRequestSchema,
});
export type RegisterInitialize = Static<typeof RegisterInitializeSchema>;

export const VerifyInitializeSchema = Type.Object({
  metadata: InitializeMetadataSchema,
  verify_request: VerifyRequestSchema,
});
export type VerifyInitialize = Static<typeof VerifyInitializeSchema>;

// ---------------------------------------------------------------------------------------------------
// Socket.IO server events (payloads are NOT FOUND; these are the DESIGN payloads of §4.3).
// `call_id` and `session_id` are optional: the emulator always sends them, the client never needs them,
// so a server that leaves them out still works.

const ids = {
  call_id: Type.Optional(Type.String()),
  session_id: Type.Optional(Type.String()),
};

export const ConsumerReadyPayloadSchema = Type.Object({ ...ids });
export type ConsumerReadyPayload = Static<typeof ConsumerReadyPayloadSchema>;

export const VadStatusPayloadSchema = Type.Object({
  ...ids,
  net_speech_duration: seconds('net speech collected so far'),
  audio_total_duration: Type.Optional(seconds('net speech the session waits for')),
});
export type VadStatusPayload = Static<typeof VadStatusPayloadSchema>;

/** `result-success` on the register channel; the collected audio may follow as a second argument. */
export const RegisterSuccessPayloadSchema = Type.Object({
  ...ids,
  credential: Type.String({ minLength: 1 }),
  model_hash: Type.Optional(Type.String()),
  authenticity: Type.Optional(unit('anti-spoofing score')),
});
export type RegisterSuccessPayload = Static<typeof RegisterSuccessPayloadSchema>;

/** `result-success` and `result-fail-score` on the verify channel. */
export const VerifyScorePayloadSchema = Type.Object({
  ...ids,
  score: unit('verification score'),
  authenticity: Type.Optional(unit('anti-spoofing score')),
  threshold: Type.Optional(unit('verification threshold applied')),
});
export type VerifyScorePayload = Static<typeof VerifyScorePayloadSchema>;

export const FailSpoofPayloadSchema = Type.Object({
  ...ids,
  authenticity: Type.Optional(unit('anti-spoofing score')),
  authenticity_threshold: Type.Optional(unit('authenticity threshold applied')),
});
export type FailSpoofPayload = Static<typeof FailSpoofPayloadSchema>;

/** `error-*`: `{call_id?, code, message}`; das-Peak's `{exception, error}` is accepted too. */
export const ErrorEventPayloadSchema = Type.Union([
  Type.Object({ call_id: Type.Optional(Type.String()), code: Type.String(), message: Type.String() }),
  Type.Object({ call_id: Type.Optional(Type.String()), exception: Type.String(), error: Type.String() }),
]);
export type ErrorEventPayload = Static<typeof ErrorEventPayloadSchema>;

/** DESIGN: the second argument of `result-success`, base64 of a WAV file. Binary is accepted too. */
export const CollectedAudioSchema = Type.String({ minLength: 1 });

/** Typed event maps for socket.io and socket.io-client generics (`Server<ClientToServer, ServerToClient>`). */
export interface DaspeakServerToClientEvents {
  'info-consumer-ready': (payload: ConsumerReadyPayload) => void;
  'info-vad-status': (payload: VadStatusPayload) => void;
  'result-success': (payload: RegisterSuccessPayload | VerifyScorePayload, collectedAudio?: string) => void;
  'result-fail-score': (payload: VerifyScorePayload) => void;
  'result-fail-spoof': (payload: FailSpoofPayload) => void;
  'error-consumer-not-ready': (payload: ErrorEventPayload) => void;
  'error-parameters': (payload: ErrorEventPayload) => void;
  'error-audio': (payload: ErrorEventPayload) => void;
  'error-das-Peak': (payload: ErrorEventPayload) => void;
}
export interface DaspeakClientToServerEvents {
  initialize: (payload: RegisterInitialize | VerifyInitialize) => void;
  alive: (payload?: string) => void;
}
