import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectAudiohook,
  probeAudiohook,
  runAudiohookSession,
  type AudiohookClientSession,
} from '../../src/audiohook/client/index.js';
import {
  channelSamples,
  type AudioFrame,
  type AudiohookServerSession,
  type ListeningAudiohookServer,
  type ServerSessionSummary,
} from '../../src/audiohook/server/index.js';
import {
  ORG,
  UNSIGNED_KEY,
  FrameQueue,
  ManualTimers,
  clientOptions,
  frames,
  startServer,
} from './helpers.js';

/*
 * The client (Genesys side) and the server (receiving side) against each other over a real
 * WebSocket on 127.0.0.1: every normal path of a session.
 */

let server: ListeningAudiohookServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Server that records sessions, frames and final summaries. */
async function recordingServer(extra: Parameters<typeof startServer>[0] = {}) {
  const sessions: AudiohookServerSession[] = [];
  const audio: AudioFrame[] = [];
  const finals: ServerSessionSummary[] = [];
  const closes: Array<string | null> = [];
  let announce: ((session: AudiohookServerSession) => void) | undefined;
  const first = new Promise<AudiohookServerSession>((resolve) => (announce = resolve));
  const s = await startServer({
    ...extra,
    hooks: {
      onSession: (session) => {
        sessions.push(session);
        announce?.(session);
      },
      onAudio: (_session, frame) => audio.push(frame),
      onClose: (_session, close) => void closes.push(close?.reason ?? null),
      onFinalize: (_session, summary) => void finals.push(summary),
      ...extra.hooks,
    },
  });
  server = s;
  const firstSession = () => first;
  return { s, sessions, audio, finals, closes, firstSession };
}

describe('audiohook session: client ↔ server', () => {
  it('opens (signed), streams, closes — the whole transaction on both sides', async () => {
    const { s, audio, finals, closes, firstSession } = await recordingServer();
    const session = await connectAudiohook(clientOptions(s.url));
    expect(session.state).toBe('ACTIVE');
    // Default selection: the caller alone, mono external PCMU 8 kHz.
    expect(session.selectedMedia).toEqual({
      type: 'audio',
      format: 'PCMU',
      channels: ['external'],
      rate: 8000,
    });

    const summary = await session.stream(frames(10));
    expect(summary).toEqual({
      frames: 10,
      bytes: 16000,
      seconds: 2,
      discardedSeconds: 0,
      ended: 'exhausted',
    });
    const result = await session.close('end');
    const serverSession = await firstSession();
    const final = await serverSession.finalized;

    expect(result).toMatchObject({
      state: 'DISCONNECTED',
      states: ['CONNECTING', 'OPENING', 'ACTIVE', 'CLOSING', 'CLOSED', 'DISCONNECTED'],
      httpStatus: 101,
      closeReason: 'end',
      closedByServer: true,
      disconnect: null,
      errors: [],
      wsCloseCode: 1000,
      audio: { frames: 10, bytes: 16000, seconds: 2, discardedSeconds: 0, positionSeconds: 2 },
    });
    expect(audio).toHaveLength(10);
    expect(audio.map((f) => f.position)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8]);
    expect(audio[0]).toMatchObject({ sampleCount: 1600, duration: 0.2 });
    expect(closes).toEqual(['end']);
    expect(finals).toHaveLength(1);
    expect(final).toMatchObject({
      id: session.id,
      organizationId: ORG,
      conversationId: result.conversationId,
      authenticated: true,
      signed: true,
      closeReason: 'end',
      state: 'DISCONNECTED',
      audio: { frames: 10, bytes: 16000, seconds: 2, positionSeconds: 2, ignoredFrames: 0 },
      problems: [],
    });
    expect(final.states).toEqual([
      'PREPARING',
      'OPENING',
      'ACTIVE',
      'CLOSING',
      'CLOSED',
      'FINALIZING',
      'DISCONNECTED',
    ]);
  });

  it('pings after the initial delay, measures RTT and sends it in the next ping', async () => {
    const { s, firstSession } = await recordingServer();
    const manual = new ManualTimers();
    const timeouts = { open: 1000, close: 500, initialPingDelay: 111, pingInterval: 222 };
    const session = await connectAudiohook(clientOptions(s.url, { timers: manual.timers, timeouts }));
    const serverSession = await firstSession();
    const rtts: Array<number | null> = [];
    serverSession.on('ping', (rtt) => rtts.push(rtt));

    expect(manual.fire(111)).toBe(1); // first ping, after the initial delay
    await once(session, 'rtt');
    expect(manual.fire(222)).toBe(1); // the next one, one interval later, carries the RTT
    await once(session, 'rtt');
    const result = await session.close();

    expect(result.pings).toMatchObject({ sent: 2, answered: 2 });
    expect(result.pings.lastRttSeconds).toBeGreaterThanOrEqual(0);
    expect(rtts[0]).toBeNull();
    expect(rtts[1]).toBeGreaterThanOrEqual(0);
    expect(manual.has(222)).toBe(false); // pinging stops once closing
    expect(result.errors).toEqual([]);
  });

  it('server-requested pause and resume: audio produced while paused is discarded and counted', async () => {
    const { s, audio, firstSession } = await recordingServer();
    const session = await connectAudiohook(clientOptions(s.url));
    const serverSession = await firstSession();
    const queue = new FrameQueue();
    const streaming = session.stream(queue);

    queue.push(...frames(2));
    while (audio.length < 2) await once(serverSession, 'audio');
    expect(serverSession.pause()).toBe(true);
    await once(serverSession, 'paused');
    expect(session.state).toBe('PAUSED');

    queue.push(...frames(3)); // 0.6 s while paused: dropped
    const resumed = once(serverSession, 'resumed');
    // Resume only after the paused frames were consumed, so the gap is exactly three frames.
    while (session.position < 1) await new Promise((r) => setImmediate(r));
    expect(serverSession.resume()).toBe(true);
    const [info] = (await resumed) as [{ start: number; discarded: number }];
    expect(info).toEqual({ start: 0.4, discarded: 0.6 });

    queue.push(...frames(1));
    queue.end();
    const summary = await streaming;
    const result = await session.close();
    const final = await serverSession.finalized;

    expect(summary).toMatchObject({ frames: 3, discardedSeconds: expect.closeTo(0.6, 6) as number });
    expect(result.audio).toMatchObject({ frames: 3, seconds: 0.6, positionSeconds: 1.2 });
    expect(result.audio.discardedSeconds).toBeCloseTo(0.6, 6);
    expect(audio.map((f) => f.position)).toEqual([0, 0.2, 1]);
    expect(final.audio).toMatchObject({ frames: 3, seconds: 0.6, positionSeconds: 1.2 });
    expect(final.states).toContain('PAUSED');
    expect(result.states).toEqual([
      'CONNECTING',
      'OPENING',
      'ACTIVE',
      'PAUSED',
      'ACTIVE',
      'CLOSING',
      'CLOSED',
      'DISCONNECTED',
    ]);
  });

  it('client-initiated pause and resume (Audio Monitoring off and on in a flow)', async () => {
    const { s, firstSession } = await recordingServer();
    const session = await connectAudiohook(clientOptions(s.url));
    const serverSession = await firstSession();
    const paused = once(serverSession, 'paused');
    expect(session.pause()).toBe(true);
    await paused;
    expect(serverSession.state).toBe('PAUSED');
    await session.stream(frames(2)); // dropped
    const resumed = once(serverSession, 'resumed');
    expect(session.resume()).toBe(true);
    expect((await resumed)[0]).toEqual({ start: 0, discarded: 0.4 });
    expect(serverSession.state).toBe('ACTIVE');
    await session.close();
    expect(session.pause()).toBe(false);
  });

  it('a server resume does not end a pause the client still holds', async () => {
    const { s, firstSession } = await recordingServer();
    const session = await connectAudiohook(clientOptions(s.url));
    const serverSession = await firstSession();
    session.pause();
    await once(serverSession, 'paused');
    serverSession.resume();
    // A round trip behind the resume proves the client has handled it.
    const event = once(session, 'event');
    serverSession.sendEvent([{ type: 'marker', data: null }]);
    await event;
    expect(session.state).toBe('PAUSED');
    expect(serverSession.state).toBe('PAUSED');
    const resumed = once(serverSession, 'resumed');
    session.resume();
    await resumed;
    expect(session.state).toBe('ACTIVE');
    await session.close();
  });

  it('startPaused from onOpen: the client opens paused until the server resumes', async () => {
    const { s, audio, firstSession } = await recordingServer({
      hooks: { onOpen: () => ({ startPaused: true }) },
    });
    const session = await connectAudiohook(clientOptions(s.url));
    expect(session.state).toBe('PAUSED');
    const serverSession = await firstSession();
    if (serverSession.state !== 'PAUSED') await once(serverSession, 'paused');
    const resumed = once(serverSession, 'resumed');
    serverSession.resume();
    await resumed;
    await session.stream(frames(1));
    await session.close();
    expect(audio).toHaveLength(1);
  });

  it('discardTo from onOpen: the client drops audio up to it (splitting a frame) and reports it', async () => {
    const { s, audio, firstSession } = await recordingServer({
      hooks: { onOpen: () => ({ discardTo: 0.5 }) },
    });
    const session = await connectAudiohook(clientOptions(s.url));
    const serverSession = await firstSession();
    const discarded = once(serverSession, 'discarded');
    const summary = await session.stream(frames(5));
    expect((await discarded)[0]).toEqual({ start: 0, discarded: 0.5 });
    await session.close();
    const final = await serverSession.finalized;
    expect(summary).toMatchObject({ frames: 3, bytes: 4000, seconds: 0.5, discardedSeconds: 0.5 });
    expect(audio.map((f) => [f.position, f.duration])).toEqual([
      [0.5, 0.1],
      [0.6, 0.2],
      [0.8, 0.2],
    ]);
    expect(final.audio).toMatchObject({ seconds: 0.5, positionSeconds: 1 });
  });

  it('server disconnect "completed" (enough audio): the client closes with reason "disconnect"', async () => {
    const { s, firstSession } = await recordingServer({
      hooks: {
        onAudio: (session, frame) => {
          if (frame.position >= 0.4) session.disconnect('completed', 'enough audio');
        },
      },
    });
    const session = await connectAudiohook(clientOptions(s.url));
    const disconnect = once(session, 'disconnect');
    const summary = await session.stream(frames(50));
    expect((await disconnect)[0]).toEqual({ reason: 'completed', info: 'enough audio' });
    const result = await session.done;
    const final = await (await firstSession()).finalized;
    expect(summary.ended).toBe('session-ended');
    expect(result).toMatchObject({
      closeReason: 'disconnect',
      closedByServer: true,
      disconnect: { reason: 'completed', info: 'enough audio' },
      errors: [],
    });
    expect(final).toMatchObject({ disconnect: { reason: 'completed' }, closeReason: 'disconnect' });
    expect(final.states).toContain('DISCONNECTING');
    expect(final.audio.frames + final.audio.ignoredFrames).toBe(result.audio.frames);
  });

  it('answers a connection probe normally', async () => {
    const { s, audio, finals } = await recordingServer();
    const result = await probeAudiohook(clientOptions(s.url));
    expect(result).toMatchObject({
      conversationId: '00000000-0000-0000-0000-000000000000',
      closeReason: 'end',
      closedByServer: true,
      errors: [],
      audio: { frames: 0 },
    });
    expect(result.opened?.media).toHaveLength(1);
    await s.close();
    server = undefined;
    expect(audio).toHaveLength(0);
    expect(finals[0]).toMatchObject({ probe: true, conversationId: '00000000-0000-0000-0000-000000000000' });
  });

  it('empty media in opened: the server wants no audio and stream() sends nothing', async () => {
    const { s } = await recordingServer({ hooks: { selectMedia: () => null } });
    const session = await connectAudiohook(clientOptions(s.url));
    expect(session.selectedMedia).toBeNull();
    expect(await session.stream(frames(3))).toMatchObject({ frames: 0, ended: 'no-media' });
    const result = await session.close();
    expect(result.opened).toEqual({ media: [], startPaused: false });
    expect(result.errors).toEqual([]);
  });

  it('stereo selection: frames keep channel order and channelSamples de-interleaves', async () => {
    const { s, audio } = await recordingServer({ hooks: { selectMedia: (offers) => offers[0] ?? null } });
    const session = await connectAudiohook(clientOptions(s.url));
    expect(session.selectedMedia?.channels).toEqual(['external', 'internal']);
    const frame = new Uint8Array(3200);
    for (let i = 0; i < frame.length; i++) frame[i] = i % 2 === 0 ? 0x11 : 0x22;
    await session.stream([frame]);
    await session.close();
    expect(audio[0]).toMatchObject({ sampleCount: 1600, duration: 0.2 });
    expect([...new Set(channelSamples(audio[0]!, 'external'))]).toEqual([0x11]);
    expect([...new Set(channelSamples(audio[0]!, 'internal'))]).toEqual([0x22]);
  });

  it('splits frames larger than maxFrameBytes into aligned chunks', async () => {
    const { s, audio } = await recordingServer();
    const session = await connectAudiohook(clientOptions(s.url, { maxFrameBytes: 1000 }));
    await session.stream([new Uint8Array(2500)]);
    await session.close();
    expect(audio.map((f) => f.data.byteLength)).toEqual([1000, 1000, 500]);
  });

  it('streams much faster than real time with socket backpressure (800 s of stereo audio)', async () => {
    let bytes = 0;
    const { s } = await recordingServer({
      hooks: {
        selectMedia: (offers) => offers[0] ?? null,
        onAudio: (_s, f) => void (bytes += f.data.byteLength),
      },
    });
    const session = await connectAudiohook(clientOptions(s.url));
    const big = frames(200, 64000);
    const summary = await session.stream(big);
    const result = await session.close();
    expect(summary).toMatchObject({ frames: 200, bytes: 12_800_000, seconds: 800 });
    expect(result.audio.positionSeconds).toBe(800);
    expect(bytes).toBe(12_800_000);
  });

  it('echoes the audiohook sub-protocol when offered, none otherwise', async () => {
    const { s } = await recordingServer();
    const offered = await connectAudiohook(clientOptions(s.url, { subprotocols: ['audiohook'] }));
    expect((await offered.close()).protocol).toBe('audiohook');
    const plain = await connectAudiohook(clientOptions(s.url));
    expect((await plain.close()).protocol).toBe('');
  });

  it('an API key with an empty secret connects unsigned', async () => {
    const { s, firstSession } = await recordingServer();
    const session = await connectAudiohook(clientOptions(s.url, { apiKey: UNSIGNED_KEY, clientSecret: '' }));
    const final = (await firstSession()).finalized;
    await session.close();
    expect(await final).toMatchObject({ authenticated: true, signed: false });
  });

  it('update → updated, server events reach the client', async () => {
    const { s, firstSession } = await recordingServer();
    const session: AudiohookClientSession = await connectAudiohook(
      clientOptions(s.url, { language: 'en-US' }),
    );
    const serverSession = await firstSession();
    const update = once(serverSession, 'update');
    expect(session.update('es-ES')).toBe(true);
    expect((await update)[0]).toBe('es-ES');
    const event = once(session, 'event');
    expect(serverSession.sendEvent([{ type: 'transcript', data: { text: 'hola' } }])).toBe(true);
    expect((await event)[0]).toEqual([{ type: 'transcript', data: { text: 'hola' } }]);
    const result = await session.close();
    expect(result.errors).toEqual([]);
    expect(serverSession.openParameters?.language).toBe('en-US');
  });

  it('answers supportedLanguages when asked', async () => {
    const { s } = await recordingServer({ supportedLanguages: ['en-US', 'es-ES'] });
    const session = await connectAudiohook(clientOptions(s.url, { supportedLanguages: true }));
    expect((await session.close()).opened?.supportedLanguages).toEqual(['en-US', 'es-ES']);
  });

  it('server shutdown disconnects live sessions and waits for them', async () => {
    const { s } = await recordingServer();
    const session = await connectAudiohook(clientOptions(s.url));
    await s.close();
    server = undefined;
    const result = await session.done;
    expect(result).toMatchObject({
      disconnect: { reason: 'completed', info: 'server shutting down' },
      closeReason: 'disconnect',
      closedByServer: true,
    });
    expect(s.audiohook.sessions.size).toBe(0);
  });

  it('runAudiohookSession: connect, stream, close in one call', async () => {
    const { s } = await recordingServer();
    const result = await runAudiohookSession(clientOptions(s.url), frames(4));
    expect(result).toMatchObject({
      closeReason: 'end',
      closedByServer: true,
      audio: { frames: 4, seconds: 0.8 },
    });
  });
});
