import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX } from '../../../src/config/defaults.js';
import { startDaspeakSandbox } from '../../../src/sandbox/daspeak/index.js';
import {
  TwilioSender,
  audiohookCall,
  audiohookOptions,
  clientFor,
  connectAudiohook,
  connectResult,
  newCallId,
  rawSocket,
  restRegister,
  startSandbox,
  stopAll,
  tokenFor,
  waitFor,
} from './helpers.js';

/* Sessions end and are removed; the emulator stops cleanly; several run side by side; bad options. */

afterEach(stopAll);

describe('cleanup', () => {
  it('finished, failed and cancelled sessions are all removed: counts come back to 0', async () => {
    const sandbox = await startSandbox({
      timeouts: { retainMs: 100, earlyAudioMs: 100, consumerReadyMs: 100 },
    });
    const client = clientFor(sandbox);
    const ok = newCallId();
    await Promise.all([
      client.register({ callId: ok, channel: 'rest' }),
      audiohookCall(sandbox, ok, 'alice-register'),
    ]);
    await client.register({ callId: newCallId(), channel: 'socketio' }); // consumer-not-ready
    const cancelled = await restRegister(sandbox, newCallId());
    const { rest } = await import('./helpers.js');
    await rest(sandbox, 'DELETE', `/v1/register_session/${(cancelled.body as { id: string }).id}`);
    await audiohookCall(sandbox, randomUUID(), 'bruno-verify-1'); // audio nobody claimed

    await waitFor(() => {
      const s = sandbox.stats();
      return (
        s.sessions === 0 &&
        s.calls === 0 &&
        s.audioStreams === 0 &&
        s.socketConnections === 0 &&
        s.audiohookSessions === 0
      );
    }, 'every count back to 0');
    expect(sandbox.stats()).toMatchObject({ sessions: 0, liveSessions: 0, earlyAudioSeconds: 0 });
  });

  it('keeps at most maxRetainedSessions finished sessions', async () => {
    const sandbox = await startSandbox({
      limits: { maxRetainedSessions: 2 },
      timeouts: { consumerReadyMs: 50 },
    });
    const client = clientFor(sandbox);
    for (let i = 0; i < 4; i++) await client.register({ callId: newCallId(), channel: 'rest' });
    expect(sandbox.stats().sessions).toBe(2);
  });

  it('an audio stream that never gets a session is ended after orphanStreamMs', async () => {
    const sandbox = await startSandbox({ timeouts: { orphanStreamMs: 100 } });
    const session = await connectAudiohook(audiohookOptions(sandbox, randomUUID()));
    const result = await session.done;
    expect(result.disconnect?.reason).toBe('completed');
    expect(result.disconnect?.info).toContain('no das-Peak session');
  });
});

describe('stop', () => {
  it('ends sessions, Socket.IO, Audiohook and Twilio connections, and closes the port', async () => {
    const sandbox = await startSandbox();
    const client = clientFor(sandbox);
    const waiting = client.register({ callId: newCallId(), channel: 'socketio' });
    const audiohook = await connectAudiohook(audiohookOptions(sandbox, randomUUID()));
    const twilio = await TwilioSender.connect(sandbox.urls.twilio);
    twilio.minimal.start(newCallId());
    await waitFor(
      () => sandbox.stats().liveSessions === 1 && sandbox.stats().audioStreams === 2,
      'everything connected',
    );

    await sandbox.stop();
    expect(await waiting).toMatchObject({ kind: 'error', code: 'connection' });
    expect((await audiohook.done).disconnect).toMatchObject({ reason: 'completed' });
    expect((await twilio.closed).code).toBe(1001);
    expect(sandbox.stats()).toMatchObject({ sessions: 0, audioStreams: 0, socketConnections: 0, tokens: 0 });
    await expect(fetch(`${sandbox.url}/dpsrest/v1/alive`)).rejects.toThrow();
    await sandbox.stop(); // idempotent
  });
});

describe('several emulators in one process', () => {
  it('share nothing: tokens, sessions and voices stay with their emulator', async () => {
    const a = await startSandbox({ credentials: { clientSecret: 'secret-of-a' } });
    const b = await startSandbox();
    expect(a.port).not.toBe(b.port);
    const tokenOfA = await tokenFor(a);
    const socket = rawSocket(b, '/register', { auth: { token: tokenOfA } });
    expect(await connectResult(socket)).toBe('unauthorized');
    socket.disconnect();

    // The same voice registered on both: neither remembers the other's audio, so neither is a replay.
    for (const sandbox of [a, b]) {
      const callId = newCallId();
      const [outcome] = await Promise.all([
        clientFor(sandbox).register({ callId, channel: 'socketio' }),
        audiohookCall(sandbox, callId, 'alice-register'),
      ]);
      expect(outcome.kind).toBe('registered');
    }
  });
});

describe('options', () => {
  it('defaults: the sandbox credentials and paths of src/config/defaults.ts', async () => {
    const sandbox = await startSandbox();
    expect(sandbox.credentials).toMatchObject({
      apiKey: SANDBOX.daspeak.apiKey,
      clientId: SANDBOX.daspeak.clientId,
      audiohookApiKey: SANDBOX.daspeak.audiohookApiKey,
      modelHash: SANDBOX.daspeak.modelHash,
    });
    expect(sandbox.urls).toEqual({
      rest: `${sandbox.url}/dpsrest`,
      socketio: sandbox.url,
      token: `${sandbox.url}/socket.io/oauth2/token`,
      audiohook: `ws://127.0.0.1:${sandbox.port}/audiohook/ws`,
      twilio: `ws://127.0.0.1:${sandbox.port}/twilio/ws`,
    });
  });

  it.each([
    ['a path without a slash', { paths: { audiohook: 'audiohook' } }],
    ['the same path twice', { paths: { audiohook: '/ws', twilio: '/ws' } }],
    ['an item path without {id}', { paths: { restPaths: { registerSessionItem: '/v1/register_session' } } }],
    ['a port out of range', { port: 70000 }],
    ['a negative timeout', { timeouts: { retainMs: -1 } }],
    ['too many workers', { analysisWorkers: 1000 }],
    ['an empty model hash', { credentials: { modelHash: '' } }],
  ])('refuses %s', async (_name, options) => {
    await expect(startDaspeakSandbox(options)).rejects.toMatchObject({ code: 'sandbox.daspeak_bad_options' });
  });

  it('a port in use is sandbox.listen_failed', async () => {
    const first = await startSandbox();
    await expect(startDaspeakSandbox({ port: first.port })).rejects.toMatchObject({
      code: 'sandbox.listen_failed',
    });
  });
});
