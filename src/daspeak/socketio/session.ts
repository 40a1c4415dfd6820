import type { Logger } from '../../log.js';
import type {
  ConsumerReadyPayload,
  Operation,
  RegisterInitialize,
  VadStatusPayload,
  VerifyInitialize,
} from '../contract.js';
import type { DaspeakError } from '../errors.js';
import type { Progress, TerminalReport } from '../outcome.js';
import type { TokenProvider } from '../token.js';
import type { Clock, Sleep } from '../timing.js';

/**
 * One register or verify session over the Socket.IO channel, as an explicit state machine:
 *
 *   idle → connecting(attempt n) → awaiting-consumer → collecting → finished
 *                 └──────────────────────┴────────────────┴──────→ failed
 *
 * `awaiting-consumer` begins when `initialize` is sent; `collecting` when `info-consumer-ready`
 * arrives. A terminal `result-*` or `error-*` event ends in `finished`; a deadline, a refused token,
 * a lost connection or the caller's abort ends in `failed`.
 */
export type SocketSessionState =
  | { name: 'idle' }
  | { name: 'connecting'; attempt: number }
  | { name: 'awaiting-consumer'; createdAt: number }
  | { name: 'collecting'; createdAt: number; consumerReadyAt: number }
  | { name: 'finished'; report: TerminalReport }
  | { name: 'failed'; error: DaspeakError };

export type SocketSessionStateName = SocketSessionState['name'];

/** How the access token is presented on connect (config `daspeak.socketio.tokenTransport`). */
export const TOKEN_TRANSPORTS = ['auth', 'query', 'header'] as const;
export type TokenTransport = (typeof TOKEN_TRANSPORTS)[number];

/** Connection retries before `initialize`. After `initialize` the session never reconnects. */
export interface ReconnectPolicy {
  /** Connection attempts in all (1 = no retry). A refused token is retried once on top, with a new token. */
  attempts: number;
  /** Wait between attempts. */
  delayMs: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = { attempts: 3, delayMs: 1000 };

export interface SocketSessionHooks {
  onStateChange?(state: SocketSessionState): void;
  onConsumerReady?(payload: ConsumerReadyPayload): void;
  onVadStatus?(payload: VadStatusPayload, progress: Progress): void;
}

export interface SocketSessionOptions {
  operation: Operation;
  /** Origin of the service; a path in it is ignored (as python-socketio does), `path` names Engine.IO's. */
  url: string;
  /** Engine.IO path, e.g. `/socket.io`. */
  path: string;
  /** e.g. `/socket.io/register` or `/register`. */
  namespace: string;
  tokenTransport: TokenTransport;
  tokens: TokenProvider;
  initialize: RegisterInitialize | VerifyInitialize;
  /** Epoch ms by which a terminal event must have arrived. */
  deadline: number;
  reconnect?: ReconnectPolicy;
  /** Per-attempt connect timeout (never beyond the deadline). */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
  sleep?: Sleep;
  logger?: Logger;
  hooks?: SocketSessionHooks;
}

export interface SocketSessionResult {
  report: TerminalReport;
  sessionId?: string;
  createdAt?: number;
  consumerReadyAt?: number;
  lastProgress?: Progress;
}

export interface SocketSession {
  readonly state: SocketSessionState;
  /**
   * Connects, sends `initialize` and resolves with the terminal event. Rejects with a DaspeakError:
   * `daspeak.auth_failed`, `daspeak.connection`, `daspeak.timeout`, `daspeak.aborted` or
   * `daspeak.bad_response`. Call once.
   */
  run(): Promise<SocketSessionResult>;
  /** Ends the session from outside (same as aborting its signal). */
  close(): void;
}
