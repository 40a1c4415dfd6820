import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { silentLogger } from '../../log.js';
import {
  CLIENT_EVENTS,
  ConsumerReadyPayloadSchema,
  ErrorEventPayloadSchema,
  FailSpoofPayloadSchema,
  RegisterSuccessPayloadSchema,
  SERVER_EVENTS,
  VadStatusPayloadSchema,
  VerifyScorePayloadSchema,
  ERROR_EVENTS,
  statusForEvent,
  type ErrorEventName,
  type ResultEventName,
} from '../contract.js';
import { DaspeakError } from '../errors.js';
import type { Progress, TerminalReport } from '../outcome.js';
import { safely } from '../safely.js';
import type { AccessToken } from '../token.js';
import { realSleep, systemClock } from '../timing.js';
import { check } from '../validate.js';
import {
  DEFAULT_RECONNECT_POLICY,
  type SocketSession,
  type SocketSessionOptions,
  type SocketSessionResult,
  type SocketSessionState,
} from './session.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

type ConnectAttempt =
  | { kind: 'connected'; socket: Socket }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'failed'; message: string };

export function createSocketSession(options: SocketSessionOptions): SocketSession {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const logger = (options.logger ?? silentLogger).child({
    daspeak: 'socketio',
    namespace: options.namespace,
    callId: options.initialize.metadata.call_id,
  });
  const policy = options.reconnect ?? DEFAULT_RECONNECT_POLICY;
  const where = `Socket.IO ${options.namespace}`;

  let state: SocketSessionState = { name: 'idle' };
  let started = false;
  const stop = new AbortController();
  const timeoutError = () =>
    new DaspeakError('daspeak.timeout', `${where}: no result before the session deadline`, {
      operation: where,
    });
  const abortedError = () =>
    new DaspeakError('daspeak.aborted', `${where}: cancelled by the caller`, { operation: where });

  function enter(next: SocketSessionState): void {
    state = next;
    safely(logger, () => options.hooks?.onStateChange?.(next));
  }

  /** Which of the two stop reasons fired: the caller's abort or the deadline. */
  function stopError(): DaspeakError {
    return stop.signal.reason instanceof DaspeakError ? stop.signal.reason : abortedError();
  }

  function connectOnce(token: AccessToken): Promise<ConnectAttempt> {
    const left = options.deadline - clock.now();
    const opts: Partial<ManagerOptions & SocketOptions> = {
      path: options.path,
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      autoConnect: false,
      timeout: Math.max(1, Math.min(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, left)),
    };
    switch (options.tokenTransport) {
      case 'auth':
        opts.auth = { token: token.accessToken };
        break;
      case 'query':
        opts.query = { access_token: token.accessToken };
        break;
      case 'header':
        // Node only: browsers cannot set headers on a WebSocket.
        opts.extraHeaders = { Authorization: `${token.tokenType} ${token.accessToken}` };
        break;
    }
    const socket = io(namespaceUrl(options.url, options.namespace), opts);
    return new Promise<ConnectAttempt>((resolve) => {
      const done = (attempt: ConnectAttempt) => {
        socket.off('connect', onConnect);
        socket.off('connect_error', onError);
        stop.signal.removeEventListener('abort', onStop);
        if (attempt.kind !== 'connected') socket.disconnect();
        resolve(attempt);
      };
      const onConnect = () => done({ kind: 'connected', socket });
      const onError = (err: Error) =>
        done({ kind: isUnauthorized(err) ? 'unauthorized' : 'failed', message: describeConnectError(err) });
      const onStop = () => done({ kind: 'failed', message: 'stopped' });
      socket.on('connect', onConnect);
      socket.on('connect_error', onError);
      if (stop.signal.aborted) {
        onStop();
        return;
      }
      stop.signal.addEventListener('abort', onStop, { once: true });
      socket.connect();
    });
  }

  async function connect(): Promise<Socket> {
    let authRetried = false;
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      enter({ name: 'connecting', attempt });
      let token: AccessToken;
      try {
        token = await options.tokens.getToken({ signal: stop.signal });
      } catch (err) {
        if (stop.signal.aborted) throw stopError();
        throw err;
      }
      const result = await connectOnce(token);
      if (stop.signal.aborted) {
        if (result.kind === 'connected') result.socket.disconnect();
        throw stopError();
      }
      if (result.kind === 'connected') return result.socket;
      if (result.kind === 'unauthorized') {
        if (authRetried) {
          throw new DaspeakError(
            'daspeak.auth_failed',
            `${where}: the access token was refused (${result.message})`,
            {
              operation: where,
              serverMessage: result.message,
              hint: 'check daspeak.auth (the client credentials) and daspeak.socketio.tokenTransport',
            },
          );
        }
        // The cached token may have expired or been revoked early: fetch a new one and try once more.
        authRetried = true;
        options.tokens.invalidate(token.accessToken);
        logger.debug('access token refused; retrying once with a new one');
        continue;
      }
      failures += 1;
      if (failures >= Math.max(1, policy.attempts)) {
        throw new DaspeakError(
          'daspeak.connection',
          `${where}: could not connect to ${safeOrigin(options.url)} after ${failures} attempt(s) (${result.message})`,
          { operation: where, hint: 'check daspeak.socketio.url, path and the namespace' },
        );
      }
      logger.debug({ attempt, reason: result.message }, 'connect failed; retrying');
      try {
        await sleep(Math.max(0, Math.min(policy.delayMs, options.deadline - clock.now())), stop.signal);
      } catch (err) {
        if (stop.signal.aborted) throw stopError();
        throw err;
      }
    }
  }

  function converse(socket: Socket): Promise<SocketSessionResult> {
    return new Promise<SocketSessionResult>((resolve, reject) => {
      let sessionId: string | undefined;
      // Events can only follow `initialize`, which is sent below, after every handler is in place.
      const createdAt = clock.now();
      let consumerReadyAt: number | undefined;
      let lastProgress: Progress | undefined;
      let settled = false;

      const settle = (outcome: { report: TerminalReport } | { error: DaspeakError }) => {
        if (settled) return;
        settled = true;
        stop.signal.removeEventListener('abort', onStop);
        socket.removeAllListeners();
        socket.disconnect();
        if ('error' in outcome) {
          enter({ name: 'failed', error: outcome.error });
          reject(outcome.error);
        } else {
          enter({ name: 'finished', report: outcome.report });
          resolve({ report: outcome.report, sessionId, createdAt, consumerReadyAt, lastProgress });
        }
      };
      const onStop = () => settle({ error: stopError() });
      const noteSession = (payload: unknown) => {
        if (isRecord(payload) && typeof payload.session_id === 'string') sessionId ??= payload.session_id;
      };

      socket.on(SERVER_EVENTS.consumerReady, (raw: unknown) => {
        const payload = readPayload(raw);
        noteSession(payload);
        if (consumerReadyAt !== undefined) return;
        consumerReadyAt = clock.now();
        enter({ name: 'collecting', createdAt, consumerReadyAt });
        const parsed = check(ConsumerReadyPayloadSchema, payload);
        safely(logger, () => options.hooks?.onConsumerReady?.(parsed.ok ? parsed.value : {}));
      });

      socket.on(SERVER_EVENTS.vadStatus, (raw: unknown) => {
        const payload = readPayload(raw);
        noteSession(payload);
        const parsed = check(VadStatusPayloadSchema, payload);
        // Progress is advisory; a malformed report is skipped rather than ending the session.
        if (!parsed.ok) {
          logger.debug({ problem: parsed.problem }, 'info-vad-status payload ignored');
          return;
        }
        const progress: Progress = { netSpeechDuration: parsed.value.net_speech_duration };
        if (parsed.value.audio_total_duration !== undefined) {
          progress.audioTotalDuration = parsed.value.audio_total_duration;
        }
        lastProgress = progress;
        safely(logger, () => options.hooks?.onVadStatus?.(parsed.value, progress));
      });

      const onResult = (event: ResultEventName) => (raw: unknown, audio?: unknown) => {
        const payload = readPayload(raw);
        noteSession(payload);
        const schema =
          event === SERVER_EVENTS.failSpoof
            ? FailSpoofPayloadSchema
            : event === SERVER_EVENTS.success && options.operation === 'register'
              ? RegisterSuccessPayloadSchema
              : VerifyScorePayloadSchema;
        const parsed = check(schema, payload);
        if (!parsed.ok) {
          settle({
            error: new DaspeakError('daspeak.bad_response', `${where}: ${event} payload ${parsed.problem}`, {
              operation: where,
              hint: 'the das-Peak Streaming contract may have changed; see docs/daspeak-contract.md',
            }),
          });
          return;
        }
        const report: TerminalReport = { status: statusForEvent(event), result: parsed.value };
        const collectedAudio = event === SERVER_EVENTS.success ? toBase64(audio) : undefined;
        if (collectedAudio !== undefined) report.collectedAudio = collectedAudio;
        settle({ report });
      };
      socket.on(SERVER_EVENTS.success, onResult(SERVER_EVENTS.success));
      socket.on(SERVER_EVENTS.failScore, onResult(SERVER_EVENTS.failScore));
      socket.on(SERVER_EVENTS.failSpoof, onResult(SERVER_EVENTS.failSpoof));

      const onError = (event: ErrorEventName) => (raw: unknown) => {
        const payload = readPayload(raw);
        // The event name alone decides the outcome; a payload that does not fit only loses its text.
        const parsed = check(ErrorEventPayloadSchema, payload);
        const error = !parsed.ok
          ? {}
          : 'exception' in parsed.value
            ? { code: parsed.value.exception, message: parsed.value.error }
            : { code: parsed.value.code, message: parsed.value.message };
        settle({ report: { status: statusForEvent(event), error } });
      };
      for (const event of ERROR_EVENTS) socket.on(event, onError(event));

      socket.on('disconnect', (reason: string) => {
        // No reconnect after `initialize`: a new connection would need a new `initialize`, i.e. a second
        // session for the same call while the first one's fate is unknown. The caller decides instead.
        settle({
          error: new DaspeakError(
            'daspeak.connection',
            `${where}: the connection was lost during the session (${reason}); the session cannot be resumed`,
            { operation: where, hint: 'start the register or verify again' },
          ),
        });
      });

      if (stop.signal.aborted) {
        onStop();
        return;
      }
      stop.signal.addEventListener('abort', onStop, { once: true });
      socket.emit(CLIENT_EVENTS.initialize, options.initialize);
      enter({ name: 'awaiting-consumer', createdAt });
    });
  }

  return {
    get state() {
      return state;
    },
    async run() {
      if (started) throw new DaspeakError('daspeak.invalid_request', `${where}: a session runs only once`);
      started = true;
      const onCallerAbort = () => stop.abort(abortedError());
      if (options.signal?.aborted) onCallerAbort();
      options.signal?.addEventListener('abort', onCallerAbort, { once: true });
      const timer = setTimeout(() => stop.abort(timeoutError()), Math.max(0, options.deadline - clock.now()));
      try {
        if (stop.signal.aborted) throw stopError();
        return await converse(await connect());
      } catch (err) {
        if (state.name !== 'failed' && err instanceof DaspeakError) enter({ name: 'failed', error: err });
        throw err;
      } finally {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onCallerAbort);
      }
    },
    close() {
      stop.abort(abortedError());
    },
  };
}

/** `origin + namespace`: socket.io-client reads the URL's path as the namespace. */
export function namespaceUrl(url: string, namespace: string): string {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    throw new DaspeakError('daspeak.invalid_request', `the Socket.IO URL is not a URL: ${url}`, {
      hint: 'set daspeak.socketio.url to the service origin, such as https://api.eu.veri-das.com',
    });
  }
  return `${origin}${namespace.startsWith('/') ? namespace : `/${namespace}`}`;
}

/**
 * DESIGN: the emulator refuses a token with connect_error "unauthorized". A server that refuses the
 * WebSocket upgrade itself (HTTP 401/403) is recognised too.
 */
function isUnauthorized(err: Error): boolean {
  if (/unauthori[sz]ed|forbidden/i.test(err.message)) return true;
  return /\b(401|403)\b/.test(describeConnectError(err));
}

function describeConnectError(err: Error): string {
  const description: unknown = (err as Error & { description?: unknown }).description;
  const detail =
    description instanceof Error
      ? description.message
      : isRecord(description) && typeof description.message === 'string'
        ? description.message
        : '';
  return detail && detail !== err.message ? `${err.message}: ${detail}` : err.message;
}

/** Payloads are objects; a JSON string is accepted too, as some servers emit serialised JSON. */
function readPayload(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The collected audio as base64: kept as sent when a string, encoded when binary. */
function toBase64(audio: unknown): string | undefined {
  if (typeof audio === 'string') return audio === '' ? undefined : audio;
  let bytes: Uint8Array | undefined;
  if (audio instanceof Uint8Array) bytes = audio;
  else if (audio instanceof ArrayBuffer) bytes = new Uint8Array(audio);
  if (!bytes || bytes.length === 0) return undefined;
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
