import type { Server as HttpServer } from 'node:http';
import { Server as IoServer, type Namespace, type Socket } from 'socket.io';
import { SERVER_EVENTS, type Operation, type TokenProvider } from '../../daspeak/index.js';
import { isKitError } from '../../errors.js';
import type { Agent, AgentVerifier } from '../auth/agent-verifier.js';
import { isDenial } from '../auth/denials.js';
import { toApiError, type ApiError } from '../errors.js';
import type { RouteContext } from '../routes/context.js';
import { RELAY_NAMESPACES, RELAY_PATH } from '../widget/config-js.js';
import { authorizeRelay, namedConversation, type RelayPeer } from './handshake.js';
import { BACKEND_ERROR, relayTokens, runRelayedSession, type RelayEnd } from './session.js';

export interface RelayDeps {
  ctx: RouteContext;
  verifier: AgentVerifier;
  /** The provider behind ctx.tokens (a refused token is invalidated there). */
  tokenProvider: TokenProvider;
  /** Origins whose pages may open the relay (the CORS list of the HTTP routes). */
  allowedOrigins: Set<string>;
  /** How long a connected socket may wait before sending `initialize`. */
  initializeTimeoutMs?: number;
}

export interface Relay {
  /** Sockets connected now. */
  readonly connections: number;
  /** Ends every session and socket (shutdown); the HTTP server is left to its owner. */
  close(): void;
}

interface SocketData {
  peer?: RelayPeer;
}

/** Audit details are short codes: anything else in a value das-Peak sent is flattened. */
const auditDetail = (text: string) => text.replace(/[^A-Za-z0-9_.:=,-]/g, '_').slice(0, 200);

/**
 * The relay of relay mode (contract B): a Socket.IO server on the backend's own HTTP server, path
 * `/socket.io`, namespaces `/register` and `/verify`, WebSocket only. The handshake carries the
 * agent's Genesys token and the conversation; the backend checks them live, then runs the das-Peak
 * session itself (src/daspeak's Socket.IO session, the backend's token, the config's thresholds)
 * and passes its events through. One session per socket; the socket is closed after the terminal
 * event, and a browser that goes away cancels the das-Peak session. Every session is audited
 * (`relay.session`), and so is every refused handshake.
 */
export function attachRelay(server: HttpServer, deps: RelayDeps): Relay {
  const { ctx } = deps;
  const tokens = relayTokens(ctx.tokens, deps.tokenProvider);
  const running = new Set<AbortController>();
  let connections = 0;

  const io = new IoServer<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>(
    server,
    {
      path: RELAY_PATH,
      transports: ['websocket'],
      serveClient: false,
      // The browser sends one small `initialize`; nothing it sends is large.
      maxHttpBufferSize: 64 * 1024,
      connectTimeout: 10_000,
      allowRequest: (req, callback) => {
        // A page of another origin holding an agent's token must not open the relay.
        const origin = req.headers.origin;
        callback(null, origin === undefined || deps.allowedOrigins.has(origin));
      },
    },
  );

  const refuse = async (operation: Operation, auth: unknown, agent: Agent | undefined, err: unknown) => {
    const api: ApiError = toApiError(err);
    if (isDenial(api)) {
      const actor = { type: 'agent' as const, id: agent?.userId ?? 'unauthenticated' };
      ctx.metrics.authFailures.inc({ kind: 'agent', code: api.code });
      ctx.logger.warn({ code: api.code, actor, relay: operation }, 'relay handshake denied');
      try {
        await ctx.store.recordDenied(
          { actor, conversationId: namedConversation(auth) ?? null },
          { ani: null, action: 'relay.session', reason: api.code },
        );
      } catch (auditErr) {
        ctx.logger.error(
          { code: isKitError(auditErr) ? auditErr.code : 'unknown', denied: api.code },
          'could not write a denied relay handshake to the audit log',
        );
      }
    } else if (api.httpStatus >= 500) {
      ctx.logger.warn({ code: api.code, relay: operation }, 'relay handshake failed');
    }
    ctx.metrics.relaySessions.inc({ operation, outcome: api.code });
    const refusal = new Error(api.code) as Error & { data: { code: string; message: string } };
    refusal.data = { code: api.code, message: api.message };
    return refusal;
  };

  const serve = (operation: Operation, nsp: Namespace) => {
    nsp.use((socket, next) => {
      let agent: Agent | undefined;
      authorizeRelay(ctx, deps.verifier, operation, socket.handshake.auth, (a) => (agent = a)).then(
        (peer) => {
          (socket.data as SocketData).peer = peer;
          next();
        },
        async (err: unknown) => next(await refuse(operation, socket.handshake.auth, agent, err)),
      );
    });
    nsp.on('connection', (socket) => onConnection(socket as Socket<never, never, never, SocketData>));
  };

  const onConnection = (socket: Socket<never, never, never, SocketData>) => {
    const peer = socket.data.peer;
    if (!peer) {
      socket.disconnect(true);
      return;
    }
    connections++;
    const controller = new AbortController();
    running.add(controller);
    let started = false;
    const emit = (event: string, payload: Record<string, unknown>) => {
      (socket as unknown as Socket).emit(event, payload);
    };
    const finish = () => {
      if (socket.connected) socket.disconnect(true);
    };
    const idle = setTimeout(() => {
      emit(SERVER_EVENTS.errorParameters, {
        call_id: peer.conversationId,
        code: 'relay.no_initialize',
        message: 'send initialize right after connecting',
      });
      finish();
    }, deps.initializeTimeoutMs ?? 30_000);

    socket.on('disconnect', () => {
      connections--;
      clearTimeout(idle);
      // The browser went away: nobody can receive the result, so the das-Peak session ends now.
      controller.abort();
      running.delete(controller);
    });

    (socket as unknown as Socket).on('initialize', (payload: unknown) => {
      if (started) return; // one session per socket; the first initialize started it
      started = true;
      clearTimeout(idle);
      const callId = (payload as { metadata?: { call_id?: unknown } } | undefined)?.metadata?.call_id;
      if (callId !== peer.conversationId) {
        emit(SERVER_EVENTS.errorParameters, {
          call_id: peer.conversationId,
          code: 'relay.call_mismatch',
          message: 'initialize.metadata.call_id must be the conversation the connection was opened for',
        });
        void audit(peer, {
          event: SERVER_EVENTS.errorParameters,
          outcome: 'denied',
          detail: `${peer.operation}:relay.call_mismatch`,
        });
        finish();
        return;
      }
      // Anything else the browser sent (thresholds, model hash, a credential) is ignored: the
      // session is built from the config and the store.
      void relay(peer, emit, controller.signal).finally(finish);
    });
  };

  const audit = async (peer: RelayPeer, end: RelayEnd) => {
    ctx.metrics.relaySessions.inc({ operation: peer.operation, outcome: end.event });
    try {
      await ctx.store.recordEvent(
        { actor: { type: 'agent', id: peer.agent.userId }, conversationId: peer.conversationId },
        { action: 'relay.session', outcome: end.outcome, ani: peer.e164, detail: auditDetail(end.detail) },
      );
    } catch (err) {
      ctx.logger.error(
        { code: isKitError(err) ? err.code : 'unknown', relay: peer.operation },
        'could not write a relayed session to the audit log',
      );
    }
  };

  const relay = async (
    peer: RelayPeer,
    emit: (event: string, payload: Record<string, unknown>) => void,
    signal: AbortSignal,
  ) => {
    let end: RelayEnd;
    try {
      end = await runRelayedSession(ctx, tokens, peer, emit, signal);
    } catch (err) {
      ctx.logger.error({ code: isKitError(err) ? err.code : 'unknown' }, 'relayed session failed');
      emit(BACKEND_ERROR, {
        call_id: peer.conversationId,
        code: 'internal',
        message: 'the backend failed while relaying the session',
      });
      end = { event: BACKEND_ERROR, outcome: 'error', detail: `${peer.operation}:internal` };
    }
    ctx.logger.info(
      {
        relay: peer.operation,
        conversationId: peer.conversationId,
        event: end.event,
        actor: peer.agent.userId,
      },
      'relayed session ended',
    );
    await audit(peer, end);
  };

  serve('register', io.of(RELAY_NAMESPACES.register));
  serve('verify', io.of(RELAY_NAMESPACES.verify));

  return {
    get connections() {
      return connections;
    },
    close() {
      for (const controller of running) controller.abort();
      io.disconnectSockets(true);
      io.engine.close();
    },
  };
}
