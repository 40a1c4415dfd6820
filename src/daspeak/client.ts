import type { KitConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import {
  RegisterInitializeSchema,
  VerifyInitializeSchema,
  type AudioProtocol,
  type AudioSettingsRequest,
  type InitializeMetadata,
  type Operation,
  type RegisterInitialize,
  type RestPaths,
  type VerifyInitialize,
} from './contract.js';
import { DaspeakError } from './errors.js';
import {
  CHANNELS,
  completeOutcome,
  outcomeFromError,
  outcomeFromTerminal,
  type Channel,
  type DaspeakOutcome,
  type OutcomeBody,
  type OutcomeContext,
  type Progress,
  type TerminalReport,
} from './outcome.js';
import { pollSession } from './poller.js';
import { createRestClient, REST_DEFAULT_TIMEOUT_MS, type RestClient } from './rest.js';
import { safely } from './safely.js';
import { createSocketSession } from './socketio/session-impl.js';
import type { ReconnectPolicy, TokenTransport } from './socketio/session.js';
import { realSleep, systemClock, type Clock, type Sleep } from './timing.js';
import { createTokenProvider, type TokenProvider } from './token.js';
import { check } from './validate.js';

/** The kit config's `daspeak` section, as the loader returns it (defaults applied). */
export type DaspeakConfig = KitConfig['daspeak'];

// The config's token transports and the session's must stay the same set.
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _transportsMatch: SameSet<TokenTransport, DaspeakConfig['socketio']['tokenTransport']> = true;

export interface DaspeakClientOptions {
  logger?: Logger;
  clock?: Clock;
  sleep?: Sleep;
  /** Per-request timeout of REST and token calls (default 10 s). */
  requestTimeoutMs?: number;
  /** Overall deadline of a session in ms; default `config.timeouts.sessionSeconds`. */
  sessionTimeoutMs?: number;
  /** REST poll interval in ms; default `config.timeouts.pollIntervalMs`. */
  pollIntervalMs?: number;
  /** Token cache tuning; see createTokenProvider. */
  token?: { refreshMarginSeconds?: number; defaultExpiresInSeconds?: number };
  /** Use this token provider (e.g. one shared with a token proxy) instead of creating one. */
  tokens?: TokenProvider;
  /** Overrides of the REST paths (contract REST_PATHS). */
  restPaths?: Partial<RestPaths>;
  /** Socket.IO connection retries before `initialize`. */
  reconnect?: ReconnectPolicy;
  /** Per-attempt Socket.IO connect timeout in ms. */
  connectTimeoutMs?: number;
  /** Audio consumer das-Peak listens with; `audiohook` for Genesys. */
  audioProtocol?: AudioProtocol;
  /**
   * How `initialize.metadata` carries sample_rate and channels: strings as in the documented
   * Socket.IO example (default), or numbers as on the REST channel.
   */
  initializeNumbersAs?: 'string' | 'number';
}

export interface SessionRequest {
  /** Joins the session to the call's audio: the Genesys conversationId. */
  callId: string;
  channel: Channel;
  /** Net speech collected so far (REST: when it changes between polls; Socket.IO: info-vad-status). */
  onProgress?: (progress: Progress) => void;
  /** The audio consumer is connected: audio is reaching das-Peak now. */
  onConsumerReady?: () => void;
  signal?: AbortSignal;
  /** Per-call overrides of the config. */
  audioTotalDuration?: number;
  authenticityThreshold?: number;
  modelHash?: string;
}

export interface VerifySessionRequest extends SessionRequest {
  /** The credential a registration returned. */
  credential: string;
  verificationThreshold?: number;
}

export interface DaspeakClient {
  /** Registers the caller's voice; `registered` carries the credential to store. */
  register(request: SessionRequest): Promise<DaspeakOutcome>;
  /** Verifies the caller's voice against a stored credential. */
  verify(request: VerifySessionRequest): Promise<DaspeakOutcome>;
  /** The token cache of the Socket.IO channel (also what a token proxy hands to browsers). */
  readonly tokens: TokenProvider;
  readonly rest: RestClient;
}

/** What a channel learnt about the session so far; filled in as it goes, so a failure keeps it too. */
interface Trace {
  sessionId?: string;
  createdAt?: number;
  consumerReadyAt?: number;
  lastProgress?: Progress;
}

/**
 * The das-Peak Streaming client: one call per register or verify, over REST or Socket.IO, always
 * answered with a DaspeakOutcome (never a rejection for anything the service or network does).
 */
export function createDaspeakClient(
  config: DaspeakConfig,
  options: DaspeakClientOptions = {},
): DaspeakClient {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const logger = (options.logger ?? silentLogger).child({ component: 'daspeak' });
  const requestTimeoutMs = options.requestTimeoutMs ?? REST_DEFAULT_TIMEOUT_MS;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? config.timeouts.sessionSeconds * 1000;
  const pollIntervalMs = options.pollIntervalMs ?? config.timeouts.pollIntervalMs;
  const audioProtocol = options.audioProtocol ?? 'audiohook';

  const tokens =
    options.tokens ??
    createTokenProvider({
      tokenUrl: config.auth.tokenUrl,
      clientId: config.auth.clientId,
      clientSecret: config.auth.clientSecret,
      timeoutMs: requestTimeoutMs,
      clock,
      logger,
      ...options.token,
    });
  const rest = createRestClient({
    baseUrl: config.rest.baseUrl,
    apiKey: config.rest.apiKey,
    paths: options.restPaths,
    timeoutMs: requestTimeoutMs,
    logger,
  });

  function settingsOf(request: SessionRequest, operation: Operation) {
    return {
      audioTotalDuration: request.audioTotalDuration ?? config.audioTotalDuration[operation],
      authenticityThreshold: request.authenticityThreshold ?? config.authenticityThreshold,
      modelHash: request.modelHash ?? config.modelHash,
    };
  }

  async function runRest(
    operation: Operation,
    request: SessionRequest | VerifySessionRequest,
    deadline: number,
    trace: Trace,
  ): Promise<TerminalReport> {
    const settings = settingsOf(request, operation);
    const callTimeout = () => {
      const left = deadline - clock.now();
      if (left <= 0)
        throw new DaspeakError('daspeak.timeout', 'the session deadline passed while creating it');
      return Math.min(requestTimeoutMs, left);
    };
    const audioSettings: AudioSettingsRequest = {
      audio_protocol: audioProtocol,
      audio_format: config.audio.format,
      audio_codec: config.audio.codec,
      sample_format: config.audio.sampleFormat,
      sample_rate: config.audio.sampleRate,
      channels: config.audio.channels,
    };
    const created = await rest.createAudioSettings(audioSettings, {
      signal: request.signal,
      timeoutMs: callTimeout(),
    });
    const base = {
      audio_settings_id: created.id,
      authenticity_threshold: settings.authenticityThreshold,
      audio_total_duration: settings.audioTotalDuration,
      call_id: request.callId,
      model_hash: settings.modelHash,
    };
    const session =
      operation === 'register'
        ? await rest.createRegisterSession(base, { signal: request.signal, timeoutMs: callTimeout() })
        : await rest.createVerifySession(
            {
              ...base,
              credential: (request as VerifySessionRequest).credential,
              verification_threshold:
                (request as VerifySessionRequest).verificationThreshold ?? config.verificationThreshold,
            },
            { signal: request.signal, timeoutMs: callTimeout() },
          );
    trace.sessionId = session.id;
    trace.createdAt = clock.now();
    try {
      const polled = await pollSession(rest, operation, session.id, {
        intervalMs: pollIntervalMs,
        deadline,
        requestTimeoutMs,
        signal: request.signal,
        onProgress: request.onProgress,
        onConsumerReady: request.onConsumerReady,
        clock,
        sleep,
        logger,
      });
      const { final } = polled;
      const report: TerminalReport = { status: final.status };
      if (final.result) report.result = final.result;
      if (final.error) {
        report.error =
          'exception' in final.error
            ? { code: final.error.exception, message: final.error.error }
            : { code: final.error.code, message: final.error.message };
      }
      trace.consumerReadyAt = polled.consumerReadyAt;
      trace.lastProgress = polled.lastProgress;
      return report;
    } catch (err) {
      // Ending without a terminal status leaves a session waiting for audio; ask das-Peak to drop it.
      await cancelQuietly(operation, session.id);
      throw err;
    }
  }

  async function cancelQuietly(operation: Operation, sessionId: string): Promise<void> {
    try {
      await rest.cancelSession(operation, sessionId, { timeoutMs: Math.min(requestTimeoutMs, 5000) });
    } catch (err) {
      logger.debug({ err, sessionId }, 'cancelling the das-Peak session failed; ignored');
    }
  }

  async function runSocket(
    operation: Operation,
    request: SessionRequest | VerifySessionRequest,
    deadline: number,
    trace: Trace,
  ): Promise<TerminalReport> {
    const initialize = socketInitialize(config, operation, {
      callId: request.callId,
      ...settingsOf(request, operation),
      audioProtocol,
      numbersAs: options.initializeNumbersAs ?? 'string',
      ...(operation === 'verify'
        ? {
            credential: (request as VerifySessionRequest).credential,
            verificationThreshold:
              (request as VerifySessionRequest).verificationThreshold ?? config.verificationThreshold,
          }
        : {}),
    });
    const session = createSocketSession({
      operation,
      url: config.socketio.url,
      path: config.socketio.path,
      namespace:
        operation === 'register' ? config.socketio.registerNamespace : config.socketio.verifyNamespace,
      tokenTransport: config.socketio.tokenTransport,
      tokens,
      initialize,
      deadline,
      reconnect: options.reconnect,
      connectTimeoutMs: options.connectTimeoutMs,
      signal: request.signal,
      clock,
      sleep,
      logger,
      hooks: {
        onStateChange: (state) => {
          if (state.name === 'awaiting-consumer') trace.createdAt = state.createdAt;
        },
        onConsumerReady: (payload) => {
          if (payload.session_id !== undefined) trace.sessionId ??= payload.session_id;
          request.onConsumerReady?.();
        },
        onVadStatus: (_payload, progress) => request.onProgress?.(progress),
      },
    });
    const result = await session.run();
    if (result.sessionId !== undefined) trace.sessionId = result.sessionId;
    trace.consumerReadyAt = result.consumerReadyAt;
    trace.lastProgress = result.lastProgress;
    return result.report;
  }

  async function run(
    operation: Operation,
    request: SessionRequest | VerifySessionRequest,
  ): Promise<DaspeakOutcome> {
    const startedAt = clock.now();
    const input = (request ?? {}) as Partial<VerifySessionRequest>;
    const callId = typeof input.callId === 'string' ? input.callId : '';
    const channel: Channel = CHANNELS.includes(input.channel as Channel)
      ? (input.channel as Channel)
      : 'rest';
    const context = (run?: Trace): OutcomeContext => {
      const ctx: OutcomeContext = {
        operation,
        channel,
        callId,
        timings: { startedAt, resultAt: clock.now() },
      };
      if (run?.sessionId !== undefined) ctx.sessionId = run.sessionId;
      if (run?.createdAt !== undefined) ctx.timings.createdAt = run.createdAt;
      if (run?.consumerReadyAt !== undefined) ctx.timings.consumerReadyAt = run.consumerReadyAt;
      if (run?.lastProgress !== undefined) ctx.progress = run.lastProgress;
      return ctx;
    };

    const problem = inputProblem(operation, input);
    if (problem) return completeOutcome({ kind: 'error', code: 'parameters', message: problem }, context());

    // Progress seen before a failure still belongs in the outcome.
    let lastProgress: Progress | undefined;
    let consumerReadyAt: number | undefined;
    const tracked: SessionRequest = {
      ...(input as SessionRequest),
      onProgress: (progress) => {
        lastProgress = progress;
        if (input.onProgress) safely(logger, () => input.onProgress?.(progress));
      },
      onConsumerReady: () => {
        consumerReadyAt ??= clock.now();
        if (input.onConsumerReady) safely(logger, () => input.onConsumerReady?.());
      },
    };

    const deadline = startedAt + sessionTimeoutMs;
    logger.info({ operation, channel, callId }, 'das-Peak session starting');
    const trace: Trace = {};
    let body: OutcomeBody;
    try {
      const report =
        channel === 'rest'
          ? await runRest(operation, tracked, deadline, trace)
          : await runSocket(operation, tracked, deadline, trace);
      body = outcomeFromTerminal(operation, report);
    } catch (err) {
      body = outcomeFromError(err);
    }
    trace.lastProgress ??= lastProgress;
    trace.consumerReadyAt ??= consumerReadyAt;
    const outcome = completeOutcome(body, context(trace));
    logger.info(
      {
        operation,
        channel,
        callId,
        sessionId: outcome.sessionId,
        kind: outcome.kind,
        ...(outcome.kind === 'error' ? { code: outcome.code } : {}),
      },
      'das-Peak session finished',
    );
    return outcome;
  }

  return {
    tokens,
    rest,
    register: (request) => run('register', request),
    verify: (request) => run('verify', request),
  };
}

export interface InitializeParams {
  callId: string;
  audioTotalDuration: number;
  authenticityThreshold: number;
  modelHash: string;
  audioProtocol: AudioProtocol;
  /** How metadata carries sample_rate and channels (see DaspeakClientOptions.initializeNumbersAs). */
  numbersAs: 'string' | 'number';
  /** Verify only. */
  credential?: string;
  verificationThreshold?: number;
}

/**
 * The Socket.IO `initialize` of a register or verify session, from the config's audio settings and
 * the session's parameters, checked against the contract (daspeak.invalid_request otherwise). Shared
 * by this client and the backend's relay, so both send the same message.
 */
export function socketInitialize(
  config: DaspeakConfig,
  operation: Operation,
  params: InitializeParams,
): RegisterInitialize | VerifyInitialize {
  const asWire = (n: number) => (params.numbersAs === 'number' ? n : String(n));
  const metadata: InitializeMetadata = {
    audio_protocol: params.audioProtocol,
    audio_format: config.audio.format,
    audio_codec: config.audio.codec,
    sample_format: config.audio.sampleFormat,
    sample_rate: asWire(config.audio.sampleRate),
    channels: asWire(config.audio.channels),
    call_id: params.callId,
  };
  const common = {
    authenticity_threshold: params.authenticityThreshold,
    audio_total_duration: params.audioTotalDuration,
    model_hash: params.modelHash,
  };
  const initialize: RegisterInitialize | VerifyInitialize =
    operation === 'register'
      ? { metadata, register_request: common }
      : {
          metadata,
          verify_request: {
            credential: params.credential ?? '',
            ...common,
            verification_threshold: params.verificationThreshold ?? config.verificationThreshold,
          },
        };
  const valid = check(
    operation === 'register' ? RegisterInitializeSchema : VerifyInitializeSchema,
    initialize,
  );
  if (!valid.ok) {
    throw new DaspeakError('daspeak.invalid_request', `initialize: the request ${valid.problem}`);
  }
  return initialize;
}

/** What is wrong with the caller's request, if anything; the service is never asked with it. */
function inputProblem(operation: Operation, input: Partial<VerifySessionRequest>): string | undefined {
  if (typeof input.callId !== 'string' || input.callId.trim() === '')
    return 'callId must be a non-empty string';
  if (!CHANNELS.includes(input.channel as Channel)) return `channel must be one of ${CHANNELS.join(', ')}`;
  if (operation === 'verify' && (typeof input.credential !== 'string' || input.credential === '')) {
    return 'credential must be a non-empty string';
  }
  if (input.signal !== undefined && !(input.signal instanceof AbortSignal))
    return 'signal must be an AbortSignal';
  return undefined;
}
