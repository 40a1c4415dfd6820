import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAudiohook, resultOf, type AudiohookClientResult } from '../../src/audiohook/client/index.js';
import type { AudiohookError } from '../../src/audiohook/errors.js';
import {
  FrameQueue,
  ManualTimers,
  ScriptedServer,
  clientOptions,
  frames,
  type Json,
  type ScriptedConnection,
} from './helpers.js';

/*
 * The client against a hand-scripted server: every way a server can misbehave ends in the right
 * Audiohook `error` code, a `close {reason:"error"}` where one can still be sent, a typed error for
 * the caller and a finished result — never a hang.
 */

let scripted: ScriptedServer | undefined;
afterEach(async () => {
  await scripted?.close();
  scripted = undefined;
});

async function start(options: { maxPayload?: number } = {}) {
  scripted = await ScriptedServer.start(options);
  return scripted;
}

async function refusal(promise: Promise<unknown>): Promise<AudiohookError> {
  try {
    await promise;
  } catch (err) {
    return err as AudiohookError;
  }
  throw new Error('expected connectAudiohook to fail');
}

/** Reads the client's `error` then `close {reason:"error"}` and answers `closed`. */
async function expectClientError(conn: ScriptedConnection, code: number): Promise<void> {
  const error = await conn.nextOf('error');
  expect((error.parameters as { code: number }).code).toBe(code);
  const close = await conn.nextOf('close');
  expect(close.parameters).toEqual({ reason: 'error' });
  conn.send('closed');
}

/** A session opened by the scripted server, mono external by default (offers[1]). */
async function opened(
  server: ScriptedServer,
  extra: Parameters<typeof clientOptions>[1] = {},
  select: (offers: Json[]) => Json[] = (offers) => offers.slice(1, 2),
) {
  const connecting = connectAudiohook(clientOptions(server.url, extra));
  const conn = await server.connection();
  await conn.acceptOpen(select);
  const session = await connecting;
  return { session, conn };
}

function errorCodes(result: AudiohookClientResult): string[] {
  return result.errors.map((e) => e.code);
}

describe('audiohook client: a bad opened', () => {
  it('more than one media selected → 400', async () => {
    const server = await start();
    const connecting = connectAudiohook(clientOptions(server.url));
    const conn = await server.connection();
    await conn.acceptOpen((offers) => offers);
    await expectClientError(conn, 400);
    const err = await refusal(connecting);
    expect(err).toMatchObject({ code: 'audiohook.bad_opened', protocolCode: 400 });
    expect(resultOf(err)).toMatchObject({
      closeReason: 'error',
      closedByServer: true,
      state: 'DISCONNECTED',
    });
  });

  it('media that was not offered → 400', async () => {
    const server = await start();
    const connecting = connectAudiohook(clientOptions(server.url));
    const conn = await server.connection();
    await conn.acceptOpen(() => [{ type: 'audio', format: 'L16', channels: ['external'], rate: 8000 }]);
    await expectClientError(conn, 400);
    expect((await refusal(connecting)).message).toMatch(/not offered/);
  });

  it('no opened before the open timeout → 408, and no closed either → close timeout', async () => {
    const server = await start();
    const connecting = connectAudiohook(clientOptions(server.url, { timeouts: { open: 20, close: 20 } }));
    const conn = await server.connection();
    await conn.nextOf('open');
    const error = await conn.nextOf('error');
    expect(error.parameters).toMatchObject({ code: 408 });
    expect((await conn.nextOf('close')).parameters).toEqual({ reason: 'error' });
    const err = await refusal(connecting);
    expect(err.code).toBe('audiohook.open_timeout');
    expect(errorCodes(resultOf(err)!)).toEqual(['audiohook.open_timeout', 'audiohook.close_timeout']);
    expect(resultOf(err)?.closedByServer).toBe(false);
  });

  it('disconnect instead of opened → open_refused with the reason', async () => {
    const server = await start();
    const connecting = connectAudiohook(clientOptions(server.url));
    const conn = await server.connection();
    await conn.nextOf('open');
    conn.send('disconnect', { reason: 'unauthorized', info: 'nope' });
    expect((await conn.nextOf('close')).parameters).toEqual({ reason: 'disconnect' });
    conn.send('closed');
    const err = await refusal(connecting);
    expect(err).toMatchObject({
      code: 'audiohook.open_refused',
      status: 401,
      details: { reason: 'unauthorized', info: 'nope' },
    });
  });
});

describe('audiohook client: misbehaving server during a session', () => {
  it('a pong that never comes → 408 when the next ping is due', async () => {
    const server = await start();
    const manual = new ManualTimers();
    const timeouts = { open: 1000, close: 1000, initialPingDelay: 111, pingInterval: 222 };
    const connecting = connectAudiohook(clientOptions(server.url, { timers: manual.timers, timeouts }));
    const conn = await server.connection();
    await conn.acceptOpen();
    const session = await connecting;
    manual.fire(111);
    await conn.nextOf('ping');
    manual.fire(222); // still no pong
    await expectClientError(conn, 408);
    const result = await session.done;
    expect(errorCodes(result)).toEqual(['audiohook.ping_timeout']);
    expect(result.pings).toMatchObject({ sent: 1, answered: 0 });
  });

  it('an unsolicited pong → 409, not fatal', async () => {
    const server = await start();
    const { session, conn } = await opened(server);
    conn.send('pong');
    expect((await conn.nextOf('error')).parameters).toMatchObject({ code: 409 });
    expect(session.state).toBe('ACTIVE');
    const closing = session.close();
    await conn.nextOf('close');
    conn.send('closed');
    expect(errorCodes(await closing)).toEqual(['audiohook.unexpected_pong']);
  });

  it('a binary frame from the server → 415', async () => {
    const server = await start();
    const { session, conn } = await opened(server);
    conn.ws.send(new Uint8Array(10));
    await expectClientError(conn, 415);
    expect(errorCodes(await session.done)).toEqual(['audiohook.unexpected_binary']);
  });

  it.each([
    ['opened again', (c: ScriptedConnection) => c.send('opened', { media: [] })],
    ['closed without close', (c: ScriptedConnection) => c.send('closed')],
  ])('%s → 409', async (_name, act) => {
    const server = await start();
    const { session, conn } = await opened(server);
    act(conn);
    await expectClientError(conn, 409);
    expect(errorCodes(await session.done)).toEqual(['audiohook.unexpected_message']);
  });

  it('pause before opened → 409', async () => {
    const server = await start();
    const connecting = connectAudiohook(clientOptions(server.url));
    const conn = await server.connection();
    await conn.nextOf('open');
    conn.send('pause');
    await expectClientError(conn, 409);
    expect((await refusal(connecting)).code).toBe('audiohook.unexpected_message');
  });

  it.each([
    ['bad JSON', (c: ScriptedConnection) => c.ws.send('{"nope'), 'audiohook.bad_json'],
    [
      'wrong types',
      (c: ScriptedConnection) => c.send('pong', {}, { clientseq: 'x' }),
      'audiohook.bad_envelope',
    ],
    ['unknown type', (c: ScriptedConnection) => c.send('transmogrify'), 'audiohook.unknown_type'],
    [
      'wrong version',
      (c: ScriptedConnection) => c.send('pause', {}, { version: '3' }),
      'audiohook.bad_version',
    ],
    [
      'another id',
      (c: ScriptedConnection) => c.send('pause', {}, { id: '11111111-1111-4111-8111-111111111111' }),
      'audiohook.id_mismatch',
    ],
    [
      'out-of-order seq',
      (c: ScriptedConnection) => {
        c.seq += 5;
        c.send('pause');
      },
      'audiohook.bad_seq',
    ],
    [
      'clientseq ahead',
      (c: ScriptedConnection) => c.send('pause', {}, { clientseq: 99 }),
      'audiohook.bad_ack',
    ],
    [
      'bad disconnect reason',
      (c: ScriptedConnection) => c.send('disconnect', { reason: 'bored' }),
      'audiohook.bad_parameters',
    ],
  ])('%s → 400, close error, closed still accepted', async (_name, act, code) => {
    const server = await start();
    const { session, conn } = await opened(server);
    act(conn);
    await expectClientError(conn, 400);
    const result = await session.done;
    expect(errorCodes(result)).toEqual([code]);
    expect(result).toMatchObject({ closeReason: 'error', closedByServer: true, state: 'DISCONNECTED' });
  });

  it('a text message over 65535 characters → 413', async () => {
    const server = await start();
    const { session, conn } = await opened(server);
    conn.send('event', { entities: [{ type: 'pad', data: 'x'.repeat(70_000) }] });
    await expectClientError(conn, 413);
    expect(errorCodes(await session.done)).toEqual(['audiohook.message_too_large']);
  });

  it('the server drops the socket mid-stream: connection_lost, stream and done settle', async () => {
    const server = await start();
    const { session, conn } = await opened(server);
    const result = session.done;
    const streaming = session.stream(
      (async function* () {
        yield new Uint8Array(1600);
        conn.ws.terminate();
        await session.done;
        yield new Uint8Array(1600);
      })(),
    );
    expect((await streaming).ended).toBe('session-ended');
    expect(errorCodes(await result)).toEqual(['audiohook.connection_lost']);
  });

  it('the server never finishes the WebSocket close after closed: the client drops the socket', async () => {
    const server = await start();
    const { session, conn } = await opened(server, { timeouts: { close: 20 } });
    const closing = session.close();
    await conn.nextOf('close');
    conn.ws.pause(); // stop reading: the client's close frame is never answered
    conn.send('closed');
    const result = await closing;
    expect(result).toMatchObject({
      state: 'DISCONNECTED',
      closedByServer: true,
      errors: [],
      wsCloseCode: 1006,
    });
  });
});

describe('audiohook client: connection failures and bad input', () => {
  it('HTTP 401 on the upgrade → http_rejected with the status', async () => {
    const http: Server = createServer();
    http.on('upgrade', (_req, socket) => {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const { port } = http.address() as AddressInfo;
    const err = await refusal(connectAudiohook(clientOptions(`ws://127.0.0.1:${port}/ah`)));
    http.close();
    expect(err).toMatchObject({ code: 'audiohook.http_rejected', status: 401 });
    expect(resultOf(err)).toMatchObject({ httpStatus: 401, state: 'DISCONNECTED' });
    expect(errorCodes(resultOf(err)!)).toEqual(['audiohook.http_rejected']);
  });

  it('nothing listening → connect_failed', async () => {
    const http = createServer();
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const { port } = http.address() as AddressInfo;
    await new Promise((resolve) => http.close(resolve));
    const err = await refusal(connectAudiohook(clientOptions(`ws://127.0.0.1:${port}/ah`)));
    expect(err.code).toBe('audiohook.connect_failed');
  });

  it.each([
    [{ uri: 'not a url' }, 'audiohook.bad_options'],
    [{ uri: 'http://127.0.0.1/ah' }, 'audiohook.bad_options'],
    [{ organizationId: 'acme' }, 'audiohook.bad_options'],
    [{ conversationId: undefined }, 'audiohook.bad_options'],
    [{ media: [] }, 'audiohook.bad_options'],
    [{ language: 'english' }, 'audiohook.bad_options'],
    [{ sessionId: 'abc' }, 'audiohook.bad_options'],
    [{ maxFrameBytes: 2 }, 'audiohook.bad_options'],
    [{ apiKey: 'key with spaces' }, 'audiohook.bad_api_key'],
    [{ clientSecret: 'not base64 !' }, 'audiohook.bad_client_secret'],
    [{ customConfig: { pad: 'x'.repeat(70_000) } }, 'audiohook.message_too_large'],
  ])('bad options %j → %s before connecting', async (extra, code) => {
    const server = await start();
    const err = await refusal(connectAudiohook({ ...clientOptions(server.url), ...extra }));
    expect(err.code).toBe(code);
    expect(err.message).not.toContain('not base64 !');
    expect(server.connections).toHaveLength(0);
  });

  it('a frame that is not whole samples → stream rejects with bad_frame, the session stays usable', async () => {
    const server = await start();
    const { session, conn } = await opened(server, {}, (offers) => offers.slice(0, 1)); // stereo
    await expect(session.stream([new Uint8Array(3)])).rejects.toMatchObject({ code: 'audiohook.bad_frame' });
    expect(session.state).toBe('ACTIVE');
    await expect(session.stream(frames(1, 3200))).resolves.toMatchObject({ frames: 1, seconds: 0.2 });
    const closing = session.close();
    await conn.nextOf('close');
    conn.send('closed');
    expect(errorCodes(await closing)).toEqual(['audiohook.bad_frame']);
  });

  it('stream() twice at once, or after close → typed errors', async () => {
    const server = await start();
    const { session, conn } = await opened(server);
    const queue = new FrameQueue();
    const first = session.stream(queue);
    await expect(session.stream(frames(1))).rejects.toMatchObject({ code: 'audiohook.already_streaming' });
    const closing = session.close();
    await conn.nextOf('close');
    conn.send('closed');
    await closing;
    queue.push(...frames(1));
    queue.end();
    expect((await first).ended).toBe('session-ended');
    await expect(session.stream(frames(1))).rejects.toMatchObject({ code: 'audiohook.not_open' });
    expect(session.pause()).toBe(false);
    expect(session.update('en-US')).toBe(false);
  });
});
