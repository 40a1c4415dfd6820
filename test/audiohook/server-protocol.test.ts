import { afterEach, describe, expect, it } from 'vitest';
import type {
  AudiohookServerSession,
  ListenAudiohookOptions,
  ListeningAudiohookServer,
  ServerSessionSummary,
} from '../../src/audiohook/server/index.js';
import { RawClient, startServer, type Json } from './helpers.js';

/*
 * The server against a hand-driven client: every protocol violation is answered with
 * `disconnect {reason:"error", info}`, the client's `close` is still honoured, and the session is
 * finalized — never a crash or a hang.
 */

let server: ListeningAudiohookServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(extra: Partial<ListenAudiohookOptions> = {}) {
  const finals: ServerSessionSummary[] = [];
  const sessions: AudiohookServerSession[] = [];
  let announce: (s: AudiohookServerSession) => void = () => undefined;
  const first = new Promise<AudiohookServerSession>((resolve) => (announce = resolve));
  server = await startServer({
    ...extra,
    hooks: {
      onSession: (s) => {
        sessions.push(s);
        announce(s);
      },
      onFinalize: (_s, summary) => void finals.push(summary),
      ...extra.hooks,
    },
  });
  return { s: server, finals, sessions, first };
}

const MONO = { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 };
const STEREO = { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 };

/** Opens a session and returns the `opened` message. */
async function opened(raw: RawClient, media: Json[] = [MONO]): Promise<Json> {
  raw.open(media);
  const msg = await raw.next();
  expect(msg.type).toBe('opened');
  return msg;
}

/** Expects `disconnect {reason:"error"}` whose info matches, then completes the close transaction. */
async function expectProtocolError(raw: RawClient, info: RegExp): Promise<void> {
  const msg = await raw.nextOf('disconnect');
  expect(msg.parameters).toMatchObject({ reason: 'error' });
  expect((msg.parameters as { info: string }).info).toMatch(info);
  const closed = await raw.closeSession('disconnect');
  expect(closed.type).toBe('closed');
}

describe('audiohook server: malformed messages', () => {
  it.each([
    ['bad JSON', (raw: RawClient) => raw.sendRaw('{"version":"2",'), /not JSON/, 'audiohook.bad_json'],
    ['a JSON array', (raw: RawClient) => raw.sendRaw('[]'), /not a JSON object/, 'audiohook.not_a_message'],
    [
      'wrong field types',
      (raw: RawClient) => raw.send('ping', {}, { seq: 'two', position: 3 }),
      /not an Audiohook client message/,
      'audiohook.bad_envelope',
    ],
    [
      'an unknown type',
      (raw: RawClient) => raw.send('dance'),
      /not an Audiohook client message type/,
      'audiohook.unknown_type',
    ],
    [
      'a server message type',
      (raw: RawClient) => raw.send('opened'),
      /not an Audiohook client message type/,
      'audiohook.unknown_type',
    ],
    [
      'a wrong version',
      (raw: RawClient) => raw.send('ping', {}, { version: '1' }),
      /unsupported protocol version/,
      'audiohook.bad_version',
    ],
    [
      'another session id',
      (raw: RawClient) => raw.send('ping', {}, { id: '11111111-1111-4111-8111-111111111111' }),
      /is not the session id/,
      'audiohook.id_mismatch',
    ],
    [
      'bad parameters',
      (raw: RawClient) => raw.send('ping', { rtt: 'soon' }),
      /invalid 'ping' message/,
      'audiohook.bad_parameters',
    ],
  ])('%s → disconnect error, close still answered', async (_name, act, info, code) => {
    const { s, finals } = await serve();
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    act(raw);
    await expectProtocolError(raw, info);
    await s.close();
    server = undefined;
    expect(finals[0]?.problems.map((p) => p.code)).toContain(code);
    expect(finals[0]?.closeReason).toBe('disconnect');
  });

  it('a text message over 65535 characters', async () => {
    const { s, first } = await serve();
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    raw.send('ping', { pad: 'x'.repeat(70_000) });
    await expectProtocolError(raw, /exceeds 65535/);
    const final = await (await first).finalized;
    expect(final.problems.map((p) => p.code)).toEqual(['audiohook.message_too_large']);
  });
});

describe('audiohook server: sequence numbers', () => {
  it('an out-of-order seq → error; the following close (resynchronised) is answered', async () => {
    const { s } = await serve();
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    raw.seq += 1; // skip one
    raw.send('ping');
    await expectProtocolError(raw, /seq 3 out of order \(expected 2\)/);
  });

  it('a repeated seq', async () => {
    const { s } = await serve();
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    raw.send('ping', {}, { seq: 1 });
    raw.seq = 1;
    await expectProtocolError(raw, /seq 1 out of order/);
  });

  it('serverseq ahead of what the server sent', async () => {
    const { s } = await serve();
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    raw.send('ping', {}, { serverseq: 9 });
    await expectProtocolError(raw, /serverseq 9 is ahead/);
  });
});

describe('audiohook server: audio frames', () => {
  it('audio before open', async () => {
    const { s } = await serve();
    const raw = await RawClient.connect(s.url);
    raw.ws.send(new Uint8Array(160));
    await expectProtocolError(raw, /audio received in state PREPARING/);
  });

  it('audio after the client said paused', async () => {
    const { s } = await serve();
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    raw.send('paused');
    raw.ws.send(new Uint8Array(160));
    await expectProtocolError(raw, /audio received in state PAUSED/);
  });

  it('audio when no media was selected', async () => {
    const { s } = await serve({ hooks: { selectMedia: () => null } });
    const raw = await RawClient.connect(s.url);
    const msg = await opened(raw);
    expect(msg.parameters).toMatchObject({ media: [] });
    raw.ws.send(new Uint8Array(160));
    await expectProtocolError(raw, /no media was selected/);
  });

  it('a frame that is not whole samples (odd bytes in stereo)', async () => {
    const { s } = await serve({ hooks: { selectMedia: (offers) => offers[0] ?? null } });
    const raw = await RawClient.connect(s.url);
    await opened(raw, [STEREO]);
    raw.ws.send(new Uint8Array(3));
    await expectProtocolError(raw, /not whole samples/);
  });

  it('a frame over maxBinaryBytes → disconnect error', async () => {
    const { s } = await serve({ limits: { maxBinaryBytes: 1000 } });
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    raw.ws.send(new Uint8Array(1001));
    await expectProtocolError(raw, /1001 bytes exceeds 1000/);
  });

  it('a payload over the hard cap closes the socket with 1009; the session is finalized', async () => {
    const { s, finals, first } = await serve({ limits: { maxBinaryBytes: 1000, maxPayloadBytes: 4000 } });
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    raw.ws.send(new Uint8Array(5000));
    expect(await raw.closed).toBe(1009);
    await (
      await first
    ).finalized;
    expect(finals[0]).toMatchObject({ closeReason: null, wsCloseCode: 1006 });
    expect(finals[0]?.problems.map((p) => p.code)).toContain('audiohook.socket_error');
  });

  it('audio in flight after a disconnect is ignored, not an error', async () => {
    const { s, first } = await serve();
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    const session = await first;
    session.disconnect('completed');
    raw.ws.send(new Uint8Array(160));
    const msg = await raw.nextOf('disconnect');
    expect(msg.parameters).toEqual({ reason: 'completed' });
    await raw.closeSession('disconnect');
    const final = await session.finalized;
    expect(final.audio.ignoredFrames).toBe(1);
    expect(final.problems).toEqual([]);
  });
});

describe('audiohook server: state machine', () => {
  it('a second open', async () => {
    const { s } = await serve();
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    raw.open();
    await expectProtocolError(raw, /unexpected 'open' in state ACTIVE/);
  });

  it('close before open is answered with closed', async () => {
    const { s } = await serve();
    const raw = await RawClient.connect(s.url);
    expect((await raw.closeSession()).type).toBe('closed');
  });

  it('ping is answered with pong carrying clientseq = the ping seq', async () => {
    const { s } = await serve();
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    raw.send('ping', { rtt: 'PT0.01S' });
    expect(await raw.next()).toMatchObject({ type: 'pong', clientseq: 2, seq: 2 });
    await raw.closeSession();
  });

  it('no open within the open timeout: the socket is dropped and the session finalized', async () => {
    const { s, first } = await serve({ timeouts: { open: 20 } });
    const raw = await RawClient.connect(s.url);
    await raw.closed;
    const final = await (await first).finalized;
    expect(final.problems.map((p) => p.code)).toEqual(['audiohook.open_timeout']);
  });

  it('no close after a disconnect: the socket is dropped after the close timeout', async () => {
    const { s, first } = await serve({ timeouts: { close: 20 } });
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    const session = await first;
    session.disconnect('completed', 'done');
    await raw.closed;
    const final = await session.finalized;
    expect(final.problems.map((p) => p.code)).toEqual(['audiohook.close_timeout']);
    expect(final.closeReason).toBeNull();
  });

  it('the client drops the socket mid-stream: onClose(null) and onFinalize still run', async () => {
    const closes: unknown[] = [];
    const { s, first } = await serve({ hooks: { onClose: (_s, close) => void closes.push(close) } });
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    raw.ws.send(new Uint8Array(1600));
    raw.ws.terminate();
    const final = await (await first).finalized;
    expect(closes).toEqual([null]);
    expect(final.state).toBe('DISCONNECTED');
    expect(final.states.slice(-2)).toEqual(['FINALIZING', 'DISCONNECTED']);
  });

  it('pause/resume before opened turn into startPaused', async () => {
    const { s } = await serve({
      hooks: {
        onOpen: (session) => {
          session.pause();
        },
      },
    });
    const raw = await RawClient.connect(s.url);
    const msg = await opened(raw);
    expect(msg.parameters).toMatchObject({ startPaused: true });
    await raw.closeSession();
  });
});

describe('audiohook server: failing hooks', () => {
  it('onOpen throws → disconnect error without internals', async () => {
    const { s } = await serve({
      hooks: {
        onOpen: () => {
          throw new Error('secret internals');
        },
      },
    });
    const raw = await RawClient.connect(s.url);
    raw.open();
    const msg = await raw.nextOf('disconnect');
    expect(msg.parameters).toEqual({ reason: 'error', info: 'internal server error' });
    await raw.closeSession('disconnect');
  });

  it('onAudio throws → disconnect error', async () => {
    const { s } = await serve({
      hooks: {
        onAudio: () => {
          throw new Error('boom');
        },
      },
    });
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    raw.ws.send(new Uint8Array(160));
    await expectProtocolError(raw, /internal server error/);
  });

  it('a media selector choosing media that was not offered → disconnect error', async () => {
    const { s } = await serve({
      hooks: { selectMedia: () => ({ ...MONO, channels: ['internal'] }) as never },
    });
    const raw = await RawClient.connect(s.url);
    raw.open();
    await expectProtocolError(raw, /internal server error/);
  });

  it('a failing onClose still lets closed go out', async () => {
    const { s } = await serve({
      hooks: {
        onClose: () => {
          throw new Error('nope');
        },
      },
    });
    const raw = await RawClient.connect(s.url);
    await opened(raw);
    expect((await raw.closeSession()).type).toBe('closed');
  });
});

describe('audiohook server: shutdown', () => {
  it('an onOpen hook that never returns does not hold close() for ever', async () => {
    const { s } = await serve({
      timeouts: { close: 20 },
      hooks: { onOpen: () => new Promise<void>(() => undefined) },
    });
    const raw = await RawClient.connect(s.url);
    raw.open();
    await s.close();
    server = undefined;
    expect(await raw.closed).toBeGreaterThan(0);
  });
});
