import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { DaspeakConfig } from '../../daspeak/client.js';
import { KitError } from '../../errors.js';
import { listenOn } from '../listen.js';
import { AnalysisPool } from './analysis-pool.js';
import { AudiohookConsumer } from './audiohook-consumer.js';
import { createBiometrics, type BiometricsOptions } from './voice-biometrics.js';
import { CallRouter } from './calls.js';
import { pathOf, sendJson } from './http-util.js';
import {
  resolveOptions,
  type DaspeakSandboxOptions,
  type SandboxCredentials,
  type SandboxFaults,
  type SandboxPaths,
} from './options.js';
import { SessionRegistry } from './registry.js';
import { RestChannel } from './rest.js';
import type { SessionStateName } from './session.js';
import { SocketChannel } from './socketio.js';
import { handleTokenRequest, TokenIssuer } from './tokens.js';
import { TwilioConsumer } from './twilio-consumer.js';

export interface DaspeakSandboxUrls {
  /** REST base, e.g. `http://127.0.0.1:4020/dpsrest`. */
  rest: string;
  /** Socket.IO service URL (the origin; the Engine.IO path is `paths.socketio`). */
  socketio: string;
  /** OAuth2 token endpoint. */
  token: string;
  /** Audiohook connection URI (`ws://…/audiohook/ws`). */
  audiohook: string;
  /** Twilio Media Streams URL (`ws://…/twilio/ws`). */
  twilio: string;
}

export interface DaspeakSandboxStats {
  /** Sessions held (unfinished and finished-but-retained). */
  sessions: number;
  /** Unfinished sessions. */
  liveSessions: number;
  sessionsByState: Partial<Record<SessionStateName, number>>;
  /** Calls with a stream, a session, early audio or a recent failure. */
  calls: number;
  audioStreams: number;
  earlyAudioSeconds: number;
  audiohookSessions: number;
  twilioConnections: number;
  socketConnections: number;
  tokens: number;
  audioSettings: number;
}

export interface DaspeakSandbox {
  /** Origin, e.g. `http://127.0.0.1:4020`. */
  url: string;
  port: number;
  host: string;
  urls: DaspeakSandboxUrls;
  paths: SandboxPaths;
  credentials: SandboxCredentials;
  /** A kit config `daspeak` section pointing at this emulator (Socket.IO namespaces as given). */
  daspeakConfig(overrides?: Partial<DaspeakConfig>): DaspeakConfig;
  /** What the emulator holds now (tests wait for sessions to come back to 0). */
  stats(): DaspeakSandboxStats;
  /** Replaces the fault knobs; running sessions read them at their next decision. */
  setFaults(faults: SandboxFaults): void;
  /** Makes every issued access token invalid. */
  revokeTokens(): void;
  /** Ends every session and connection and closes the port. */
  stop(): Promise<void>;
}

export interface StartDaspeakSandboxOptions extends DaspeakSandboxOptions {
  /** Voiceprint engine tuning (replay memory size, credential key). */
  biometrics?: BiometricsOptions;
}

/**
 * Starts a das-Peak Streaming emulator on one port: the token endpoint, the REST and Socket.IO
 * signalling channels, and the Audiohook and Twilio audio consumers, speaking the contract of
 * docs/daspeak-contract.md. Several can run in one process; nothing is global.
 */
export async function startDaspeakSandbox(options: StartDaspeakSandboxOptions = {}): Promise<DaspeakSandbox> {
  const resolved = resolveOptions(options);
  const { paths, credentials, clock, timers, timeouts, limits } = resolved;
  const logger = resolved.logger.child({ component: 'daspeak-sandbox' });
  let faults: SandboxFaults = checkFaults(resolved.faults);
  const getFaults = () => faults;

  const pool =
    resolved.analysisWorkers > 0 ? await AnalysisPool.start(resolved.analysisWorkers, logger) : undefined;
  const biometrics = createBiometrics(credentials.modelHash, options.biometrics, () => clock.now(), pool);
  const router = new CallRouter({ clock, timers, logger, timeouts, limits });
  const registry = new SessionRegistry(
    { clock, timers, logger, biometrics, timeouts, limits, faults: getFaults },
    router,
  );
  const issuer = new TokenIssuer({ clock, lifetimeSeconds: resolved.tokenLifetimeSeconds, limits });
  const params = {
    modelHash: credentials.modelHash,
    defaultVerificationThreshold: resolved.defaultVerificationThreshold,
    biometrics,
  };
  const rest = new RestChannel({ options: resolved, registry, params, faults: getFaults, logger });
  const sockets = new SocketChannel({
    options: resolved,
    registry,
    tokens: issuer,
    params,
    faults: getFaults,
    logger,
  });
  const audiohook = new AudiohookConsumer(resolved, router, logger);
  const twilio = new TwilioConsumer(resolved, router, getFaults, logger);
  const tokenDeps = { issuer, credentials, limits, faults: getFaults, timers, logger };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      logger.error({ err }, 'das-Peak sandbox: request failed');
      sendJson(res, 500, { code: 'error-das-Peak', message: 'internal error' });
    });
  });
  // Slow or stuck clients must not hold sockets for ever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    if (path === undefined)
      return sendJson(res, 400, { code: 'error-parameters', message: 'bad request target' });
    // The token endpoint lives below the Engine.IO path (documented URL), so it goes first.
    if (path === paths.token) return handleTokenRequest(req, res, tokenDeps);
    if (path === paths.rest || path.startsWith(`${paths.rest}/`)) {
      return rest.handle(req, res, path.slice(paths.rest.length) || '/');
    }
    if (path === paths.socketio || path.startsWith(`${paths.socketio}/`))
      return sockets.handleRequest(req, res);
    if (path === paths.audiohook || path === paths.twilio) {
      return sendJson(
        res,
        426,
        { code: 'upgrade-required', message: 'connect with WebSocket' },
        { Upgrade: 'websocket' },
      );
    }
    sendJson(res, 404, { code: 'not-found', message: `nothing at ${path}` });
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => logger.debug({ err: err.message }, 'das-Peak sandbox: upgrade socket error'));
    const path = pathOf(req.url);
    if (path === paths.audiohook) return audiohook.handleUpgrade(req, socket, head);
    if (path === paths.twilio) return twilio.handleUpgrade(req, socket, head);
    if (path !== undefined && (path === paths.socketio || path.startsWith(`${paths.socketio}/`))) {
      return sockets.handleUpgrade(req, socket, head);
    }
    const body = JSON.stringify({ code: 'not-found', message: 'no WebSocket endpoint here' });
    socket.end(
      `HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await listenOn(server, {
    host: resolved.host,
    port: resolved.port,
    what: 'das-Peak sandbox',
    portHint: 'pick another (0 = any free port)',
  }).catch(async (err: unknown) => {
    await biometrics.close();
    throw err;
  });

  const port = (server.address() as AddressInfo).port;
  const hostInUrl = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  const url = `http://${hostInUrl}:${port}`;
  const ws = `ws://${hostInUrl}:${port}`;
  const urls: DaspeakSandboxUrls = {
    rest: `${url}${paths.rest}`,
    socketio: url,
    token: `${url}${paths.token}`,
    audiohook: `${ws}${paths.audiohook}`,
    twilio: `${ws}${paths.twilio}`,
  };
  logger.info({ url }, 'das-Peak sandbox listening');

  let stopping: Promise<void> | undefined;
  async function stop(): Promise<void> {
    registry.closeAll();
    await Promise.all([sockets.close(), audiohook.close(), twilio.close()]);
    router.clear();
    issuer.revokeAll();
    await biometrics.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  return {
    url,
    port,
    host: resolved.host,
    urls,
    paths,
    credentials: { ...credentials },
    daspeakConfig: (overrides = {}) => ({
      rest: { baseUrl: urls.rest, apiKey: credentials.apiKey },
      socketio: {
        url: urls.socketio,
        path: paths.socketio,
        registerNamespace: paths.registerNamespaces[0] ?? '/register',
        verifyNamespace: paths.verifyNamespaces[0] ?? '/verify',
        tokenTransport: 'auth',
      },
      auth: { tokenUrl: urls.token, clientId: credentials.clientId, clientSecret: credentials.clientSecret },
      audiohook: {
        connectionUri: urls.audiohook,
        apiKey: credentials.audiohookApiKey,
        clientSecret: credentials.audiohookClientSecret,
      },
      modelHash: credentials.modelHash,
      authenticityThreshold: 0.8,
      verificationThreshold: resolved.defaultVerificationThreshold,
      audioTotalDuration: { register: 5, verify: 3 },
      audio: { format: 'raw', codec: 'mulaw', sampleFormat: '', sampleRate: 8000, channels: 1 },
      timeouts: { sessionSeconds: Math.ceil(timeouts.consumerReadyMs / 1000) + 30, pollIntervalMs: 1000 },
      ...overrides,
    }),
    stats: () => {
      const calls = router.stats;
      return {
        sessions: registry.size,
        liveSessions: registry.liveCount,
        sessionsByState: registry.countByState(),
        calls: calls.calls,
        audioStreams: calls.streams,
        earlyAudioSeconds: calls.earlyAudioSeconds,
        audiohookSessions: audiohook.sessionCount,
        twilioConnections: twilio.connectionCount,
        socketConnections: sockets.connectionCount,
        tokens: issuer.size,
        audioSettings: rest.audioSettingsCount,
      };
    },
    setFaults: (next) => {
      faults = checkFaults({ ...next });
    },
    revokeTokens: () => issuer.revokeAll(),
    stop: () => (stopping ??= stop()),
  };
}

function checkFaults(faults: SandboxFaults): SandboxFaults {
  const status = faults.restCreateStatus;
  if (status !== undefined && !(Number.isInteger(status) && status >= 400 && status <= 599)) {
    throw new KitError(
      'sandbox.daspeak_bad_options',
      `das-Peak sandbox: faults.restCreateStatus must be 400..599, got ${status}`,
    );
  }
  for (const name of [
    'restLatencyMs',
    'tokenLatencyMs',
    'resultLatencyMs',
    'dropTwilioAfterSeconds',
  ] as const) {
    const value = faults[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new KitError(
        'sandbox.daspeak_bad_options',
        `das-Peak sandbox: faults.${name} must be a number ≥ 0`,
      );
    }
  }
  return faults;
}
