import { io, type Socket } from 'socket.io-client';
import {
  EVENTS,
  TERMINAL_EVENTS,
  type DaspeakSession,
  type Progress,
  type SessionFailure,
  type SessionOptions,
  type SessionResult,
  type SessionState,
  type TerminalEvent,
} from './session.js';

const TRANSPORT_FAILURES = new Set(['websocket error', 'timeout', 'xhr poll error', 'transport close']);

function payloadOf(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') {
    // Tolerance (docs/daspeak-contract.md): a payload sent as a JSON string is parsed.
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed !== null && typeof parsed === 'object') return parsed as Record<string, unknown>;
    } catch {
      return { message: value };
    }
  }
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function progressOf(payload: Record<string, unknown>, expected: number): Progress | null {
  const net = Number(payload.net_speech_duration);
  if (!Number.isFinite(net) || net < 0) return null;
  const total = Number(payload.audio_total_duration);
  return { net, total: Number.isFinite(total) && total > 0 ? total : expected };
}

export class SocketSession implements DaspeakSession {
  #state: SessionState = { name: 'idle' };
  #socket: Socket | undefined;
  #settle: ((value: SessionResult | SessionFailure) => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ran = false;

  constructor(private readonly options: SessionOptions) {}

  get state(): SessionState {
    return this.#state;
  }

  run(): Promise<SessionResult | SessionFailure> {
    if (this.#ran) throw new Error('a das-Peak session runs once');
    this.#ran = true;
    return new Promise((resolve) => {
      this.#settle = resolve;
      this.#timer = setTimeout(
        () => this.#fail({ kind: 'timeout', code: 'session.timeout', message: 'no result in time' }),
        this.options.sessionTimeoutMs ?? 120_000,
      );
      this.#connect();
    });
  }

  close(): void {
    this.#fail({ kind: 'aborted', code: 'session.aborted', message: 'the session was closed' });
  }

  #set(state: SessionState): void {
    this.#state = state;
    this.options.hooks?.onState?.(state);
  }

  #connect(): void {
    const { target } = this.options;
    const attempts = Math.max(1, this.options.connectAttempts ?? 3);
    const origin = new URL(target.url).origin;
    const socket = io(`${origin}${target.namespace}`, {
      path: target.path,
      // Veridas advises WebSocket only; the relay serves WebSocket too (contract B).
      transports: ['websocket'],
      forceNew: true,
      reconnection: true,
      reconnectionAttempts: attempts - 1,
      reconnectionDelay: 500,
      reconnectionDelayMax: 2000,
      timeout: this.options.connectTimeoutMs ?? 10_000,
      ...(target.auth ? { auth: target.auth } : {}),
      ...(target.query ? { query: target.query } : {}),
    });
    this.#socket = socket;
    let attempt = 1;
    let initialized = false;
    this.#set({ name: 'connecting', attempt });

    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      if (!TRANSPORT_FAILURES.has(err.message) || err.data !== undefined) {
        // The server answered and said no (a refused token, not on the call…): retrying will not help.
        const data = payloadOf(err.data);
        const code = typeof data.code === 'string' ? data.code : err.message;
        const message = typeof data.message === 'string' ? data.message : err.message;
        this.#fail({ kind: 'refused', code, message });
        return;
      }
      if (attempt >= attempts) {
        this.#fail({ kind: 'connection', code: 'socket.unreachable', message: err.message });
        return;
      }
      attempt++;
      this.#set({ name: 'connecting', attempt });
    });
    socket.on('connect', () => {
      if (initialized) return;
      initialized = true;
      // From here on a lost connection is the end: das-Peak cannot resume a session.
      socket.io.reconnection(false);
      this.#set({ name: 'awaiting-consumer' });
      socket.emit('initialize', this.options.initialize);
    });
    socket.on('disconnect', (reason) => {
      if (!initialized) return;
      this.#fail({ kind: 'connection', code: 'socket.disconnected', message: `connection lost (${reason})` });
    });
    socket.on(EVENTS.consumerReady, () => {
      if (this.#state.name === 'awaiting-consumer') this.#set({ name: 'collecting', progress: null });
    });
    socket.on(EVENTS.vadStatus, (raw: unknown) => {
      const progress = progressOf(payloadOf(raw), this.options.expectedSeconds);
      if (!progress || (this.#state.name !== 'collecting' && this.#state.name !== 'awaiting-consumer'))
        return;
      this.#set(
        progress.net >= progress.total ? { name: 'analysing', progress } : { name: 'collecting', progress },
      );
    });
    for (const event of TERMINAL_EVENTS) {
      socket.on(event, (raw: unknown, collectedAudio?: unknown) => {
        this.#finish(event, payloadOf(raw), collectedAudio ?? null);
      });
    }
  }

  #finish(event: TerminalEvent, payload: Record<string, unknown>, collectedAudio: unknown): void {
    if (!this.#settle) return;
    const result: SessionResult = { event, payload, collectedAudio };
    this.#end();
    this.#set({ name: 'finished', result });
    const settle = this.#settle;
    this.#settle = undefined;
    settle(result);
  }

  #fail(failure: SessionFailure): void {
    if (!this.#settle) return;
    this.#end();
    this.#set({ name: 'failed', failure });
    const settle = this.#settle;
    this.#settle = undefined;
    settle(failure);
  }

  #end(): void {
    clearTimeout(this.#timer);
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      socket.removeAllListeners();
      socket.io.reconnection(false);
      socket.disconnect();
    }
  }
}
