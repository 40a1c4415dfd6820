import { afterEach, describe, expect, it } from 'vitest';
import { int16ToPcm16le, decodeMulaw, sliceFrames, type FrameFormat } from '../../../src/audio/index.js';
import type { MediaParameter } from '../../../src/audiohook/index.js';
import {
  MONO_EXTERNAL,
  audiohookCall,
  audiohookOptions,
  clientFor,
  connectAudiohook,
  framesOf,
  newCallId,
  startSandbox,
  stopAll,
  voice,
  waitFor,
  expectError,
} from './helpers.js';

/*
 * How the emulator joins signalling to audio by call_id: audio before or after the session, within the
 * window or not, audio that stops too early, and audio that does not match what was declared.
 */

afterEach(stopAll);

describe('audio before and after the session', () => {
  it('uses audio that arrived before the session was created (the whole call already streamed)', async () => {
    const sandbox = await startSandbox();
    const callId = newCallId();
    const call = await audiohookCall(sandbox, callId, 'alice-register');
    // No session wanted it: the stream ran to its end and the client closed it.
    expect(call.closeReason).toBe('end');
    expect(call.disconnect).toBeNull();
    expect(sandbox.stats().earlyAudioSeconds).toBeGreaterThan(5);

    const outcome = await clientFor(sandbox).register({ callId, channel: 'socketio' });
    expect(outcome.kind, JSON.stringify(outcome)).toBe('registered');
    expect(sandbox.stats().earlyAudioSeconds).toBe(0);
  });

  it('joins a session created in the middle of the stream, then ends the stream', async () => {
    const sandbox = await startSandbox();
    const callId = newCallId();
    const frames = framesOf('bruno-register');
    const half = Math.floor(frames.length / 2);
    const session = await connectAudiohook(audiohookOptions(sandbox, callId));
    await session.stream(frames.slice(0, half));
    await waitFor(() => sandbox.stats().earlyAudioSeconds > 0, 'early audio');

    const outcome = clientFor(sandbox).register({ callId, channel: 'rest' });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the session');
    const rest = await session.stream(frames.slice(half));
    expect(rest.ended).toBe('session-ended');
    const result = await session.done;
    expect(result.disconnect?.reason).toBe('completed');
    expect((await outcome).kind).toBe('registered');
  });

  it('waits for audio that starts after the session was created', async () => {
    const sandbox = await startSandbox();
    const callId = newCallId();
    const states: string[] = [];
    const outcome = clientFor(sandbox).register({
      callId,
      channel: 'socketio',
      onConsumerReady: () => states.push('consumer-ready'),
      onProgress: (p) => states.push(`progress ${p.netSpeechDuration}`),
    });
    await waitFor(() => sandbox.stats().sessionsByState['waiting-consumer'] === 1, 'a waiting session');
    const call = await audiohookCall(sandbox, callId, 'chen-register');
    expect(call.disconnect?.reason).toBe('completed');
    expect((await outcome).kind).toBe('registered');
    expect(states[0]).toBe('consumer-ready');
    // DESIGN: info-vad-status every 0.5 s of net speech.
    const steps = states.slice(1).map((s) => Number(s.split(' ')[1]));
    expect(steps.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1]!);
  });

  it('does not use early audio older than the window', async () => {
    let now = Date.now();
    const sandbox = await startSandbox({
      clock: { now: () => now },
      timeouts: { earlyAudioMs: 10_000, consumerReadyMs: 300 },
    });
    const callId = newCallId();
    await audiohookCall(sandbox, callId, 'alice-register');
    now += 11_000;
    const outcome = await clientFor(sandbox).register({ callId, channel: 'socketio' });
    expect(outcome).toMatchObject({ kind: 'error', code: 'consumer-not-ready' });
  });

  it('keeps early audio bounded per call', async () => {
    const sandbox = await startSandbox({ limits: { earlyAudioSeconds: 2 } });
    await audiohookCall(sandbox, newCallId(), 'alice-register');
    expect(sandbox.stats().earlyAudioSeconds).toBeLessThanOrEqual(2);
    expect(sandbox.stats().earlyAudioSeconds).toBeGreaterThan(1.5);
  });
});

describe('sessions that cannot get their audio', () => {
  it.each(['socketio', 'rest'] as const)(
    '%s: no audio in time is error-consumer-not-ready',
    async (channel) => {
      const sandbox = await startSandbox({ timeouts: { consumerReadyMs: 200 } });
      const outcome = await clientFor(sandbox).register({ callId: newCallId(), channel });
      expect(outcome).toMatchObject({ kind: 'error', code: 'consumer-not-ready' });
      expect(sandbox.stats().liveSessions).toBe(0);
    },
  );

  it('audio that ends before enough net speech is error-audio', async () => {
    const sandbox = await startSandbox();
    const callId = newCallId();
    const outcome = clientFor(sandbox).register({ callId, channel: 'socketio', audioTotalDuration: 5 });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the session');
    const session = await connectAudiohook(audiohookOptions(sandbox, callId));
    await session.stream(framesOf('alice-register').slice(0, 25));
    await session.close('end');
    expectError(await outcome, 'audio', 'ended');
  });

  it('silence never reaches the net speech: error-audio at the session deadline', async () => {
    const sandbox = await startSandbox({ timeouts: { sessionMs: 1500 } });
    const callId = newCallId();
    const outcome = clientFor(sandbox).register({ callId, channel: 'rest' });
    const session = await connectAudiohook(audiohookOptions(sandbox, callId));
    await session.stream(Array.from({ length: 10 }, () => new Uint8Array(800).fill(0xff)));
    expectError(await outcome, 'audio', 'net speech');
    expect((await session.done).disconnect?.reason).toBe('completed');
  });
});

/** The fixture's µ-law decoded to little-endian 16-bit PCM frames (L16), 100 ms each. */
function l16Frames(name: Parameters<typeof voice>[0]): Uint8Array[] {
  const pcm = int16ToPcm16le(decodeMulaw(voice(name).data));
  const format: FrameFormat = { sampleRate: 8000, channels: 1, bytesPerSample: 2 };
  return sliceFrames(pcm, format, 100);
}

describe('declared format against what arrives', () => {
  const L16: MediaParameter = { type: 'audio', format: 'L16', channels: ['external'], rate: 8000 };

  it('L16 offered where mulaw was declared is error-audio', async () => {
    const sandbox = await startSandbox();
    const callId = newCallId();
    const outcome = clientFor(sandbox).register({ callId, channel: 'socketio' });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the session');
    const session = await connectAudiohook(audiohookOptions(sandbox, callId, { media: [L16] }));
    expect(session.selectedMedia?.format).toBe('L16');
    expectError(await outcome, 'audio', 'L16');
    await session.close('end');
  });

  it('L16 declared (codec pcm) and sent is analysed; PCMU and L16 offered, L16 is chosen', async () => {
    const sandbox = await startSandbox();
    const client = clientFor(sandbox, {
      audio: { format: 'raw', codec: 'pcm', sampleFormat: '', sampleRate: 8000, channels: 1 },
    });
    const callId = newCallId();
    const outcome = client.register({ callId, channel: 'rest' });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the session');
    const media = [MONO_EXTERNAL, L16];
    const session = await connectAudiohook(audiohookOptions(sandbox, callId, { media }));
    expect(session.selectedMedia?.format).toBe('L16');
    await session.stream(l16Frames('dora-register'));
    expect((await outcome).kind).toBe('registered');
    expect((await session.done).disconnect?.reason).toBe('completed');
  });

  it('audio over Twilio for a session that declared Audiohook is error-audio', async () => {
    const sandbox = await startSandbox();
    const callId = newCallId();
    const outcome = clientFor(sandbox).register({ callId, channel: 'socketio' });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the session');
    const { TwilioSender } = await import('./helpers.js');
    const twilio = await TwilioSender.connect(sandbox.urls.twilio);
    twilio.minimal.start(callId);
    twilio.streamVoice('alice-register', 'minimal');
    expectError(await outcome, 'audio', 'twilio');
    twilio.ws.close();
  });
});
