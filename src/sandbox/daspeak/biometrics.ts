import type { SessionResult, TerminalStatus } from '../../daspeak/contract.js';
import type { SessionError, SessionParams } from './session.js';

/**
 * What a session needs from a voice biometrics engine: a streaming analysis of the caller's audio
 * (whose net speech drives the session), then a judgement of that analysis once there is enough.
 */
export interface VoiceAnalysis {
  /** 16-bit samples at 8 kHz, mono, in stream order. */
  push(samples: Int16Array): void;
  /** Net speech counted so far (seconds). */
  readonly netSpeechSeconds: number;
  /** Frees what the analysis holds (the session ended without a judgement). Idempotent. */
  dispose(): void;
}

/** How a session ends, as the engine judged it. */
export interface Judgement {
  status: TerminalStatus;
  result?: SessionResult;
  error?: SessionError;
}

export interface BiometricEngine {
  startAnalysis(): VoiceAnalysis;
  /** Why a verify credential cannot be used with `modelHash`, or null when it can. */
  credentialProblem(credential: string, modelHash: string): string | null;
  /**
   * Register: a credential (or a spoof failure); verify: a score against the credential (or a score
   * or spoof failure). `forced` overrides the verdict (test hooks) but keeps the figures plausible.
   */
  judge(
    params: SessionParams,
    analysis: VoiceAnalysis,
    forced: TerminalStatus | undefined,
  ): Promise<Judgement>;
  /** Stops whatever runs in the background (analysis workers). */
  close(): Promise<void>;
}
