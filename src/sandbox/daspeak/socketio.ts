import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server as IoServer, type Namespace, type Socket } from 'socket.io';
import {
  CLIENT_EVENTS,
  SERVER_EVENTS,
  type ErrorEventPayload,
  type Operation,
} from '../../daspeak/contract.js';
import type { Logger } from '../../log.js';
import type { ResolvedOptions, SandboxFaults } from './options.js';
import type { SessionRegistry } from './registry.js';
import type { SessionImpl } from './session-impl.js';
import { paramsFromInitialize, type ParamsContext } from './session-params.js';
import type { TokenIssuer } from './tokens.js';
import { Timer } from './timing.js';

/**
 * The Socket.IO signalling channel (Socket.IO v4 on Engine.IO path `paths.socketio`): the register
 * and verify namespaces in both spellings and `/alive`. A connection needs a valid access token
 * (DESIGN: `auth.token`, `?access_token=` or `Authorization: Bearer`); a missing, unknown or expired
 * one gets `connect_error` "unauthorized". One `initialize` per connection creates one session; its
 * events go back on the socket and the terminal event is followed by a server disconnect (DESIGN).
 */

export interface SocketChannelDeps {
  options: ResolvedOptions;
  registry: SessionRegistry;
  tokens: TokenIssuer;
  params: ParamsContext;
  faults: () => SandboxFaults;
  logger: Logger;
}

export class SocketChannel {
  private readonly io: IoServer;
  private connections = 0;

  constructor(private readonly deps: SocketChannelDeps) {
    const { options } = deps;
    // Attached to a server that never listens: the emulator's own server routes requests and
    // upgrades below `paths.socketio` to Engine.IO, after the token endpoint has had its turn.
    this.io = new IoServer(createServer(), {
      path: options.paths.socketio,
      transports: options.socketioTransports,
      serveClient: false,
      maxHttpBufferSize: options.limits.maxSocketMessageBytes,
      connectTimeout: options.timeouts.initializeMs,
    });
    for (const namespace of options.paths.registerNamespaces) this.serve('register', this.io.of(namespace));
    for (const namespace of options.paths.verifyNamespaces) this.serve('verify', this.io.of(namespace));
    this.serveAlive(this.io.of(options.paths.alive));
  }

  get connectionCount(): number {
    return this.connections;
  }

  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    this.io.engine.handleRequest(req, res);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.io.engine.handleUpgrade(req, socket, head);
  }

  async close(): Promise<void> {
    await this.io.close();
  }

  // ---- namespaces ---------------------------------------------------------------------------------

  private serve(operation: Operation, nsp: Namespace): void {
    nsp.use((socket, next) => {
      if (!this.deps.tokens.valid(presentedToken(socket))) {
        next(new Error('unauthorized'));
        return;
      }
      if (this.connections >= this.deps.options.limits.maxSocketConnections) {
        next(new Error('too many connections'));
        return;
      }
      next();
    });
    nsp.on('connection', (socket) => this.onConnection(operation, socket));
  }

  private onConnection(operation: Operation, socket: Socket): void {
    this.connections++;
    const log = this.deps.logger.child({ socket: socket.id, namespace: socket.nsp.name });
    const idle = new Timer(this.deps.options.timers);
    let session: SessionImpl | undefined;
    let initialized = false;

    const end = () => {
      if (socket.connected) socket.disconnect(true);
    };
    const refuse = (event: string, payload: ErrorEventPayload) => {
      socket.emit(event, payload);
      end();
    };

    idle.start(this.deps.options.timeouts.initializeMs, () => {
      log.info('das-Peak sandbox: no initialize in time; disconnecting');
      end();
    });

    socket.on('disconnect', () => {
      this.connections--;
      idle.cancel();
      // The client went away before the result: nobody can receive it any more.
      if (session?.wantsAudio || session?.state.name === 'processing') session.cancel('cancelled');
    });

    const initialize = (payload: unknown) => {
      if (initialized) {
        session?.cancel('cancelled');
        refuse(SERVER_EVENTS.errorParameters, {
          code: 'duplicate-initialize',
          message: 'one initialize per connection; the session is cancelled',
        });
        return;
      }
      initialized = true;
      idle.cancel();
      const checked = paramsFromInitialize(operation, payload, this.deps.params);
      if (!checked.ok) {
        refuse(SERVER_EVENTS.errorParameters, {
          ...callIdOf(payload),
          code: 'invalid-initialize',
          message: checked.problem,
        });
        return;
      }
      const created = this.deps.registry.create(checked.params);
      if ('code' in created) {
        const event =
          created.code === 'duplicate-session' ? SERVER_EVENTS.errorParameters : SERVER_EVENTS.errorDasPeak;
        refuse(event, { call_id: checked.params.callId, code: created.code, message: created.message });
        return;
      }
      session = created;
      this.bind(socket, created);
      this.deps.registry.activate(created);
      if (this.deps.faults().dropSignalling === 'after-initialize') drop(socket);
    };
    socket.on(CLIENT_EVENTS.initialize, (payload: unknown) => {
      try {
        initialize(payload);
      } catch (err) {
        // Our own failure: the client hears it as das-Peak's, and the process lives on.
        log.error({ err }, 'das-Peak sandbox: initialize failed');
        session?.cancel('cancelled');
        refuse(SERVER_EVENTS.errorDasPeak, { code: 'internal', message: 'internal error' });
      }
    });
  }

  private bind(socket: Socket, session: SessionImpl): void {
    session.setHooks({
      onConsumerReady: (payload) => {
        socket.emit(SERVER_EVENTS.consumerReady, payload);
        if (this.deps.faults().dropSignalling === 'after-consumer-ready') drop(socket);
      },
      onVadStatus: (payload) => socket.emit(SERVER_EVENTS.vadStatus, payload),
      onTerminal: (event, payload, collectedAudio) => {
        if (collectedAudio === undefined) socket.emit(event, payload);
        else socket.emit(event, payload, collectedAudio);
        // Packets leave in order, so the client has the result before the disconnect.
        if (socket.connected) socket.disconnect(true);
      },
      onClosed: (reason) => {
        if (reason === 'shutdown' && socket.connected) socket.disconnect(true);
      },
    });
  }

  /** `/alive` (SIO-DEF): the client may just disconnect, or send `alive` and be disconnected. */
  private serveAlive(nsp: Namespace): void {
    nsp.on('connection', (socket) => {
      const idle = new Timer(this.deps.options.timers);
      idle.start(this.deps.options.timeouts.initializeMs, () => socket.disconnect(true));
      socket.on('disconnect', () => idle.cancel());
      socket.on(CLIENT_EVENTS.alive, (...args: unknown[]) => {
        const ack = args[args.length - 1];
        if (typeof ack === 'function') (ack as (answer: string) => void)('alive');
        socket.disconnect(true);
      });
    });
  }
}

/** The access token as presented: `auth.token`, `?access_token=`, or `Authorization: Bearer …`. */
function presentedToken(socket: Socket): string | undefined {
  const auth = socket.handshake.auth as Record<string, unknown> | undefined;
  if (typeof auth?.token === 'string') return auth.token;
  const query = socket.handshake.query.access_token;
  if (typeof query === 'string') return query;
  const header = socket.handshake.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return bearer?.[1];
}

/** Drops the connection without a Socket.IO goodbye, as a network failure would (fault knob). */
function drop(socket: Socket): void {
  socket.conn.close();
}

function callIdOf(payload: unknown): { call_id?: string } {
  const metadata = (payload as { metadata?: { call_id?: unknown } } | null)?.metadata;
  return typeof metadata?.call_id === 'string' ? { call_id: metadata.call_id } : {};
}
