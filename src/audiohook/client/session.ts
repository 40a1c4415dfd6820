import type { EventEmitter } from 'node:events';
import type { Logger } from '../../log.js';
import type { AudiohookError } from '../errors.js';
import type { JsonObject, MediaParameter } from '../protocol/core.js';
import type {
  CloseReason,
  DisconnectParameters,
  EventEntity,
  OpenedParameters,
  Participant,
} from '../protocol/messages.js';
import type { Clock, Timers } from '../timers.js';

/*
 * The Genesys side of an Audiohook session. The state machine:
 *
 *   CONNECTING ─upgrade─▶ OPENING ─opened─▶ ACTIVE ⇄ PAUSED ─close─▶ CLOSING ─closed─▶ CLOSED ─socket end─▶ DISCONNECTED
 *
 * Any state can fall to DISCONNECTED when the socket ends; a fatal protocol problem sends `error`
 * and then `close {reason:"error"}`.
 */
export type ClientSessionState =
  'CONNECTING' | 'OPENING' | 'ACTIVE' | 'PAUSED' | 'CLOSING' | 'CLOSED' | 'DISCONNECTED';

/** Who asked for a pause: the server (`pause` message) or the client (Audio Monitoring off, secure pause). */
export type PauseSource = 'server' | 'client';

export interface AudiohookClientTimeouts {
  /** WebSocket upgrade (ms, default 10000). */
  connect?: number;
  /** `open` → `opened` (ms, default 5000, the reference client's). */
  open?: number;
  /** `close` → `closed`, and socket close after it (ms, default 10000). */
  close?: number;
  /** First `ping` after `opened` (ms, default 1000). */
  initialPingDelay?: number;
  /** Between pings; a ping unanswered when the next is due is a 408 (ms, default 5000). */
  pingInterval?: number;
}

export interface AudiohookClientOptions {
  /** `ws://` or `wss://` endpoint (the integration's connectionUri). */
  uri: string;
  organizationId: string;
  /** Genesys conversation id (= das-Peak call_id). Required unless `probe`. */
  conversationId?: string;
  /** Defaults: a random id and empty ani/aniName/dnis. */
  participant?: Partial<Participant>;
  /** Media offers; default stereo, external mono, internal mono PCMU 8 kHz. */
  media?: MediaParameter[];
  apiKey: string;
  /** Base64 client secret; empty or absent = connect unsigned (as Genesys does without a secret). */
  clientSecret?: string;
  customConfig?: JsonObject;
  language?: string;
  supportedLanguages?: boolean;
  /** Connection probe: null UUIDs, empty ani, no audio, `close` right after `opened`. */
  probe?: boolean;
  sessionId?: string;
  correlationId?: string;
  /** WebSocket sub-protocols to offer (the reference client offers none). */
  subprotocols?: string[];
  /** Larger frames are split into aligned chunks of at most this many bytes (default 64000). */
  maxFrameBytes?: number;
  /** Longest text message accepted from the server (characters, default 65535). */
  maxTextLength?: number;
  timeouts?: AudiohookClientTimeouts;
  logger?: Logger;
  /** Wall clock in ms: signature `created`, round-trip times. */
  clock?: Clock;
  timers?: Timers;
  /** Nonce source for the signature. */
  randomBytes?: (size: number) => Uint8Array;
  /** Extra upgrade headers (tests use it to send a malformed handshake). */
  extraHeaders?: Record<string, string>;
}

export interface AudiohookClientError {
  code: string;
  message: string;
  /** The Audiohook `error.code` sent to the server for it, if one was sent. */
  protocolCode?: number;
}

/** What a session did, available at any time and final once the socket has ended. */
export interface AudiohookClientResult {
  sessionId: string;
  correlationId: string;
  conversationId: string;
  /** Current (at the end: final) state. */
  state: ClientSessionState;
  /** Every state entered, in order. */
  states: ClientSessionState[];
  /** HTTP status when the upgrade was answered with something other than 101. */
  httpStatus: number | null;
  /** Sub-protocol the server chose ('' for none). */
  protocol: string;
  opened: OpenedParameters | null;
  selectedMedia: MediaParameter | null;
  audio: {
    frames: number;
    bytes: number;
    /** Audio sent, in seconds. */
    seconds: number;
    /** Audio dropped while paused or honouring `discardTo`, in seconds. */
    discardedSeconds: number;
    /** Stream position (sent + discarded), in seconds. */
    positionSeconds: number;
  };
  pings: { sent: number; answered: number; lastRttSeconds: number | null };
  /** Reason this client gave in its `close`, if it sent one. */
  closeReason: CloseReason | null;
  /** The server completed the close transaction with `closed`. */
  closedByServer: boolean;
  /** The server's `disconnect`, if it sent one. */
  disconnect: DisconnectParameters | null;
  errors: AudiohookClientError[];
  /** WebSocket close code once the socket ended. */
  wsCloseCode: number | null;
}

export interface StreamSummary {
  frames: number;
  bytes: number;
  seconds: number;
  discardedSeconds: number;
  /** Why streaming stopped: the frames ran out, or the session left ACTIVE/PAUSED. */
  ended: 'exhausted' | 'session-ended' | 'no-media';
}

export type AudioFrames = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface ClientSessionEvents {
  state: [state: ClientSessionState, previous: ClientSessionState];
  opened: [parameters: OpenedParameters];
  pause: [source: PauseSource];
  resume: [info: { source: PauseSource; start: number; discarded: number }];
  discarded: [info: { start: number; discarded: number }];
  disconnect: [parameters: DisconnectParameters];
  event: [entities: EventEntity[]];
  rtt: [seconds: number];
  closed: [result: AudiohookClientResult];
  /** Emitted only when someone listens; errors are also in the result. */
  error: [error: AudiohookError];
}

export interface AudiohookClientSession extends EventEmitter<ClientSessionEvents> {
  readonly id: string;
  readonly correlationId: string;
  readonly state: ClientSessionState;
  readonly selectedMedia: MediaParameter | null;
  /** Stream position in seconds (audio sent plus audio discarded). */
  readonly position: number;
  /** Resolves with the final result when the socket has ended; never rejects. */
  readonly done: Promise<AudiohookClientResult>;

  /**
   * Sends the frames as binary messages (interleaved samples of the selected media), counting
   * position from sample counts. Frames arriving while paused, or before `discardTo`, are dropped
   * and counted as discarded. Resolves when the frames run out or the session stops streaming.
   * Rejects with `audiohook.bad_frame` for a frame that is not whole samples.
   */
  stream(frames: AudioFrames): Promise<StreamSummary>;
  /**
   * Client-initiated pause (e.g. Audio Monitoring turned off in a flow): sends `paused`.
   * False (and nothing sent) when the session is not ACTIVE or PAUSED.
   */
  pause(): boolean;
  /** Ends a client-initiated pause: sends `resumed {start, discarded}` unless the server still holds a pause. */
  resume(): boolean;
  /** Sends `update {language}`; false when the session is not ACTIVE or PAUSED. */
  update(language: string): boolean;
  /** Starts the close transaction (`close` → `closed`) and resolves with the final result. */
  close(reason?: Extract<CloseReason, 'end' | 'error'>): Promise<AudiohookClientResult>;
  /** Snapshot of the result so far. */
  result(): AudiohookClientResult;
}
