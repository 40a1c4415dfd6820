import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../log.js';
import { AudiohookError, isAudiohookError } from '../errors.js';
import { MAX_TEXT_MESSAGE_LENGTH, NULL_UUID, PROTOCOL_VERSION } from '../protocol/core.js';
import { DEFAULT_MEDIA_OFFERS } from '../protocol/media.js';
import { OpenParametersSchema, type OpenMessage, type OpenParameters } from '../protocol/messages.js';
import { serializeMessage } from '../protocol/parse.js';
import { check } from '../protocol/validate.js';
import { checkApiKey } from '../signature/secret.js';
import { signAudiohookRequest } from '../signature/signer.js';
import { systemClock, systemTimers } from '../timers.js';
import type {
  AudioFrames,
  AudiohookClientOptions,
  AudiohookClientResult,
  AudiohookClientSession,
  AudiohookClientTimeouts,
} from './session.js';
import { ClientSessionImpl, type ClientSessionConfig } from './session-impl.js';

/** The reference client's timeouts; real Genesys values are not published. */
export const DEFAULT_CLIENT_TIMEOUTS: Required<AudiohookClientTimeouts> = {
  connect: 10_000,
  open: 5_000,
  close: 10_000,
  initialPingDelay: 1_000,
  pingInterval: 5_000,
};

/** Just under 64 KiB and a multiple of 4, so it is whole samples for every format and channel count. */
export const DEFAULT_MAX_FRAME_BYTES = 64_000;

function badOptions(message: string, hint?: string): AudiohookError {
  return new AudiohookError('audiohook.bad_options', message, hint ? { hint } : {});
}

/** Validates options and derives the handshake headers and `open` parameters. Throws `audiohook.bad_options`. */
export function resolveClientConfig(options: AudiohookClientOptions): ClientSessionConfig {
  let url: URL;
  try {
    url = new URL(options.uri);
  } catch {
    throw badOptions(
      `not a URL: ${JSON.stringify(options.uri)}`,
      'use ws://host:port/path or wss://host/path',
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw badOptions(`Audiohook needs a ws:// or wss:// URL, not ${url.protocol}//`);
  }
  checkApiKey(options.apiKey);

  const probe = options.probe === true;
  const sessionId = options.sessionId ?? randomUUID();
  const correlationId = options.correlationId ?? randomUUID();
  const conversationId = probe ? NULL_UUID : options.conversationId;
  if (conversationId === undefined) throw badOptions('conversationId is required (except for a probe)');
  const p = options.participant ?? {};
  const openParameters: OpenParameters = {
    organizationId: options.organizationId,
    conversationId,
    participant: probe
      ? { id: NULL_UUID, ani: '', aniName: '', dnis: '' }
      : { id: p.id ?? randomUUID(), ani: p.ani ?? '', aniName: p.aniName ?? '', dnis: p.dnis ?? '' },
    media: options.media ?? DEFAULT_MEDIA_OFFERS,
  };
  if (options.language !== undefined) openParameters.language = options.language;
  if (options.supportedLanguages !== undefined)
    openParameters.supportedLanguages = options.supportedLanguages;
  if (options.customConfig !== undefined) openParameters.customConfig = options.customConfig;

  const checked = check(OpenParametersSchema, openParameters);
  if (!checked.ok) throw badOptions(`invalid open parameters: ${checked.problems.join('; ')}`);
  if (openParameters.media.length === 0) throw badOptions('offer at least one media format');
  for (const [name, id] of [
    ['sessionId', sessionId],
    ['correlationId', correlationId],
  ] as const) {
    if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(id)) {
      throw badOptions(`${name} must be a UUID`);
    }
  }
  const maxTextLength = options.maxTextLength ?? MAX_TEXT_MESSAGE_LENGTH;
  // Refuse up front an `open` the server would reject for its size (a large customConfig).
  const sample: OpenMessage = {
    version: PROTOCOL_VERSION,
    id: sessionId,
    type: 'open',
    seq: 1,
    serverseq: 0,
    position: 'PT0S',
    parameters: openParameters,
  };
  serializeMessage(sample, maxTextLength);

  const headers: Record<string, string> = {
    'Audiohook-Organization-Id': options.organizationId,
    'Audiohook-Session-Id': sessionId,
    'Audiohook-Correlation-Id': correlationId,
    'X-API-KEY': options.apiKey,
  };
  if (options.clientSecret) {
    const signOptions: Parameters<typeof signAudiohookRequest>[0] = {
      url,
      organizationId: options.organizationId,
      sessionId,
      correlationId,
      apiKey: options.apiKey,
      clientSecret: options.clientSecret,
      clock: options.clock ?? systemClock,
    };
    if (options.randomBytes) signOptions.randomBytes = options.randomBytes;
    Object.assign(headers, signAudiohookRequest(signOptions));
  }
  Object.assign(headers, options.extraHeaders);

  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 4)
    throw badOptions('maxFrameBytes must be an integer >= 4');

  return {
    url: url.href,
    headers,
    subprotocols: options.subprotocols ?? [],
    sessionId,
    correlationId,
    openParameters,
    probe,
    timeouts: { ...DEFAULT_CLIENT_TIMEOUTS, ...options.timeouts },
    maxFrameBytes,
    maxTextLength,
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? systemClock,
    timers: options.timers ?? systemTimers,
  };
}

/**
 * Connects as Genesys would and completes the open transaction. Resolves with the session once
 * `opened` has arrived (ACTIVE, or PAUSED when the server asked `startPaused`). When the session
 * ends before that it rejects, after the socket is gone, with an AudiohookError whose
 * `details.result` is the session result: `audiohook.http_rejected` (status = the HTTP status),
 * `audiohook.open_refused` (server `disconnect`), `audiohook.open_timeout`, `audiohook.bad_opened`,
 * `audiohook.connect_failed`, `audiohook.closed_before_open`. Bad options reject with
 * `audiohook.bad_options`, `audiohook.bad_api_key`, `audiohook.bad_client_secret` or
 * `audiohook.message_too_large` before any connection is made.
 */
export async function connectAudiohook(options: AudiohookClientOptions): Promise<AudiohookClientSession> {
  const session = new ClientSessionImpl(resolveClientConfig(options));
  session.start();
  try {
    await session.opening;
    return session;
  } catch (err) {
    const result = await session.done;
    const error = isAudiohookError(err)
      ? err
      : new AudiohookError('audiohook.internal', String(err), { cause: err });
    throw new AudiohookError(error.code, error.message, {
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(error.protocolCode !== undefined ? { protocolCode: error.protocolCode } : {}),
      ...(error.hint !== undefined ? { hint: error.hint } : {}),
      details: { ...error.details, result },
    });
  }
}

/** The result carried by a failed `connectAudiohook`, if the error is one. */
export function resultOf(error: unknown): AudiohookClientResult | undefined {
  if (!isAudiohookError(error)) return undefined;
  return error.details?.result as AudiohookClientResult | undefined;
}

/** A connection probe, as Genesys runs to test an integration: open, then close at once. Never rejects for session failures. */
export async function probeAudiohook(
  options: Omit<AudiohookClientOptions, 'probe'>,
): Promise<AudiohookClientResult> {
  try {
    const session = await connectAudiohook({ ...options, probe: true });
    return await session.done;
  } catch (err) {
    const result = resultOf(err);
    if (result) return result;
    throw err;
  }
}

/**
 * One whole call: connect, stream the frames, close with "end" (unless the server ended it first)
 * and return the result. Session failures are in `result.errors`; only bad options reject.
 */
export async function runAudiohookSession(
  options: AudiohookClientOptions,
  frames: AudioFrames,
): Promise<AudiohookClientResult> {
  let session: AudiohookClientSession;
  try {
    session = await connectAudiohook(options);
  } catch (err) {
    const result = resultOf(err);
    if (result) return result;
    throw err;
  }
  try {
    await session.stream(frames);
  } catch (err) {
    // A bad frame ends the call with an error, like a failing media source in Genesys.
    if (isAudiohookError(err)) return session.close('error');
    throw err;
  }
  return session.close('end');
}
