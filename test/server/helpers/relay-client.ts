/**
 * The widget's side of the relay (contract B) over a real WebSocket, as the browser uses it
 * (socket.io-client): open a namespace with the handshake `auth`, send initialize, collect every
 * event until the server closes.
 */
import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';

export interface Received {
  event: string;
  payload: Record<string, unknown>;
}

export interface RelayRun {
  connectError?: { message: string; data?: { code: string; message: string } };
  events: Received[];
  /** Names only, in order. */
  names: string[];
  last?: Received;
  disconnected: boolean;
}

export const TERMINAL = new Set([
  'result-success',
  'result-fail-score',
  'result-fail-spoof',
  'error-consumer-not-ready',
  'error-parameters',
  'error-audio',
  'error-das-Peak',
  'error-backend',
]);

/** Opens the relay as the widget does, sends initialize, and collects everything until the server closes. */
export function relay(
  base: string,
  operation: 'register' | 'verify',
  auth: Record<string, unknown>,
  initialize: Record<string, unknown> | ((socket: Socket) => void) = {},
  timeoutMs = 45_000,
): Promise<RelayRun> {
  const url = new URL(base);
  const socket = io(`${url.origin}/${operation}`, {
    path: '/socket.io',
    transports: ['websocket'],
    auth,
    forceNew: true,
    reconnection: false,
  });
  const run: RelayRun = { events: [], names: [], disconnected: false };
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.disconnect();
      resolve(run);
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve(run);
    };
    socket.on('connect_error', (err: Error & { data?: { code: string; message: string } }) => {
      run.connectError = { message: err.message, ...(err.data ? { data: err.data } : {}) };
      socket.disconnect();
      done();
    });
    socket.onAny((event: string, payload: Record<string, unknown>, ...rest: unknown[]) => {
      const received = { event, payload };
      run.events.push(received);
      run.names.push(event);
      if (TERMINAL.has(event)) run.last = received;
      // The collected audio is never forwarded in relay mode.
      expect(rest).toEqual([]);
    });
    socket.on('disconnect', () => {
      run.disconnected = true;
      done();
    });
    socket.on('connect', () => {
      if (typeof initialize === 'function') initialize(socket);
      else socket.emit('initialize', initialize);
    });
  });
}
