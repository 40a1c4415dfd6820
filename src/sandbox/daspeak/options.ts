import { SANDBOX } from '../../config/defaults.js';
import {
  ENGINE_IO_PATH,
  NAMESPACES,
  REST_PATHS,
  type RestPaths,
  type TerminalStatus,
} from '../../daspeak/contract.js';
import { KitError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import { systemClock, systemTimers, type SandboxClock, type SandboxTimers } from './timing.js';

/** Where each channel listens, all on one HTTP server. */
export interface SandboxPaths {
  /** REST base path (default `/dpsrest`). */
  rest: string;
  /** Overrides of the REST paths below `rest` (contract REST_PATHS). */
  restPaths: RestPaths;
  /** OAuth2 token endpoint (default `/socket.io/oauth2/token`, the documented one). */
  token: string;
  /** Engine.IO path (default `/socket.io`). */
  socketio: string;
  /** Namespaces of each operation (default both spellings, `/socket.io/register` and `/register`). */
  registerNamespaces: string[];
  verifyNamespaces: string[];
  alive: string;
  /** Audiohook WebSocket path (default `/audiohook/ws`). */
  audiohook: string;
  /** Twilio Media Streams WebSocket path (default `/twilio/ws`). */
  twilio: string;
}

export interface SandboxCredentials {
  /** REST `apikey` header value. */
  apiKey: string;
  /** OAuth2 client of the Socket.IO channel. */
  clientId: string;
  clientSecret: string;
  /** X-API-KEY Genesys sends on the Audiohook upgrade (and the signature keyid). */
  audiohookApiKey: string;
  /** Base64 client secret of the Audiohook signature; empty = unsigned connections are accepted. */
  audiohookClientSecret: string;
  /** The biometric model the emulator serves; sessions naming another are refused. */
  modelHash: string;
}

export interface SandboxTimeouts {
  /** A session with no audio this long after creation ends with `error-consumer-not-ready` (DESIGN: 30 s). */
  consumerReadyMs: number;
  /** Longest life of an unfinished session; then `error-audio` (not enough net speech). */
  sessionMs: number;
  /** Audio buffered for a call with no session is usable for this long (the "audio first" window). */
  earlyAudioMs: number;
  /** An audio stream that never gets a session is ended after this long. */
  orphanStreamMs: number;
  /** A finished session stays readable over REST this long, then it is removed. */
  retainMs: number;
  /** A Socket.IO connection that sends no `initialize` is dropped after this long. */
  initializeMs: number;
  /** A Twilio socket that sends no `start` is closed after this long. */
  twilioStartMs: number;
  /** Audiohook: wait for `open` after the upgrade, and for `close` after `disconnect`. */
  audiohookOpenMs: number;
  audiohookCloseMs: number;
}

export interface SandboxLimits {
  /** Unfinished sessions at once (both channels); more are refused. */
  maxSessions: number;
  /** Finished sessions kept for polling; the oldest go first beyond this. */
  maxRetainedSessions: number;
  /** Audio streams at once (Audiohook and Twilio each). */
  maxAudioStreams: number;
  /** Socket.IO connections at once. */
  maxSocketConnections: number;
  /** Live access tokens; the oldest go first beyond this. */
  maxTokens: number;
  /** Audio settings objects kept (REST); the oldest go first beyond this. */
  maxAudioSettings: number;
  /** Seconds of early audio buffered per call. */
  earlyAudioSeconds: number;
  /** Seconds of collected audio a session keeps for `result-success`'s second argument. */
  collectedAudioSeconds: number;
  /** Largest REST or token request body (bytes). */
  maxBodyBytes: number;
  /** Largest Socket.IO message (bytes). */
  maxSocketMessageBytes: number;
  /** Largest Audiohook audio frame (bytes). */
  maxAudiohookFrameBytes: number;
  /** Largest Twilio message (bytes); a 20 ms media message is about 250. */
  maxTwilioMessageBytes: number;
}

/** Fault knobs for tests: set them in the options (or with `setFaults`), never by editing code. */
export interface SandboxFaults {
  /** Delay before every REST answer (ms). */
  restLatencyMs?: number;
  /** Delay before every token answer (ms). */
  tokenLatencyMs?: number;
  /** Delay between "enough audio" and the result (ms), as das-Peak's processing would take. */
  resultLatencyMs?: number;
  /**
   * Drop the Socket.IO connection (no goodbye, as a network failure would) at this point of a
   * session: right after `initialize`, or right after `info-consumer-ready`.
   */
  dropSignalling?: 'after-initialize' | 'after-consumer-ready';
  /** Drop every Twilio audio socket after this many seconds of audio. */
  dropTwilioAfterSeconds?: number;
  /** Every session ends with this status once it has enough audio. */
  forcedOutcome?: TerminalStatus;
  /** Per call_id forced outcomes (win over `forcedOutcome` and the call_id prefixes). */
  forcedOutcomes?: Record<string, TerminalStatus>;
  /** Answer every REST session creation with this HTTP status (e.g. 503). */
  restCreateStatus?: number;
}

export interface DaspeakSandboxOptions {
  /** Default SANDBOX.daspeakPort (4020); 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  paths?: Partial<Omit<SandboxPaths, 'restPaths'>> & { restPaths?: Partial<RestPaths> };
  credentials?: Partial<SandboxCredentials>;
  /** Lifetime of access tokens (DESIGN `expires_in`: 3600). */
  tokenLifetimeSeconds?: number;
  /** Verify threshold when a request carries none (the REST and Socket.IO requests always do). */
  defaultVerificationThreshold?: number;
  /** Socket.IO transports accepted (default WebSocket only, as Veridas advises). */
  socketioTransports?: ('websocket' | 'polling')[];
  /**
   * Audiohook authentication failures: "session" (default, Genesys' reference) opens the socket and
   * answers `open` with `disconnect {reason:"unauthorized"}`; "request" refuses the upgrade with 401.
   */
  audiohookAuthStrategy?: 'session' | 'request';
  /** Minimum delay before an Audiohook authentication failure is signalled (default 500 ms). */
  audiohookFailureDelayMs?: number;
  /**
   * Worker threads for the voiceprint analysis (default 0: on the main thread). One main thread
   * serves a few dozen real-time calls; give it workers (about one per spare core) for hundreds.
   */
  analysisWorkers?: number;
  timeouts?: Partial<SandboxTimeouts>;
  limits?: Partial<SandboxLimits>;
  faults?: SandboxFaults;
  logger?: Logger;
  clock?: SandboxClock;
  timers?: SandboxTimers;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  paths: SandboxPaths;
  credentials: SandboxCredentials;
  tokenLifetimeSeconds: number;
  defaultVerificationThreshold: number;
  socketioTransports: ('websocket' | 'polling')[];
  audiohookAuthStrategy: 'session' | 'request';
  audiohookFailureDelayMs: number;
  analysisWorkers: number;
  timeouts: SandboxTimeouts;
  limits: SandboxLimits;
  faults: SandboxFaults;
  logger: Logger;
  clock: SandboxClock;
  timers: SandboxTimers;
}

export const DEFAULT_TIMEOUTS: Readonly<SandboxTimeouts> = Object.freeze({
  consumerReadyMs: 30_000,
  sessionMs: 120_000,
  earlyAudioMs: 30_000,
  orphanStreamMs: 120_000,
  retainMs: 60_000,
  initializeMs: 10_000,
  twilioStartMs: 10_000,
  audiohookOpenMs: 10_000,
  audiohookCloseMs: 10_000,
});

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  maxSessions: 500,
  maxRetainedSessions: 5_000,
  maxAudioStreams: 500,
  maxSocketConnections: 1_000,
  maxTokens: 10_000,
  maxAudioSettings: 10_000,
  earlyAudioSeconds: 30,
  collectedAudioSeconds: 60,
  maxBodyBytes: 64 * 1024,
  maxSocketMessageBytes: 256 * 1024,
  maxAudiohookFrameBytes: 65_536,
  maxTwilioMessageBytes: 64 * 1024,
});

function badOption(message: string): KitError {
  return new KitError('sandbox.daspeak_bad_options', `das-Peak sandbox: ${message}`);
}

function checkPath(name: string, value: string): string {
  if (typeof value !== 'string' || !/^\/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*$/.test(value)) {
    throw badOption(`${name} must be a URL path starting with "/", got ${JSON.stringify(value)}`);
  }
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

function checkNumbers<T extends object>(group: string, values: T, integers: boolean): T {
  for (const [name, value] of Object.entries(values)) {
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= 0;
    if (!ok || (integers && !Number.isInteger(value))) {
      throw badOption(
        `${group}.${name} must be a ${integers ? 'whole ' : ''}number ≥ 0, got ${String(value)}`,
      );
    }
  }
  return values;
}

/** Applies defaults and checks every option; throws `sandbox.daspeak_bad_options`. */
export function resolveOptions(options: DaspeakSandboxOptions = {}): ResolvedOptions {
  const p = options.paths ?? {};
  const restPaths = { ...REST_PATHS, ...p.restPaths };
  for (const [name, value] of Object.entries(restPaths)) {
    const item = name.endsWith('Item');
    if (item && (typeof value !== 'string' || value.split('{id}').length !== 2)) {
      throw badOption(`paths.restPaths.${name} must hold "{id}" once, got ${JSON.stringify(value)}`);
    }
    checkPath(`paths.restPaths.${name}`, item ? value.replace('{id}', 'id') : value);
  }
  const paths: SandboxPaths = {
    rest: checkPath('paths.rest', p.rest ?? SANDBOX.daspeak.restPath),
    restPaths,
    token: checkPath('paths.token', p.token ?? SANDBOX.daspeak.tokenPath),
    socketio: checkPath('paths.socketio', p.socketio ?? ENGINE_IO_PATH),
    registerNamespaces: (p.registerNamespaces ?? [...NAMESPACES.register]).map((n) =>
      checkPath('paths.registerNamespaces', n),
    ),
    verifyNamespaces: (p.verifyNamespaces ?? [...NAMESPACES.verify]).map((n) =>
      checkPath('paths.verifyNamespaces', n),
    ),
    alive: checkPath('paths.alive', p.alive ?? NAMESPACES.alive),
    audiohook: checkPath('paths.audiohook', p.audiohook ?? SANDBOX.daspeak.audiohookPath),
    twilio: checkPath('paths.twilio', p.twilio ?? SANDBOX.daspeak.twilioPath),
  };
  const namespaces = [...paths.registerNamespaces, ...paths.verifyNamespaces, paths.alive];
  if (new Set(namespaces).size !== namespaces.length) throw badOption('a namespace is used twice');
  if (paths.audiohook === paths.twilio) throw badOption('paths.audiohook and paths.twilio must differ');

  const credentials: SandboxCredentials = {
    apiKey: options.credentials?.apiKey ?? SANDBOX.daspeak.apiKey,
    clientId: options.credentials?.clientId ?? SANDBOX.daspeak.clientId,
    clientSecret: options.credentials?.clientSecret ?? SANDBOX.daspeak.clientSecret,
    audiohookApiKey: options.credentials?.audiohookApiKey ?? SANDBOX.daspeak.audiohookApiKey,
    audiohookClientSecret:
      options.credentials?.audiohookClientSecret ?? SANDBOX.daspeak.audiohookClientSecret,
    modelHash: options.credentials?.modelHash ?? SANDBOX.daspeak.modelHash,
  };
  for (const name of ['apiKey', 'clientId', 'clientSecret', 'audiohookApiKey', 'modelHash'] as const) {
    if (credentials[name].length === 0) throw badOption(`credentials.${name} must not be empty`);
  }

  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
  if (!(tokenLifetimeSeconds > 0) || !Number.isFinite(tokenLifetimeSeconds)) {
    throw badOption(`tokenLifetimeSeconds must be above 0, got ${tokenLifetimeSeconds}`);
  }
  const threshold = options.defaultVerificationThreshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw badOption(`defaultVerificationThreshold must be within 0..1, got ${threshold}`);
  }
  const port = options.port ?? SANDBOX.daspeakPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw badOption(`port ${port} is not a port`);
  const analysisWorkers = options.analysisWorkers ?? 0;
  if (!Number.isInteger(analysisWorkers) || analysisWorkers < 0 || analysisWorkers > 64) {
    throw badOption(`analysisWorkers must be a whole number 0..64, got ${analysisWorkers}`);
  }
  const transports = options.socketioTransports ?? ['websocket'];
  if (transports.length === 0) throw badOption('socketioTransports must name at least one transport');

  return {
    port,
    host: options.host ?? SANDBOX.host,
    paths,
    credentials,
    tokenLifetimeSeconds,
    defaultVerificationThreshold: threshold,
    socketioTransports: transports,
    audiohookAuthStrategy: options.audiohookAuthStrategy ?? 'session',
    audiohookFailureDelayMs: options.audiohookFailureDelayMs ?? 500,
    analysisWorkers,
    timeouts: checkNumbers('timeouts', { ...DEFAULT_TIMEOUTS, ...options.timeouts }, false),
    limits: checkNumbers('limits', { ...DEFAULT_LIMITS, ...options.limits }, false),
    faults: { ...options.faults },
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? systemClock,
    timers: options.timers ?? systemTimers,
  };
}
