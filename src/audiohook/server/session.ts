import type { EventEmitter } from 'node:events';
import type { AudiohookError } from '../errors.js';
import type { MediaParameter } from '../protocol/core.js';
import type {
  CloseParameters,
  DisconnectParameters,
  DisconnectReason,
  ErrorParameters,
  EventEntity,
  OpenParameters,
} from '../protocol/messages.js';

/*
 * The receiving side of an Audiohook session. The state machine:
 *
 *   PREPARING ─open─▶ OPENING ─opened─▶ ACTIVE ⇄ PAUSED ─close─▶ CLOSING ─closed─▶ CLOSED
 *                                                                   socket end ─▶ FINALIZING ─▶ DISCONNECTED
 *
 * When this side sends `disconnect` it waits for the client's `close` in DISCONNECTING
 * (reason "completed"), UNAUTHORIZED or ERROR. `close` is accepted in every state before CLOSING.
 */
export type ServerSessionState =
  | 'PREPARING'
  | 'OPENING'
  | 'ACTIVE'
  | 'PAUSED'
  | 'DISCONNECTING'
  | 'UNAUTHORIZED'
  | 'ERROR'
  | 'CLOSING'
  | 'CLOSED'
  | 'FINALIZING'
  | 'DISCONNECTED';

/** The upgrade request's Audiohook headers, as far as they could be read. */
export interface AudiohookRequestHeaders {
  organizationId: string | undefined;
  sessionId: string | undefined;
  correlationId: string | undefined;
  apiKey: string | undefined;
}

/** How the upgrade request authenticated. */
export type AuthOutcome =
  { ok: true; apiKey: string; signed: boolean } | { ok: false; error: AudiohookError };

/** One binary message: interleaved samples in the order of `media.channels`. */
export interface AudioFrame {
  data: Uint8Array;
  media: MediaParameter;
  /** Samples per channel in this frame. */
  sampleCount: number;
  /** Stream position of the first sample, in seconds (audio received plus audio the client discarded). */
  position: number;
  /** Seconds of audio in this frame. */
  duration: number;
}

/** What `onOpen` may ask for in the `opened` answer. */
export interface OpenAnswer {
  /** The client starts paused and sends `paused` (no audio until this side resumes it). */
  startPaused?: boolean;
  /** Seconds of audio the client should drop from the start. */
  discardTo?: number;
}

export interface ServerSessionSummary {
  id: string;
  correlationId: string | undefined;
  organizationId: string | undefined;
  conversationId: string | undefined;
  probe: boolean;
  state: ServerSessionState;
  states: ServerSessionState[];
  authenticated: boolean;
  signed: boolean;
  selectedMedia: MediaParameter | null;
  audio: {
    frames: number;
    bytes: number;
    /** Audio received, in seconds. */
    seconds: number;
    /** Stream position (received + discarded by the client), in seconds. */
    positionSeconds: number;
    /** Frames dropped because they arrived after this side sent `disconnect` or the client `close`. */
    ignoredFrames: number;
  };
  /** The client's `close` reason, or null if the socket ended without one. */
  closeReason: CloseParameters['reason'] | null;
  /** The `disconnect` this side sent, if any. */
  disconnect: DisconnectParameters | null;
  /** `error` messages the client sent. */
  clientErrors: ErrorParameters[];
  /** Protocol problems this side found (each answered with `disconnect {reason:"error"}` or logged). */
  problems: Array<{ code: string; message: string }>;
  lastRttSeconds: number | null;
  wsCloseCode: number | null;
}

export interface ServerSessionEvents {
  state: [state: ServerSessionState, previous: ServerSessionState];
  opened: [parameters: OpenParameters, media: MediaParameter | null];
  audio: [frame: AudioFrame];
  paused: [];
  resumed: [info: { start: number; discarded: number }];
  discarded: [info: { start: number; discarded: number }];
  update: [language: string];
  ping: [rttSeconds: number | null];
  /** An `error` message from the client (not a local failure). */
  clientError: [parameters: ErrorParameters];
  closing: [parameters: CloseParameters];
  finalized: [summary: ServerSessionSummary];
}

export interface AudiohookServerSession extends EventEmitter<ServerSessionEvents> {
  /** Session id (the Audiohook-Session-Id header; every message's `id`). */
  readonly id: string;
  readonly correlationId: string | undefined;
  readonly headers: AudiohookRequestHeaders;
  readonly auth: AuthOutcome;
  readonly state: ServerSessionState;
  /** The client's `open` parameters once received. */
  readonly openParameters: OpenParameters | null;
  readonly selectedMedia: MediaParameter | null;
  /** A connection probe (null conversation id). */
  readonly probe: boolean;
  /** Stream position in seconds. */
  readonly position: number;
  /** Resolves when the session is DISCONNECTED and its hooks have run. */
  readonly finalized: Promise<ServerSessionSummary>;

  /** Asks the client to pause (before `opened`: answer with startPaused). False if the state does not allow it. */
  pause(): boolean;
  /** Asks the client to resume (before `opened`: clear startPaused). */
  resume(): boolean;
  /**
   * Sends `disconnect` and waits for the client's `close` (das-Peak says "completed" once it has
   * enough audio). False when a disconnect or close is already under way.
   */
  disconnect(reason: DisconnectReason, info?: string): boolean;
  /** Drops the socket without a protocol goodbye (a network failure, as tests and fault knobs need). */
  terminate(): void;
  /** Sends `event {entities}` (ignored by Genesys for Monitor integrations). */
  sendEvent(entities: EventEntity[]): boolean;
  summary(): ServerSessionSummary;
}

/** Picks the offer to accept; null asks for no audio. Returning an offer not in `offers` is an error. */
export type MediaSelector = (
  offers: MediaParameter[],
  open: OpenParameters,
  session: AudiohookServerSession,
) => MediaParameter | null | Promise<MediaParameter | null>;

export interface AudiohookServerHooks {
  /** Called once per accepted connection, before any message: attach listeners here. */
  onSession?(session: AudiohookServerSession): void;
  /**
   * Extra authorisation at `open`, after headers, signature and organization id passed.
   * Return false or a reason string to answer `disconnect {reason:"unauthorized"}`.
   */
  authorize?(
    session: AudiohookServerSession,
    open: OpenParameters,
  ): boolean | string | void | Promise<boolean | string | void>;
  /** Default: a mono `external` PCMU 8000 offer if present, else the first offer. */
  selectMedia?: MediaSelector;
  /** Runs before `opened` is sent; throwing answers `disconnect {reason:"error"}`. */
  onOpen?(
    session: AudiohookServerSession,
    open: OpenParameters,
  ): void | OpenAnswer | Promise<void | OpenAnswer>;
  /** Each accepted audio frame, in order. Throwing answers `disconnect {reason:"error"}`. */
  onAudio?(session: AudiohookServerSession, frame: AudioFrame): void;
  /** Runs before `closed` is sent; `null` when the socket ended without a `close`. */
  onClose?(session: AudiohookServerSession, close: CloseParameters | null): void | Promise<void>;
  /** Runs once the socket is gone, with the final summary. */
  onFinalize?(session: AudiohookServerSession, summary: ServerSessionSummary): void | Promise<void>;
}
