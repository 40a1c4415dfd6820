import {
  createSocketSession,
  EVENT_FOR_STATUS,
  isDaspeakError,
  SERVER_EVENTS,
  socketInitialize,
  type AccessToken,
  type RegisterInitialize,
  type TerminalReport,
  type TokenProvider,
  type VerifyInitialize,
} from '../../daspeak/index.js';
import { isKitError } from '../../errors.js';
import type { AccessContext, AuditOutcome } from '../../store/index.js';
import type { RouteContext } from '../routes/context.js';
import type { RelayPeer } from './handshake.js';

/** What the relay sends the browser: one event name and its payload. */
export type Emit = (event: string, payload: Record<string, unknown>) => void;

/** How a relayed session ended, for its audit row and metrics. */
export interface RelayEnd {
  /** The event the browser got last (`result-success`, `error-backend`…), or `aborted`. */
  event: string;
  outcome: AuditOutcome;
  /** key=value pairs for the audit row: never a credential, a token or a number. */
  detail: string;
}

/** Failures of the backend itself (not das-Peak's verdicts), sent as `error-backend {code, message}`. */
export const BACKEND_ERROR = 'error-backend';

const backendCodeOf = (err: unknown): string => {
  if (isDaspeakError(err)) {
    switch (err.code) {
      case 'daspeak.connection':
        return 'daspeak.unreachable';
      case 'daspeak.auth_failed':
        return 'daspeak.auth_failed';
      case 'daspeak.timeout':
        return 'daspeak.timeout';
      case 'daspeak.bad_response':
        return 'daspeak.bad_response';
      default:
        return 'daspeak.failed';
    }
  }
  return isKitError(err) ? err.code : 'internal';
};

const backendMessages: Record<string, string> = {
  'daspeak.unreachable': 'das-Peak Streaming could not be reached from the backend; try again shortly',
  'daspeak.auth_failed':
    "das-Peak Streaming refused the backend's access token; the operator must check daspeak.auth",
  'daspeak.timeout': 'das-Peak Streaming gave no result before the session deadline',
  'daspeak.bad_response': 'das-Peak Streaming answered outside its contract',
  'daspeak.failed': 'the das-Peak session failed in the backend',
  internal: 'the backend failed while relaying the session',
};

function backendError(err: unknown): { code: string; message: string } {
  const code = backendCodeOf(err);
  const message =
    backendMessages[code] ??
    (isKitError(err) && !code.startsWith('internal') ? err.message : backendMessages.internal!);
  return { code, message };
}

/** Only what das-Peak put in a result that is safe and useful to pass on. */
function pick(source: object | undefined, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!source) return out;
  for (const key of keys) {
    const value = (source as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

const number = (value: unknown) =>
  typeof value === 'number' ? String(Math.round(value * 10_000) / 10_000) : '';

/**
 * One das-Peak session the backend runs for a relay socket: its own token, the thresholds and model
 * hash of the config (nothing the browser sent), the credential read from or written to the store
 * here. Events go to the browser through `emit`; the credential and the collected audio never do.
 * Resolves once the session is over, with what to audit.
 */
export async function runRelayedSession(
  ctx: RouteContext,
  tokens: TokenProvider,
  peer: RelayPeer,
  emit: Emit,
  signal: AbortSignal,
): Promise<RelayEnd> {
  const { config } = ctx;
  const access: AccessContext = {
    actor: { type: 'agent', id: peer.agent.userId },
    conversationId: peer.conversationId,
  };
  const callId = peer.conversationId;
  const refuse = (event: string, code: string, message: string): RelayEnd => {
    emit(event, { call_id: callId, code, message });
    return {
      event,
      outcome: event === BACKEND_ERROR ? 'error' : 'denied',
      detail: `${peer.operation}:${code}`,
    };
  };

  let credential: string | undefined;
  try {
    if (peer.operation === 'register' && ctx.requireConsent) {
      const consent = await ctx.store.getConsent(peer.e164);
      if (consent?.status !== 'granted') {
        return refuse(
          SERVER_EVENTS.errorParameters,
          'store.consent_required',
          "the caller's consent to voice registration is not on record; record it first",
        );
      }
    }
    if (peer.operation === 'verify') {
      const stored = await ctx.store.getCredential(access, peer.e164);
      if (!stored) {
        return refuse(
          SERVER_EVENTS.errorParameters,
          'credential.not_found',
          'the caller has no registered voice',
        );
      }
      credential = stored.credential;
    }
  } catch (err) {
    const { code, message } = backendError(err);
    return refuse(BACKEND_ERROR, code, message);
  }

  let initialize: RegisterInitialize | VerifyInitialize;
  try {
    initialize = socketInitialize(config.daspeak, peer.operation, {
      callId,
      audioTotalDuration: config.daspeak.audioTotalDuration[peer.operation],
      authenticityThreshold: config.daspeak.authenticityThreshold,
      modelHash: config.daspeak.modelHash,
      // The platform's audio channel: Audiohook (call_id = the conversation) or Twilio Media Streams
      // (call_id = the customer leg's call SID).
      audioProtocol: ctx.platform.audioProtocol,
      numbersAs: 'string',
      ...(credential !== undefined
        ? { credential, verificationThreshold: config.daspeak.verificationThreshold }
        : {}),
    });
  } catch (err) {
    const { code, message } = backendError(err);
    return refuse(BACKEND_ERROR, code, message);
  }

  try {
    await ctx.platform.prepareAudio?.(callId);
  } catch (err) {
    const { code, message } = backendError(err);
    return refuse(BACKEND_ERROR, code, message);
  }

  const socketio = config.daspeak.socketio;
  const session = createSocketSession({
    operation: peer.operation,
    url: socketio.url,
    path: socketio.path,
    namespace: peer.operation === 'register' ? socketio.registerNamespace : socketio.verifyNamespace,
    tokenTransport: socketio.tokenTransport,
    tokens,
    initialize,
    deadline: ctx.clock.now() + config.daspeak.timeouts.sessionSeconds * 1000,
    // One quick retry: the browser is waiting, and it can start again itself.
    reconnect: { attempts: 2, delayMs: 500 },
    connectTimeoutMs: 5_000,
    signal,
    logger: ctx.logger,
    hooks: {
      onConsumerReady: (payload) =>
        emit(SERVER_EVENTS.consumerReady, { call_id: callId, ...pick(payload, ['session_id']) }),
      onVadStatus: (payload) =>
        emit(SERVER_EVENTS.vadStatus, {
          call_id: callId,
          ...pick(payload, ['session_id', 'net_speech_duration', 'audio_total_duration']),
        }),
    },
  });

  let report: TerminalReport;
  let sessionId: string | undefined;
  try {
    const result = await session.run();
    report = result.report;
    sessionId = result.sessionId;
  } catch (err) {
    if (signal.aborted) return { event: 'aborted', outcome: 'error', detail: `${peer.operation}:aborted` };
    const { code, message } = backendError(err);
    return refuse(BACKEND_ERROR, code, message);
  }

  const event = EVENT_FOR_STATUS[report.status];
  const ids = { call_id: callId, ...(sessionId !== undefined ? { session_id: sessionId } : {}) };
  const detail = (extra: string) =>
    [`${peer.operation}:${event}`, sessionId !== undefined ? `session=${sessionId}` : '', extra]
      .filter((part) => part !== '')
      .join(',');

  if (report.error !== undefined || event.startsWith('error-')) {
    emit(event, { call_id: callId, ...pick(report.error, ['code', 'message']) });
    return { event, outcome: 'error', detail: detail(report.error?.code ? `code=${report.error.code}` : '') };
  }
  const r = report.result ?? {};
  if (event === SERVER_EVENTS.success && peer.operation === 'register') {
    if (!r.credential) {
      return refuse(BACKEND_ERROR, 'daspeak.bad_response', backendMessages['daspeak.bad_response']!);
    }
    try {
      await ctx.store.putCredential(access, peer.e164, {
        credential: r.credential,
        modelHash: r.model_hash ?? config.daspeak.modelHash,
        requireConsent: ctx.requireConsent,
      });
    } catch (err) {
      if (isKitError(err) && err.code === 'store.consent_required') {
        return refuse(
          SERVER_EVENTS.errorParameters,
          err.code,
          "the caller's consent was withdrawn during the session",
        );
      }
      const { code, message } = backendError(err);
      return refuse(BACKEND_ERROR, code, message);
    }
    emit(event, { ...ids, ...pick(r, ['authenticity', 'model_hash']), stored: true });
    return { event, outcome: 'ok', detail: detail('stored=true') };
  }
  if (event === SERVER_EVENTS.failSpoof) {
    emit(event, { ...ids, ...pick(r, ['authenticity', 'authenticity_threshold']) });
    return { event, outcome: 'ok', detail: detail(`authenticity=${number(r.authenticity)}`) };
  }
  emit(event, { ...ids, ...pick(r, ['score', 'authenticity', 'threshold']) });
  return { event, outcome: 'ok', detail: detail(`score=${number(r.score)}`) };
}

/** The backend's token source as the das-Peak session's token provider (its backoff applies). */
export function relayTokens(
  source: { accessToken(): Promise<AccessToken> },
  provider: TokenProvider,
): TokenProvider {
  return {
    getToken: () => source.accessToken(),
    invalidate: (accessToken) => provider.invalidate(accessToken),
  };
}
