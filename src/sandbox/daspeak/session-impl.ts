import { randomUUID } from 'node:crypto';
import { encodeWav } from '../../audio/index.js';
import {
  EVENT_FOR_STATUS,
  formatRfc1123,
  type SessionCreated,
  type SessionResult,
  type SessionStatus,
  type SessionStatusBody,
  type TerminalStatus,
} from '../../daspeak/contract.js';
import type { Logger } from '../../log.js';
import { formatMismatch, type StreamFormat } from './audio-settings.js';
import type { BiometricEngine, Judgement, VoiceAnalysis } from './biometrics.js';
import type { SandboxFaults, SandboxLimits, SandboxTimeouts } from './options.js';
import { forcedStatus } from './outcome-hooks.js';
import { safely } from './safely.js';
import type {
  DaspeakSession,
  SessionError,
  SessionHooks,
  SessionParams,
  SessionState,
  TerminalPayload,
} from './session.js';
import { Timer, delay, type SandboxClock, type SandboxTimers } from './timing.js';

/** Net speech between two `info-vad-status` events (DESIGN: every 0.5 s). */
export const VAD_STATUS_STEP_SECONDS = 0.5;

export interface SessionDeps {
  clock: SandboxClock;
  timers: SandboxTimers;
  logger: Logger;
  biometrics: BiometricEngine;
  timeouts: SandboxTimeouts;
  limits: SandboxLimits;
  /** Read at each decision, so `setFaults` applies to running sessions. */
  faults: () => SandboxFaults;
}

/** The registry's view of a session's life. */
export interface SessionObserver {
  /** The session wants no more audio (it is processing, finished or closed). */
  onDoneWithAudio(session: SessionImpl): void;
  /** The terminal status is set (retention starts). */
  onFinished(session: SessionImpl): void;
  /** The session is gone. */
  onClosed(session: SessionImpl): void;
}

const WANTS_AUDIO: ReadonlySet<SessionState['name']> = new Set([
  'waiting-consumer',
  'consumer-ready',
  'collecting',
]);

const round3 = (n: number) => Math.round(n * 1000) / 1000;

export class SessionImpl implements DaspeakSession {
  readonly id = randomUUID();
  readonly createdAt: number;

  private current: SessionState;
  private lastStatus: SessionStatus = 'waiting-consumer';
  /** The finished state, kept once closed so a late reader still sees how it ended. */
  private finished: Extract<SessionState, { name: 'finished' }> | undefined;
  private hooks: SessionHooks = {};
  private readonly analysis: VoiceAnalysis;
  private readonly collected: Int16Array[] = [];
  private collectedSamples = 0;
  private vadSteps = 0;
  private audioSeen = false;
  private readonly consumerTimer: Timer;
  private readonly deadlineTimer: Timer;
  private readonly log: Logger;

  constructor(
    readonly params: SessionParams,
    private readonly deps: SessionDeps,
    private readonly observer: SessionObserver,
  ) {
    this.createdAt = deps.clock.now();
    this.current = { name: 'waiting-consumer', since: this.createdAt };
    this.analysis = deps.biometrics.startAnalysis();
    this.consumerTimer = new Timer(deps.timers);
    this.deadlineTimer = new Timer(deps.timers);
    this.log = deps.logger.child({
      daspeakSession: this.id,
      operation: params.operation,
      callId: params.callId,
      channel: params.channel,
    });
  }

  // ---- reading ------------------------------------------------------------------------------------

  get state(): SessionState {
    return this.current;
  }

  get status(): SessionStatus {
    return this.lastStatus;
  }

  get netSpeechSeconds(): number {
    return this.analysis.netSpeechSeconds;
  }

  get wantsAudio(): boolean {
    return WANTS_AUDIO.has(this.current.name);
  }

  createdBody(): SessionCreated {
    const p = this.params;
    const body: SessionCreated = {
      id: this.id,
      audio_settings_id: p.audioSettingsId,
      call_id: p.callId,
      status: 'waiting-consumer',
      created_at: formatRfc1123(new Date(this.createdAt)),
      authenticity_threshold: p.authenticityThreshold,
      audio_total_duration: p.audioTotalDuration,
      model_hash: p.modelHash,
    };
    // The credential is not echoed: a biometric reference has no business in a creation answer.
    if (p.verificationThreshold !== undefined) body.verification_threshold = p.verificationThreshold;
    return body;
  }

  statusBody(): SessionStatusBody {
    const body: SessionStatusBody & { call_id: string } = {
      id: this.id,
      call_id: this.params.callId,
      status: this.lastStatus,
      net_speech_duration: round3(this.netSpeechSeconds),
      audio_total_duration: this.params.audioTotalDuration,
    };
    if (this.finished?.result) body.result = { ...this.finished.result };
    if (this.finished?.error) body.error = { ...this.finished.error };
    return body;
  }

  // ---- driving ------------------------------------------------------------------------------------

  setHooks(hooks: SessionHooks): void {
    this.hooks = hooks;
  }

  start(): void {
    const { consumerReadyMs, sessionMs } = this.deps.timeouts;
    this.consumerTimer.start(consumerReadyMs, () => {
      if (this.current.name !== 'waiting-consumer') return;
      this.finish('error-consumer-not-ready', undefined, {
        code: 'consumer-not-ready',
        message: `no audio arrived for call ${this.params.callId} within ${consumerReadyMs / 1000} s`,
      });
    });
    this.deadlineTimer.start(sessionMs, () => {
      if (!this.wantsAudio) return;
      this.finish('error-audio', undefined, {
        code: 'not-enough-speech',
        message: `${round3(this.netSpeechSeconds)} s of net speech in ${sessionMs / 1000} s, the session needs ${this.params.audioTotalDuration} s`,
      });
    });
  }

  streamConnected(format: StreamFormat): void {
    if (!this.wantsAudio) return;
    const mismatch = formatMismatch(this.params.audio, format);
    if (mismatch) this.audioFailed({ code: 'format-mismatch', message: mismatch });
  }

  audio(samples: Int16Array): void {
    if (!this.wantsAudio || samples.length === 0) return;
    if (!this.audioSeen) {
      this.audioSeen = true;
      this.consumerTimer.cancel();
      this.enter({ name: 'consumer-ready', since: this.deps.clock.now() });
      this.call('onConsumerReady', () =>
        this.hooks.onConsumerReady?.({ call_id: this.params.callId, session_id: this.id }),
      );
      // A hook may have cancelled the session (a dropped socket).
      if (!this.wantsAudio) return;
    }
    this.keep(samples);
    try {
      this.analysis.push(samples);
    } catch (err) {
      this.log.error({ err }, 'das-Peak sandbox: the voice analysis failed');
      this.finish('error-das-Peak', undefined, {
        code: 'engine-failure',
        message: 'the voice analysis failed',
      });
      return;
    }
    const net = this.analysis.netSpeechSeconds;
    if (net > 0 && this.current.name === 'consumer-ready') {
      this.enter({ name: 'collecting', since: this.deps.clock.now() });
    }
    const steps = Math.floor(net / VAD_STATUS_STEP_SECONDS + 1e-9);
    if (steps > this.vadSteps) {
      this.vadSteps = steps;
      this.call('onVadStatus', () =>
        this.hooks.onVadStatus?.({
          call_id: this.params.callId,
          session_id: this.id,
          net_speech_duration: round3(net),
          audio_total_duration: this.params.audioTotalDuration,
        }),
      );
    }
    if (this.wantsAudio && net >= this.params.audioTotalDuration) this.process();
  }

  streamEnded(reason: string): void {
    // Before any audio the session keeps waiting: another stream for the call may still come.
    if (!this.wantsAudio || !this.audioSeen) return;
    this.finish('error-audio', undefined, {
      code: 'audio-ended',
      message: `the call's audio ended (${reason}) after ${round3(this.netSpeechSeconds)} s of net speech, the session needs ${this.params.audioTotalDuration} s`,
    });
  }

  audioFailed(error: SessionError): void {
    if (!this.wantsAudio) return;
    this.finish('error-audio', undefined, error);
  }

  cancel(reason: 'cancelled' | 'shutdown'): void {
    if (this.current.name === 'closed') return;
    this.enterClosed(reason);
  }

  close(): void {
    if (this.current.name === 'closed') return;
    this.enterClosed('retention');
  }

  // ---- internals ----------------------------------------------------------------------------------

  private process(): void {
    this.enter({ name: 'processing', since: this.deps.clock.now() });
    this.consumerTimer.cancel();
    this.deadlineTimer.cancel();
    this.observer.onDoneWithAudio(this);
    const latency = this.deps.faults().resultLatencyMs ?? 0;
    // The judgement runs on a later turn, as a real service answers after its processing.
    void delay(this.deps.timers, latency).then(async () => {
      if (this.current.name !== 'processing') return;
      let judgement: Judgement;
      try {
        const forced = forcedStatus(this.params.callId, this.params.operation, this.deps.faults());
        judgement = await this.deps.biometrics.judge(this.params, this.analysis, forced);
      } catch (err) {
        this.log.error({ err }, 'das-Peak sandbox: the biometric judgement failed');
        judgement = {
          status: 'error-das-Peak',
          error: { code: 'engine-failure', message: 'the biometric engine failed' },
        };
      }
      this.finish(judgement.status, judgement.result, judgement.error);
    });
  }

  private finish(status: TerminalStatus, result?: SessionResult, error?: SessionError): void {
    if (this.current.name === 'finished' || this.current.name === 'closed') return;
    const wasWanting = this.wantsAudio;
    this.consumerTimer.cancel();
    this.deadlineTimer.cancel();
    this.analysis.dispose();
    const state: SessionState = { name: 'finished', since: this.deps.clock.now(), status };
    if (result) state.result = result;
    if (error) state.error = error;
    this.enter(state);
    if (wasWanting) this.observer.onDoneWithAudio(this);
    this.observer.onFinished(this);
    const event = EVENT_FOR_STATUS[status];
    const payload = this.terminalPayload(status, result, error);
    const audio =
      status === 'success' && this.params.operation === 'register' ? this.collectedWav() : undefined;
    this.log.info({ status, code: error?.code }, 'das-Peak sandbox: session finished');
    this.call('onTerminal', () => this.hooks.onTerminal?.(event, payload, audio));
  }

  private terminalPayload(
    status: TerminalStatus,
    result?: SessionResult,
    error?: SessionError,
  ): TerminalPayload {
    const ids = { call_id: this.params.callId, session_id: this.id };
    const r = result ?? {};
    switch (status) {
      case 'success':
      case 'fail-score':
        if (this.params.operation === 'register') {
          return {
            ...ids,
            credential: r.credential ?? '',
            model_hash: r.model_hash,
            authenticity: r.authenticity,
          };
        }
        return { ...ids, score: r.score ?? 0, authenticity: r.authenticity, threshold: r.threshold };
      case 'fail-spoof':
        return { ...ids, authenticity: r.authenticity, authenticity_threshold: r.authenticity_threshold };
      default:
        return {
          call_id: this.params.callId,
          code: error?.code ?? status,
          message: error?.message ?? status,
        };
    }
  }

  private keep(samples: Int16Array): void {
    const room =
      this.deps.limits.collectedAudioSeconds * this.params.audio.sampleRate - this.collectedSamples;
    if (room <= 0) return;
    const kept = samples.length <= room ? samples : samples.subarray(0, room);
    this.collected.push(kept);
    this.collectedSamples += kept.length;
  }

  /** The collected audio as base64 WAV (DESIGN: `result-success`'s second argument), in the declared codec. */
  private collectedWav(): string {
    const samples = new Int16Array(this.collectedSamples);
    let offset = 0;
    for (const chunk of this.collected) {
      samples.set(chunk, offset);
      offset += chunk.length;
    }
    const wav = encodeWav(
      { sampleRate: this.params.audio.sampleRate, channels: 1, samples },
      this.params.audio.codec === 'mulaw' ? 'mulaw' : 'pcm16',
    );
    return Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength).toString('base64');
  }

  private enterClosed(reason: Extract<SessionState, { name: 'closed' }>['reason']): void {
    const wasWanting = this.wantsAudio;
    this.consumerTimer.cancel();
    this.deadlineTimer.cancel();
    this.analysis.dispose();
    this.enter({ name: 'closed', since: this.deps.clock.now(), reason });
    if (wasWanting) this.observer.onDoneWithAudio(this);
    this.observer.onClosed(this);
    this.call('onClosed', () => this.hooks.onClosed?.(reason));
  }

  private enter(next: SessionState): void {
    const previous = this.current;
    this.current = next;
    if (next.name === 'finished') {
      this.finished = next;
      this.lastStatus = next.status;
    } else if (next.name !== 'closed') {
      this.lastStatus = next.name;
    }
    this.log.debug({ from: previous.name, to: next.name }, 'das-Peak sandbox: session state');
    this.call('onStateChange', () => this.hooks.onStateChange?.(next, previous));
  }

  private call(what: string, fn: () => void): void {
    safely(this.log, `session hook ${what}`, fn);
  }
}
