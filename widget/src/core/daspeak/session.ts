import type {
  RegisterInitialize,
  SERVER_EVENTS,
  VerifyInitialize,
} from '../../../../src/daspeak/contract.js';

/**
 * One register or verify session over Socket.IO, from the browser, as an explicit state machine:
 *
 *   idle → connecting → awaiting-consumer → collecting → analysing → finished
 *              └──────────────┴──────────────────┴───────────┴──────→ failed
 *
 * The same machine serves both signalling modes: direct (das-Peak's Socket.IO with a das-Peak
 * token, the seed's design) and relay (the kit backend's Socket.IO with the agent's token, which
 * opens the das-Peak session itself). Before `initialize` a lost connection is retried; after it the
 * session is never resumed (a new `initialize` would be a second session for the same call).
 */

/** Event names of the das-Peak contract, checked against the shared contract at compile time. */
export const EVENTS = {
  consumerReady: 'info-consumer-ready',
  vadStatus: 'info-vad-status',
  success: 'result-success',
  failScore: 'result-fail-score',
  failSpoof: 'result-fail-spoof',
  errorConsumerNotReady: 'error-consumer-not-ready',
  errorParameters: 'error-parameters',
  errorAudio: 'error-audio',
  errorDasPeak: 'error-das-Peak',
} as const satisfies typeof SERVER_EVENTS;

/** The relay's own failures (contract B): das-Peak unreachable, store down… */
export const RELAY_ERROR_EVENT = 'error-backend';

export const TERMINAL_EVENTS = [
  EVENTS.success,
  EVENTS.failScore,
  EVENTS.failSpoof,
  EVENTS.errorConsumerNotReady,
  EVENTS.errorParameters,
  EVENTS.errorAudio,
  EVENTS.errorDasPeak,
  RELAY_ERROR_EVENT,
] as const;
export type TerminalEvent = (typeof TERMINAL_EVENTS)[number];

export type Operation = 'register' | 'verify';

export interface Progress {
  /** Net speech collected so far (s). */
  net: number;
  /** Net speech the session waits for (s). */
  total: number;
}

export type SessionState =
  | { name: 'idle' }
  | { name: 'connecting'; attempt: number }
  | { name: 'awaiting-consumer' }
  | { name: 'collecting'; progress: Progress | null }
  | { name: 'analysing'; progress: Progress }
  | { name: 'finished'; result: SessionResult }
  | { name: 'failed'; failure: SessionFailure };

export type SessionStateName = SessionState['name'];

/** A terminal event, as das-Peak (or the relay) sent it. */
export interface SessionResult {
  event: TerminalEvent;
  payload: Record<string, unknown>;
  /** result-success's second argument (direct mode); null when none came. */
  collectedAudio: unknown;
}

export type FailureKind =
  /** The server refused the handshake (`connect_error` with a reason; relay codes in `code`). */
  | 'refused'
  /** Could not connect, or the connection dropped before a terminal event. */
  | 'connection'
  /** No terminal event before the deadline. */
  | 'timeout'
  | 'aborted';

export interface SessionFailure {
  kind: FailureKind;
  code: string;
  message: string;
}

/** Where to connect and how to present the credentials of the handshake. */
export interface SignallingTarget {
  /** Service origin; a path in it is ignored, `path` names Engine.IO's. */
  url: string;
  path: string;
  namespace: string;
  auth?: Record<string, string>;
  query?: Record<string, string>;
}

export type InitializePayload = RegisterInitialize | VerifyInitialize | { metadata: { call_id: string } };

export interface SessionHooks {
  onState?(state: SessionState): void;
}

export interface SessionOptions {
  operation: Operation;
  target: SignallingTarget;
  initialize: InitializePayload;
  /** Net speech expected, until das-Peak says (info-vad-status). */
  expectedSeconds: number;
  /** Connection attempts before `initialize` (default 3). */
  connectAttempts?: number;
  /** Per-attempt connect timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Whole-session deadline (default 120 s). */
  sessionTimeoutMs?: number;
  hooks?: SessionHooks;
}

export interface DaspeakSession {
  readonly state: SessionState;
  /** Connects, sends `initialize` and resolves with the terminal event; rejects never: see `failed`. */
  run(): Promise<SessionResult | SessionFailure>;
  /** Ends the session (a running das-Peak session is cancelled by the disconnect). */
  close(): void;
}

export function isFailure(value: SessionResult | SessionFailure): value is SessionFailure {
  return 'kind' in value;
}
