import type {
  ConsumerReadyPayload,
  ErrorEventPayload,
  FailSpoofPayload,
  Operation,
  RegisterSuccessPayload,
  SessionCreated,
  SessionResult,
  SessionStatus,
  SessionStatusBody,
  TerminalEventName,
  TerminalStatus,
  VadStatusPayload,
  VerifyScorePayload,
} from '../../daspeak/contract.js';
import type { AudioSettings, StreamFormat } from './audio-settings.js';

/*
 * One das-Peak Streaming session (a registration or a verification), whichever signalling channel
 * created it: REST reads its state by polling, Socket.IO turns its hooks into events. The state
 * machine, named after the contract's statuses:
 *
 *   waiting-consumer ─first audio─▶ consumer-ready ─speech─▶ collecting ─net speech ≥ audio_total_duration─▶ processing
 *          │                               │                      │                                            │
 *          └── consumer-ready timeout ─────┴── stream ended, bad audio, session deadline ──────────────────────┴─▶ finished(status)
 *
 *   finished ─retention over─▶ closed          any state ─cancel (REST DELETE, socket gone)─▶ closed
 *
 * `finished` carries the terminal status (success, fail-score, fail-spoof, error-*), reported exactly once.
 */

export type SessionStateName =
  'waiting-consumer' | 'consumer-ready' | 'collecting' | 'processing' | 'finished' | 'closed';

export interface SessionError {
  /** A stable machine code, e.g. `format-mismatch`, `consumer-not-ready`. */
  code: string;
  message: string;
}

export type SessionState =
  | { name: 'waiting-consumer'; since: number }
  | { name: 'consumer-ready'; since: number }
  | { name: 'collecting'; since: number }
  | { name: 'processing'; since: number }
  | {
      name: 'finished';
      since: number;
      status: TerminalStatus;
      result?: SessionResult;
      error?: SessionError;
    }
  | { name: 'closed'; since: number; reason: 'retention' | 'cancelled' | 'shutdown' };

/** What was asked for, validated and normalised (REST body or Socket.IO `initialize`). */
export interface SessionParams {
  operation: Operation;
  channel: 'rest' | 'socketio';
  callId: string;
  audio: AudioSettings;
  /** The REST audio settings id; Socket.IO sessions get a fresh one. */
  audioSettingsId: string;
  authenticityThreshold: number;
  audioTotalDuration: number;
  modelHash: string;
  /** Verify only. */
  credential?: string;
  verificationThreshold?: number;
}

/** The payload of a terminal event, per event (the contract's DESIGN payloads). */
export type TerminalPayload =
  RegisterSuccessPayload | VerifyScorePayload | FailSpoofPayload | ErrorEventPayload;

/** What a signalling channel listens to. Hooks run synchronously; a throwing hook is logged and ignored. */
export interface SessionHooks {
  onStateChange?(state: SessionState, previous: SessionState): void;
  onConsumerReady?(payload: ConsumerReadyPayload): void;
  onVadStatus?(payload: VadStatusPayload): void;
  /** The one terminal event; `collectedAudio` (base64 WAV) only on a register `result-success`. */
  onTerminal?(event: TerminalEventName, payload: TerminalPayload, collectedAudio?: string): void;
  /** The session left the emulator (retention over, cancelled or shutdown). */
  onClosed?(reason: Extract<SessionState, { name: 'closed' }>['reason']): void;
}

export interface DaspeakSession {
  readonly id: string;
  readonly params: SessionParams;
  readonly state: SessionState;
  /** The contract status of the current state (`closed` reports the status it finished with). */
  readonly status: SessionStatus;
  readonly createdAt: number;
  /** Net speech collected so far, in seconds. */
  readonly netSpeechSeconds: number;
  /** Still waiting for audio (not processing, finished or closed). */
  readonly wantsAudio: boolean;

  /** Attach the channel's hooks (one set; later calls replace it). */
  setHooks(hooks: SessionHooks): void;
  /** Starts the timers; audio may be fed from now on. */
  start(): void;

  /** An audio stream for the call is connected; a format that cannot serve the session fails it. */
  streamConnected(format: StreamFormat): void;
  /** Caller audio, 16-bit samples at the session's rate. */
  audio(samples: Int16Array): void;
  /** The stream ended; without enough speech the session fails with `error-audio`. */
  streamEnded(reason: string): void;
  /** The stream's audio could not be used (undecodable, mismatched). */
  audioFailed(error: SessionError): void;

  /** Ends the session without a terminal event (REST DELETE, the socket went away, shutdown). */
  cancel(reason: 'cancelled' | 'shutdown'): void;
  /** Ends a finished session's retention (the registry calls it). */
  close(): void;

  /** The REST creation answer. */
  createdBody(): SessionCreated;
  /** The REST status answer. */
  statusBody(): SessionStatusBody;
}
