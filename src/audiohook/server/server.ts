import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger, type Logger } from '../../log.js';
import { AudiohookError } from '../errors.js';
import { MAX_TEXT_MESSAGE_LENGTH } from '../protocol/core.js';
import { NonceCache } from '../signature/nonce-cache.js';
import { systemClock, systemTimers, type Clock, type Timers } from '../timers.js';
import { authenticateRequest, readAudiohookHeaders, type AudiohookAuthOptions } from './authenticator.js';
import type { AudiohookServerHooks, AudiohookServerSession, AuthOutcome } from './session.js';
import { ServerSessionImpl } from './session-impl.js';

export interface AudiohookServerLimits {
  /** Largest audio frame answered normally (bytes, default 65536 as the reference server). */
  maxBinaryBytes?: number;
  /** Longest text message (characters, default 65535). */
  maxTextLength?: number;
  /**
   * Hard WebSocket payload cap; above it the socket is closed with 1009 before the message is
   * buffered. Default: room for the text limit in UTF-8 and twice the frame limit.
   */
  maxPayloadBytes?: number;
  /** Concurrent sessions (and upgrades being authenticated); more are refused with HTTP 503. Default 100. */
  maxSessions?: number;
}

export interface AudiohookServerTimeouts {
  /** Wait for `open` after the upgrade (ms, default 10000). */
  open?: number;
  /** Wait for the client's `close` after `disconnect`, for the socket end after `closed`, and on shutdown (ms, default 10000). */
  close?: number;
}

export interface AudiohookServerOptions {
  auth: AudiohookAuthOptions;
  hooks?: AudiohookServerHooks;
  limits?: AudiohookServerLimits;
  timeouts?: AudiohookServerTimeouts;
  /** Answered in `opened` when the client asks (`supportedLanguages: true`). */
  supportedLanguages?: string[];
  /** Shared replay cache; by default one per server. */
  nonceCache?: NonceCache;
  logger?: Logger;
  clock?: Clock;
  timers?: Timers;
}

export interface AudiohookServer {
  /** Hand an HTTP upgrade request here (from `server.on('upgrade')`) for the path you mount it on. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Sessions with a live socket (removed once finalized). */
  readonly sessions: ReadonlySet<AudiohookServerSession>;
  /**
   * Stops accepting, asks each session to end (`disconnect {reason:"completed"}`), waits up to the
   * close timeout, drops whatever is left, and resolves when every session is finalized.
   */
  close(): Promise<void>;
}

export const AUDIOHOOK_SUBPROTOCOL = 'audiohook';

/** Creates the receiving side of Audiohook, to mount on any Node HTTP(S) server at a path. */
export function createAudiohookServer(options: AudiohookServerOptions): AudiohookServer {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const nonceCache = options.nonceCache ?? new NonceCache({ clock });
  const maxBinaryBytes = options.limits?.maxBinaryBytes ?? 65536;
  const maxTextLength = options.limits?.maxTextLength ?? MAX_TEXT_MESSAGE_LENGTH;
  const maxPayload = options.limits?.maxPayloadBytes ?? Math.max(maxBinaryBytes * 2, maxTextLength * 3 + 3);
  const maxSessions = options.limits?.maxSessions ?? 100;
  const timeouts = { open: 10_000, close: 10_000, ...options.timeouts };
  const strategy = options.auth.strategy ?? 'session';
  const failureDelayMs = options.auth.failureDelayMs ?? 500;
  const hooks = options.hooks ?? {};

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload,
    clientTracking: false,
    perMessageDeflate: false,
    // Echo `audiohook` when offered (reported for Genesys, unconfirmed); none otherwise.
    handleProtocols: (protocols) => (protocols.has(AUDIOHOOK_SUBPROTOCOL) ? AUDIOHOOK_SUBPROTOCOL : false),
  });
  const sessions = new Set<ServerSessionImpl>();
  let pending = 0;
  let closing = false;

  const delay = (ms: number) => new Promise<void>((resolve) => timers.setTimeout(resolve, ms));

  function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
    logger.info({ status, code }, `audiohook server: upgrade refused: ${message}`);
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ error: { code, message } });
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
        'Connection: close\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  function accept(req: IncomingMessage, socket: Duplex, head: Buffer, auth: AuthOutcome): void {
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const session = new ServerSessionImpl({
        ws,
        headers: readAudiohookHeaders(req.headers),
        auth,
        hooks,
        maxBinaryBytes,
        maxTextLength,
        timeouts,
        failureDelayMs,
        supportedLanguages: options.supportedLanguages,
        logger,
        clock,
        timers,
      });
      sessions.add(session);
      void session.finalized.then(() => sessions.delete(session));
      try {
        hooks.onSession?.(session);
      } catch (err) {
        logger.warn({ err }, 'audiohook server: onSession hook failed');
      }
      session.start();
    });
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let auth: AuthOutcome;
    try {
      auth = await authenticateRequest({ headers: req.headers, url: req.url ?? '/' }, options.auth, {
        nonceCache,
        clock,
      });
    } catch (err) {
      logger.error({ err }, 'audiohook server: authentication failed unexpectedly');
      auth = {
        ok: false,
        error: new AudiohookError('audiohook.internal', 'internal server error', { status: 500 }),
      };
    }
    if (!auth.ok && (auth.error.status ?? 0) >= 500) {
      logger.error({ code: auth.error.code }, `audiohook server: ${auth.error.message}`);
    }
    const sessionId = readAudiohookHeaders(req.headers).sessionId?.toLowerCase();
    if (sessionId && [...sessions].some((s) => s.id.toLowerCase() === sessionId)) {
      return refuseUpgrade(
        socket,
        409,
        'audiohook.duplicate_session',
        'a session with this id is already connected',
      );
    }
    if (!auth.ok && strategy === 'request') {
      if (failureDelayMs > 0) await delay(failureDelayMs);
      return refuseUpgrade(socket, auth.error.status ?? 401, auth.error.code, auth.error.message);
    }
    if (closing) return refuseUpgrade(socket, 503, 'audiohook.shutting_down', 'the server is shutting down');
    accept(req, socket, head, auth);
  }

  return {
    sessions,

    handleUpgrade(req, socket, head) {
      socket.on('error', (err) =>
        logger.debug({ err: err.message }, 'audiohook server: upgrade socket error'),
      );
      if (closing)
        return refuseUpgrade(socket, 503, 'audiohook.shutting_down', 'the server is shutting down');
      if (sessions.size + pending >= maxSessions) {
        return refuseUpgrade(
          socket,
          503,
          'audiohook.too_many_sessions',
          `at most ${maxSessions} concurrent sessions`,
        );
      }
      pending++;
      upgrade(req, socket, head)
        .catch((err: unknown) => {
          logger.error({ err }, 'audiohook server: upgrade failed');
          socket.destroy();
        })
        .finally(() => pending--);
    },

    async close() {
      closing = true;
      const all = () => Promise.all([...sessions].map((s) => s.finalized));
      for (const session of sessions) session.disconnect('completed', 'server shutting down');
      let timedOut = false;
      await Promise.race([all(), delay(timeouts.close).then(() => (timedOut = true))]);
      if (timedOut) {
        for (const session of sessions) session.terminate();
        // A hook that never returns must not hold shutdown for ever.
        await Promise.race([all(), delay(timeouts.close)]);
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
