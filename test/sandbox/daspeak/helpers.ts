import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import {
  PCMU_8K_MONO,
  PCMU_8K_STEREO,
  readWav,
  sliceFrames,
  type WavAudio,
} from '../../../src/audio/index.js';
import {
  connectAudiohook,
  runAudiohookSession,
  type AudiohookClientOptions,
  type AudiohookClientResult,
  type MediaParameter,
} from '../../../src/audiohook/index.js';
import { SANDBOX } from '../../../src/config/defaults.js';
import {
  API_KEY_HEADER,
  createDaspeakClient,
  type DaspeakClient,
  type DaspeakClientOptions,
  type DaspeakConfig,
  type DaspeakOutcome,
} from '../../../src/daspeak/index.js';
import {
  startDaspeakSandbox,
  type DaspeakSandbox,
  type StartDaspeakSandboxOptions,
} from '../../../src/sandbox/daspeak/index.js';

/*
 * Shared by the emulator's tests: every test starts its own emulator on 127.0.0.1 (port 0) and drives
 * it with the kit's own clients over real sockets; `stopAll` (in afterEach) stops whatever is left.
 */

export const ORG = SANDBOX.genesys.organizationId;

const running = new Set<DaspeakSandbox>();

/** Short failure delays and timeouts so failure paths finish quickly; any option may be overridden. */
export async function startSandbox(options: StartDaspeakSandboxOptions = {}): Promise<DaspeakSandbox> {
  const sandbox = await startDaspeakSandbox({
    port: 0,
    audiohookFailureDelayMs: 0,
    ...options,
    timeouts: { audiohookCloseMs: 2000, ...options.timeouts },
  });
  running.add(sandbox);
  return sandbox;
}

export async function stopAll(): Promise<void> {
  const all = [...running];
  running.clear();
  await Promise.all(all.map((s) => s.stop()));
}

/** The kit's das-Peak client against the emulator, polling fast. */
export function clientFor(
  sandbox: DaspeakSandbox,
  overrides: Partial<DaspeakConfig> = {},
  options: DaspeakClientOptions = {},
): DaspeakClient {
  return createDaspeakClient(sandbox.daspeakConfig(overrides), {
    pollIntervalMs: 100,
    sessionTimeoutMs: 15_000,
    ...options,
  });
}

// ---- audio ------------------------------------------------------------------------------------------

const VOICES = fileURLToPath(new URL('../../fixtures/voices/', import.meta.url));

export type Voice =
  | `${'alice' | 'bruno' | 'chen' | 'dora'}-${'register' | 'verify-1' | 'verify-2'}`
  | 'call-bruno-agent-stereo';

export function voice(name: Voice): WavAudio {
  return readWav(readFileSync(`${VOICES}${name}.wav`));
}

/** µ-law frames of `ms` (mono or stereo as the fixture is). */
export function framesOf(name: Voice, ms = 100): Uint8Array[] {
  const wav = voice(name);
  return sliceFrames(wav.data, wav.channels === 2 ? PCMU_8K_STEREO : PCMU_8K_MONO, ms);
}

export const MONO_EXTERNAL: MediaParameter = {
  type: 'audio',
  format: 'PCMU',
  channels: ['external'],
  rate: 8000,
};
export const STEREO: MediaParameter = {
  type: 'audio',
  format: 'PCMU',
  channels: ['external', 'internal'],
  rate: 8000,
};

export function audiohookOptions(
  sandbox: DaspeakSandbox,
  conversationId: string,
  extra: Partial<AudiohookClientOptions> = {},
): AudiohookClientOptions {
  return {
    uri: sandbox.urls.audiohook,
    organizationId: ORG,
    conversationId,
    apiKey: sandbox.credentials.audiohookApiKey,
    clientSecret: sandbox.credentials.audiohookClientSecret,
    media: [MONO_EXTERNAL],
    ...extra,
    timeouts: {
      connect: 5000,
      open: 5000,
      close: 5000,
      initialPingDelay: 60_000,
      pingInterval: 60_000,
      ...extra.timeouts,
    },
  };
}

/** One Genesys call: connect, stream the voice (as fast as the socket takes it), close. */
export function audiohookCall(
  sandbox: DaspeakSandbox,
  conversationId: string,
  name: Voice,
  extra: Partial<AudiohookClientOptions> = {},
): Promise<AudiohookClientResult> {
  return runAudiohookSession(audiohookOptions(sandbox, conversationId, extra), framesOf(name));
}

export { connectAudiohook };

// ---- Twilio Media Streams ---------------------------------------------------------------------------

export type Json = Record<string, unknown>;

/** A WebSocket client speaking Twilio Media Streams, as Twilio (or a minimal sender) would. */
export class TwilioSender {
  private sequence = 0;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') })),
    );
    ws.on('error', () => undefined);
  }

  static async connect(url: string): Promise<TwilioSender> {
    const ws = new WebSocket(url);
    const sender = new TwilioSender(ws);
    await once(ws, 'open');
    return sender;
  }

  send(message: Json): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data);
  }

  /** The full Twilio message set: connected, start (with mediaFormat, tracks, customParameters), media, stop. */
  full = {
    connected: () => this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' }),
    start: (callSid: string, extra: Json = {}) =>
      this.send({
        event: 'start',
        sequenceNumber: String(++this.sequence),
        streamSid: 'MZ0000',
        start: {
          streamSid: 'MZ0000',
          accountSid: 'AC0000',
          callSid,
          tracks: ['inbound'],
          customParameters: {},
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
          ...extra,
        },
      }),
    media: (payload: Uint8Array, track = 'inbound') =>
      this.send({
        event: 'media',
        sequenceNumber: String(++this.sequence),
        streamSid: 'MZ0000',
        media: {
          track,
          chunk: String(this.sequence),
          timestamp: String(this.sequence * 20),
          payload: Buffer.from(payload).toString('base64'),
        },
      }),
    mark: (name: string) =>
      this.send({
        event: 'mark',
        sequenceNumber: String(++this.sequence),
        streamSid: 'MZ0000',
        mark: { name },
      }),
    stop: (callSid: string) =>
      this.send({
        event: 'stop',
        sequenceNumber: String(++this.sequence),
        streamSid: 'MZ0000',
        stop: { accountSid: 'AC0000', callSid },
      }),
  };

  /** The documented minimal subset for other platforms: start with callSid, then media with a payload. */
  minimal = {
    start: (callSid: string) => this.send({ event: 'start', start: { callSid } }),
    media: (payload: Uint8Array) =>
      this.send({ event: 'media', media: { payload: Buffer.from(payload).toString('base64') } }),
  };

  /** Streams a voice in 20 ms chunks (Twilio's frame size) without pacing, until done or closed. */
  streamVoice(name: Voice, style: 'full' | 'minimal' = 'full'): void {
    for (const chunk of framesOf(name, 20)) {
      if (this.ws.readyState !== WebSocket.OPEN) return;
      this[style].media(chunk);
    }
  }
}

// ---- Socket.IO and HTTP by hand -----------------------------------------------------------------------

/** A raw Socket.IO connection to a namespace, for what the kit client never does. */
export function rawSocket(
  sandbox: DaspeakSandbox,
  namespace: string,
  options: { auth?: Json; query?: Record<string, string>; headers?: Record<string, string> } = {},
): Socket {
  return io(`${sandbox.url}${namespace}`, {
    path: sandbox.paths.socketio,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.query ? { query: options.query } : {}),
    ...(options.headers ? { extraHeaders: options.headers } : {}),
  });
}

/** Resolves with the connect_error message, or 'connected'. */
export function connectResult(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err: Error) => resolve(err.message));
  });
}

/** Every event a socket receives, in order, with its arguments. */
export function recordEvents(socket: Socket): {
  events: { name: string; args: unknown[] }[];
  disconnected: Promise<string>;
} {
  const events: { name: string; args: unknown[] }[] = [];
  socket.onAny((name: string, ...args: unknown[]) => events.push({ name, args }));
  const disconnected = new Promise<string>((resolve) =>
    socket.once('disconnect', (reason) => resolve(reason)),
  );
  return { events, disconnected };
}

export async function tokenFor(sandbox: DaspeakSandbox): Promise<string> {
  const res = await fetch(sandbox.urls.token, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: sandbox.credentials.clientId,
      client_secret: sandbox.credentials.clientSecret,
      grant_type: 'client_credentials',
    }),
  });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** A REST call with the emulator's apikey (unless `apiKey` says otherwise). */
export async function rest(
  sandbox: DaspeakSandbox,
  method: string,
  path: string,
  body?: unknown,
  options: { apiKey?: string | null; contentType?: string; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const key = options.apiKey === undefined ? sandbox.credentials.apiKey : options.apiKey;
  if (key !== null) headers[API_KEY_HEADER] = key;
  if (body !== undefined || options.raw !== undefined)
    headers['Content-Type'] = options.contentType ?? 'application/json';
  const res = await fetch(`${sandbox.urls.rest}${path}`, {
    method,
    headers,
    ...(options.raw !== undefined
      ? { body: options.raw }
      : body !== undefined
        ? { body: JSON.stringify(body) }
        : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // kept as text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export const AUDIO_SETTINGS = {
  audio_protocol: 'audiohook',
  audio_format: 'raw',
  audio_codec: 'mulaw',
  sample_format: '',
  sample_rate: 8000,
  channels: 1,
} as const;

/** Creates audio settings and a register session over REST; returns the session id. */
export async function restRegister(
  sandbox: DaspeakSandbox,
  callId: string,
  extra: Json = {},
  settings: Json = AUDIO_SETTINGS,
): Promise<Answer> {
  const created = await rest(sandbox, 'POST', '/v1/audio_settings', settings);
  const id = (created.body as { id: string }).id;
  return rest(sandbox, 'POST', '/v1/register_session', {
    audio_settings_id: id,
    authenticity_threshold: 0.8,
    audio_total_duration: 3,
    call_id: callId,
    model_hash: sandbox.credentials.modelHash,
    ...extra,
  });
}

/** Polls `condition` every 10 ms; fails after `tries` (no assertion on how long it took). */
export async function waitFor(condition: () => boolean, what: string, tries = 1500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`waited in vain for ${what}`);
}

export const newCallId = (prefix = ''): string => `${prefix}${randomUUID()}`;

export function textOf(data: RawData): string {
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** Asserts an error outcome with `code` whose message contains `text`. */
export function expectError(outcome: DaspeakOutcome, code: string, text?: string): void {
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind: 'error', code });
  if (text !== undefined) expect((outcome as { message: string }).message).toContain(text);
}

/** The arguments of the next `event` on a Socket.IO client socket. */
export function nextEvent(socket: Socket, event: string): Promise<unknown[]> {
  return new Promise((resolve) => socket.once(event, (...args: unknown[]) => resolve(args)));
}
