/**
 * One simulated Genesys call. The order is the one a real call follows:
 *
 *   1. Genesys opens the Audiohook session when the call starts (signed, conversationId = call_id);
 *   2. the IVR or the agent's widget then starts the das-Peak register/verify session for that call_id;
 *   3. the line carries silence until das-Peak reports its audio consumer ready, then the caller
 *      speaks (the WAV or voice, paced by `speed`), then holds (silence) until the result, for at
 *      most `holdSeconds`;
 *   4. the caller hangs up: Audiohook `close` with reason `end`. A caller who hangs up early (the
 *      hold ran out, or the run was interrupted) does so before the das-Peak session is given up,
 *      as on a real call, so das-Peak sees the audio end first.
 *
 * Only the caller's speech is sped up: the waiting phases run in real time in 20 ms frames, since
 * their length depends on the service, not on the audio, and speeding them up would only flood it.
 */
import { randomUUID } from 'node:crypto';
import { pace, sliceFrames } from '../audio/index.js';
import { connectAudiohook, resultOf } from '../audiohook/client/index.js';
import type {
  AudiohookClientError,
  AudiohookClientResult,
  AudiohookClientSession,
} from '../audiohook/client/index.js';
import type { MediaParameter } from '../audiohook/protocol/core.js';
import type { Operation } from '../daspeak/contract.js';
import type { DaspeakClient } from '../daspeak/client.js';
import type { Channel, DaspeakOutcome, OutcomeKind, Progress } from '../daspeak/outcome.js';
import { isKitError, type KitError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { mediaBytes, silenceBytes, speechReachedAt, type CallAudio } from './audio.js';
import type { GenesysCallSummary } from './genesys-call.js';
import { DEFAULT_HOLD_SECONDS, type Expectation } from './options.js';

/** Genesys' reference client sends 200 ms of audio per message. */
export const SPEECH_FRAME_MS = 200;
/** Waiting phases send short frames so the speech starts soon after the consumer is ready. */
export const WAIT_FRAME_MS = 20;
/** How long das-Peak may still answer after the call audio ended, before the simulator gives up. */
export const AUDIO_LOST_GRACE_MS = 10_000;

/** Where the calls go: das-Peak's signalling client and its Audiohook endpoint. */
export interface CallTarget {
  daspeak: DaspeakClient;
  audiohook: { uri: string; apiKey: string; clientSecret?: string; organizationId: string };
  /** Net speech das-Peak collects per operation (config `daspeak.audioTotalDuration`). */
  audioTotalDuration: Record<Operation, number>;
  logger?: Logger;
}

export interface CallPlan {
  operation: Operation;
  channel: Channel;
  /** Genesys conversationId = das-Peak call_id; a fresh UUID when absent. */
  callId?: string;
  /** Caller number in E.164. */
  ani: string;
  audio: CallAudio;
  speed: number;
  expect: Expectation;
  /** Verify only. */
  credential?: string;
  /** Seconds the line stays open after the caller's audio while no result has come (default 10). */
  holdSeconds?: number;
  /** Aborting ends the call cleanly: das-Peak session cancelled, Audiohook closed with `end`. */
  signal?: AbortSignal;
  /** Told as the call passes each step (for progress output, and for tests that act mid-call). */
  onStep?: (step: CallStep) => void;
}

export type CallStep =
  | 'audiohook-opened'
  | 'session-started'
  | 'consumer-ready'
  | 'speech-started'
  | 'required-speech-sent'
  | 'result'
  | 'ended';

export type ErrorSource = 'audiohook' | 'daspeak';

export interface CallError {
  source: ErrorSource;
  code: string;
  message: string;
  /** HTTP status when one was involved (a refused Audiohook upgrade, a das-Peak HTTP error). */
  status?: number;
}

/** Milliseconds from the start of the call (the Audiohook connect). */
export interface CallTimings {
  audiohookOpenedMs?: number;
  /** das-Peak session start (register/verify called), after the Audiohook session opened. */
  sessionStartedMs?: number;
  sessionCreatedMs?: number;
  consumerReadyMs?: number;
  /** The caller's speech started streaming. */
  speechStartedMs?: number;
  /** The last frame needed for the required net speech was sent. */
  requiredSpeechSentMs?: number;
  resultMs?: number;
  /** From the required net speech on the line to the result: das-Peak's own latency. */
  speechToResultMs?: number;
  /** Audiohook closed (the end of the call). */
  endedMs?: number;
}

export interface AudiohookSummary {
  sessionId: string;
  /** Channels of the media the server selected, e.g. ["external"]; null when none was. */
  media: string[] | null;
  secondsSent: number;
  closeReason: string | null;
  closedByServer: boolean;
  disconnectReason: string | null;
  httpStatus: number | null;
  errors: AudiohookClientError[];
}

export interface CallReport {
  callId: string;
  ani: string;
  operation: Operation;
  channel: Channel;
  audio: {
    source: string;
    seconds: number;
    netSpeechSeconds: number;
    sampleRate: number;
    channels: number;
  };
  /** The das-Peak outcome; `error` also when the call could not carry audio to it. */
  kind: OutcomeKind;
  /** The outcome is what `--expect` asked for. */
  expected: boolean;
  score?: number;
  authenticity?: number;
  threshold?: number;
  sessionId?: string;
  error?: CallError;
  /** Net speech das-Peak waited for, and the last progress it reported. */
  requiredNetSpeechSeconds: number;
  progress?: Progress;
  timings: CallTimings;
  /** The Audiohook session that carried the audio (with `--via-genesys`, the org's, from its report). */
  audiohook: AudiohookSummary;
  /** With `--via-genesys`: what the org's call report says. */
  genesys?: GenesysCallSummary;
}

export interface CallResult {
  report: CallReport;
  /** The credential of a registration. Kept out of the report: reports are printed. */
  credential?: string;
}

/** Whether an outcome kind is what `--expect` asked for (`any` = every outcome but an error). */
export function meetsExpectation(kind: OutcomeKind, expect: Expectation): boolean {
  return expect === 'any' ? kind !== 'error' : kind === expect;
}

const LIVE_STATES = new Set(['ACTIVE', 'PAUSED']);

export function summariseAudiohook(result: AudiohookClientResult): AudiohookSummary {
  return {
    sessionId: result.sessionId,
    media: result.selectedMedia ? [...result.selectedMedia.channels] : null,
    secondsSent: result.audio.seconds,
    closeReason: result.closeReason,
    closedByServer: result.closedByServer,
    disconnectReason: result.disconnect?.reason ?? null,
    httpStatus: result.httpStatus,
    errors: result.errors,
  };
}

function audiohookError(error: KitError): CallError {
  return {
    source: 'audiohook',
    code: error.code,
    message: error.toLine(),
    ...(error.status !== undefined ? { status: error.status } : {}),
  };
}

/** Why the Audiohook side failed during the call, if it did (a server `disconnect` or a session error). */
export function audioLost(result: AudiohookClientResult): CallError | undefined {
  const first = result.errors[0];
  if (result.disconnect && result.disconnect.reason !== 'completed') {
    const info = result.disconnect.info ? `: ${result.disconnect.info}` : '';
    return {
      source: 'audiohook',
      code: `audiohook.disconnect_${result.disconnect.reason}`,
      message: `the Audiohook server disconnected the call (${result.disconnect.reason}${info})`,
    };
  }
  if (first) return { source: 'audiohook', code: first.code, message: first.message };
  return undefined;
}

interface LiveState {
  step: (step: CallStep) => void;
  consumerReady: boolean;
  outcome?: DaspeakOutcome;
  requiredSpeechSentAt?: number;
  speechStartedAt?: number;
}

/** Silence in real time while `waiting()` holds; stops quietly when the signal aborts. */
async function* silenceWhile(
  media: MediaParameter,
  waiting: () => boolean,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const frame = silenceBytes(media, WAIT_FRAME_MS);
  function* source() {
    while (waiting() && !signal.aborted) yield frame;
  }
  yield* pace(source(), { duration: () => WAIT_FRAME_MS / 1000, speed: 1, signal });
}

/** The audio of the whole call, phase by phase (see the module comment). */
async function* callFrames(
  session: AudiohookClientSession,
  audio: CallAudio,
  requiredAt: number | undefined,
  speed: number,
  holdSeconds: number,
  state: LiveState,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const media = session.selectedMedia!;
  const live = () => LIVE_STATES.has(session.state) && state.outcome === undefined;
  try {
    yield* silenceWhile(media, () => live() && !state.consumerReady, signal);
    if (!live()) return;

    const format = { sampleRate: media.rate, channels: media.channels.length, bytesPerSample: 1 };
    const frames = sliceFrames(mediaBytes(audio, media), format, SPEECH_FRAME_MS);
    const frameSeconds = (frame: Uint8Array) => frame.byteLength / format.channels / format.sampleRate;
    state.speechStartedAt = Date.now();
    state.step('speech-started');
    let position = 0;
    for await (const frame of pace(frames, { duration: frameSeconds, speed, signal })) {
      yield frame;
      position += frameSeconds(frame);
      if (
        state.requiredSpeechSentAt === undefined &&
        requiredAt !== undefined &&
        position + 1e-9 >= requiredAt
      ) {
        state.requiredSpeechSentAt = Date.now();
        state.step('required-speech-sent');
      }
      if (!live()) return;
    }

    const holdUntil = Date.now() + holdSeconds * 1000;
    yield* silenceWhile(media, () => live() && Date.now() < holdUntil, signal);
  } catch (err) {
    // Hanging up (abort) is the normal end of an interrupted call, not a failure of the audio source.
    if (isKitError(err) && err.code === 'audio.pacer_aborted') return;
    throw err;
  }
}

/** Waits for `promise` at most `ms`, and no longer than until `signal` aborts. */
export async function settledWithin(
  promise: Promise<unknown>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  const stop = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    onAbort = () => resolve();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([promise, stop]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The report of one call, whoever carried its audio (the simulator, or a Genesys org with
 * `--via-genesys`): the outcome, the error that explains an `error`, and the timings (rounded, never
 * negative, relative to the call start).
 */
export function buildReport(
  call: { callId: string; plan: CallPlan; required: number },
  audiohook: AudiohookSummary,
  outcome: DaspeakOutcome | undefined,
  error: CallError | undefined,
  times: Partial<Record<keyof CallTimings, number | undefined>>,
): CallReport {
  const { callId, plan, required } = call;
  const kind: OutcomeKind = error ? 'error' : (outcome?.kind ?? 'error');
  const timings: CallTimings = {};
  for (const [key, value] of Object.entries(times) as [keyof CallTimings, number | undefined][]) {
    if (value !== undefined) timings[key] = Math.max(0, Math.round(value));
  }
  if (timings.resultMs !== undefined && timings.requiredSpeechSentMs !== undefined) {
    timings.speechToResultMs = timings.resultMs - timings.requiredSpeechSentMs;
  }
  const r: CallReport = {
    callId,
    ani: plan.ani,
    operation: plan.operation,
    channel: plan.channel,
    audio: {
      source: plan.audio.source,
      seconds: round(plan.audio.seconds, 3),
      netSpeechSeconds: round(plan.audio.netSpeechSeconds, 3),
      sampleRate: plan.audio.original.sampleRate,
      channels: plan.audio.original.channels,
    },
    kind,
    expected: meetsExpectation(kind, plan.expect),
    requiredNetSpeechSeconds: required,
    timings,
    audiohook,
  };
  if (outcome && 'score' in outcome) r.score = outcome.score;
  if (outcome && 'authenticity' in outcome && outcome.authenticity !== undefined)
    r.authenticity = outcome.authenticity;
  if (outcome && 'threshold' in outcome && outcome.threshold !== undefined) r.threshold = outcome.threshold;
  if (outcome?.sessionId !== undefined) r.sessionId = outcome.sessionId;
  if (outcome?.progress !== undefined) r.progress = outcome.progress;
  if (error) r.error = error;
  else if (outcome?.kind === 'error') {
    r.error = {
      source: 'daspeak',
      code: outcome.code,
      message: outcome.message,
      ...(outcome.upstreamStatus !== undefined ? { status: outcome.upstreamStatus } : {}),
    };
  }
  return r;
}

/** Plays one call against the target. Never rejects for what the services or the network do. */
export async function simulateCall(target: CallTarget, plan: CallPlan): Promise<CallResult> {
  const logger = target.logger ?? silentLogger;
  const callId = plan.callId ?? randomUUID();
  const required = target.audioTotalDuration[plan.operation];
  const started = Date.now();
  const since = (at: number | undefined) => (at === undefined ? undefined : at - started);
  // The line stops when the run is interrupted; das-Peak is given up only once the line is down.
  const lineSignal = plan.signal ?? new AbortController().signal;
  const daspeakController = new AbortController();
  const step = (name: CallStep) => {
    try {
      plan.onStep?.(name);
    } catch (err) {
      logger.debug({ err, step: name }, 'simulate: an onStep callback threw; ignored');
    }
  };

  const report = (
    audiohook: AudiohookClientResult,
    outcome: DaspeakOutcome | undefined,
    error: CallError | undefined,
    times: Partial<Record<keyof CallTimings, number | undefined>>,
  ): CallReport =>
    buildReport({ callId, plan, required }, summariseAudiohook(audiohook), outcome, error, times);

  // 1. The call starts: Genesys opens the Audiohook session.
  let session: AudiohookClientSession;
  try {
    session = await connectAudiohook({
      uri: target.audiohook.uri,
      apiKey: target.audiohook.apiKey,
      ...(target.audiohook.clientSecret ? { clientSecret: target.audiohook.clientSecret } : {}),
      organizationId: target.audiohook.organizationId,
      conversationId: callId,
      participant: { ani: `tel:${plan.ani}`, aniName: '', dnis: '' },
      logger,
    });
  } catch (err) {
    const failed = resultOf(err);
    if (!failed || !isKitError(err)) throw err;
    return { report: report(failed, undefined, audiohookError(err), { endedMs: since(Date.now()) }) };
  }
  const openedAt = Date.now();
  step('audiohook-opened');
  if (!session.selectedMedia) {
    const result = await session.close('end');
    const error: CallError = {
      source: 'audiohook',
      code: 'audiohook.no_media',
      message: 'the Audiohook server selected no media: it would receive no audio',
    };
    return { report: report(result, undefined, error, { audiohookOpenedMs: openedAt - started }) };
  }

  // 2. The IVR or the widget starts the das-Peak session for this call.
  const state: LiveState = { step, consumerReady: false };
  const sessionStartedAt = Date.now();
  step('session-started');
  const common = {
    callId,
    channel: plan.channel,
    signal: daspeakController.signal,
    onConsumerReady: () => {
      state.consumerReady = true;
      step('consumer-ready');
    },
  };
  const outcomeP = (
    plan.operation === 'register'
      ? target.daspeak.register(common)
      : target.daspeak.verify({ ...common, credential: plan.credential ?? '' })
  ).then((outcome) => {
    state.outcome = outcome;
    step('result');
    return outcome;
  });

  // 3. The line: silence, the caller's speech, the caller holding on until the result.
  const requiredAt = speechReachedAt(plan.audio.speech, required);
  const hold = plan.holdSeconds ?? DEFAULT_HOLD_SECONDS;
  let streamError: CallError | undefined;
  try {
    const frames = callFrames(session, plan.audio, requiredAt, plan.speed, hold, state, lineSignal);
    await session.stream(frames);
  } catch (err) {
    if (!isKitError(err)) throw err;
    streamError = audiohookError(err);
  }

  // 4. The caller hangs up. Without a result yet, das-Peak hears the audio end and may still answer.
  let result: AudiohookClientResult | undefined;
  const hangUp = async () =>
    (result ??= LIVE_STATES.has(session.state) ? await session.close('end') : await session.done);
  let gaveUp = false;
  if (!state.outcome) {
    await hangUp();
    if (!plan.signal?.aborted) {
      await settledWithin(outcomeP, AUDIO_LOST_GRACE_MS, plan.signal);
      gaveUp = !state.outcome && !plan.signal?.aborted;
    }
    daspeakController.abort(new Error('the call ended before das-Peak answered'));
  }
  const outcome = await outcomeP;
  const ended = await hangUp();
  step('ended');

  let failure: CallError | undefined;
  if (outcome.kind === 'error' && !plan.signal?.aborted) {
    failure = streamError ?? audioLost(ended);
    if (!failure && gaveUp) {
      failure = {
        source: 'daspeak',
        code: 'no-result',
        message: `das-Peak gave no result within ${AUDIO_LOST_GRACE_MS / 1000} s of the call ending`,
      };
    }
  }
  return {
    report: report(ended, outcome, failure, {
      audiohookOpenedMs: openedAt - started,
      sessionStartedMs: sessionStartedAt - started,
      sessionCreatedMs: since(outcome.timings.createdAt),
      consumerReadyMs: since(outcome.timings.consumerReadyAt),
      speechStartedMs: since(state.speechStartedAt),
      requiredSpeechSentMs: since(state.requiredSpeechSentAt),
      resultMs: since(outcome.timings.resultAt),
      endedMs: since(Date.now()),
    }),
    ...(outcome.kind === 'registered' ? { credential: outcome.credential } : {}),
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
