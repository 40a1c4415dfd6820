import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { probeAudiohook, runAudiohookSession, signAudiohookRequest } from '../../../src/audiohook/index.js';
import {
  MONO_EXTERNAL,
  ORG,
  STEREO,
  audiohookCall,
  audiohookOptions,
  clientFor,
  connectAudiohook,
  framesOf,
  newCallId,
  startSandbox,
  stopAll,
  textOf,
  waitFor,
} from './helpers.js';
import type { DaspeakSandbox } from '../../../src/sandbox/daspeak/index.js';

/* The Audiohook audio consumer, driven by the kit's Audiohook client as Genesys would (and by hand). */

afterEach(stopAll);

describe('Audiohook authentication', () => {
  it('refuses an unsigned connection, a bad signature and an unknown API key (disconnect unauthorized)', async () => {
    const sandbox = await startSandbox();
    const attempts = [
      audiohookOptions(sandbox, randomUUID(), { clientSecret: '' }),
      audiohookOptions(sandbox, randomUUID(), {
        clientSecret: Buffer.from('another secret entirely!').toString('base64'),
      }),
      audiohookOptions(sandbox, randomUUID(), { apiKey: 'someone-else' }),
    ];
    for (const options of attempts) {
      const result = await runAudiohookSession(options, framesOf('alice-verify-1'));
      expect(result.disconnect?.reason, JSON.stringify(result.errors)).toBe('unauthorized');
      expect(result.audio.frames).toBe(0);
    }
    expect(sandbox.stats().earlyAudioSeconds).toBe(0);
    await waitFor(() => sandbox.stats().audiohookSessions === 0, 'the sessions to end');
  });

  it('with the "request" strategy a bad signature is an HTTP 401 at the upgrade', async () => {
    const sandbox = await startSandbox({ audiohookAuthStrategy: 'request' });
    const result = await runAudiohookSession(
      audiohookOptions(sandbox, randomUUID(), { clientSecret: '' }),
      [],
    );
    expect(result.httpStatus).toBe(401);
  });

  it('answers connection probes', async () => {
    const sandbox = await startSandbox();
    const { conversationId: _unused, ...options } = audiohookOptions(sandbox, randomUUID());
    const result = await probeAudiohook(options);
    expect(result.closedByServer).toBe(true);
    expect(result.disconnect).toBeNull();
    expect(sandbox.stats().calls).toBe(0);
  });
});

describe('Audiohook channel and call_id', () => {
  /** Registers bruno on one call, then verifies a stereo call whose offers are given. */
  async function verifyStereoCall(sandbox: DaspeakSandbox, media: (typeof STEREO)[], audioTotalDuration = 3) {
    const client = clientFor(sandbox);
    const a = newCallId();
    const [registered] = await Promise.all([
      client.register({ callId: a, channel: 'rest' }),
      audiohookCall(sandbox, a, 'bruno-register'),
    ]);
    if (registered.kind !== 'registered') throw new Error(JSON.stringify(registered));
    const b = newCallId();
    const [outcome, call] = await Promise.all([
      // The caller speaks 3.5 s (net) in this call, the agent 2.2 s.
      client.verify({
        callId: b,
        channel: 'socketio',
        credential: registered.credential,
        audioTotalDuration,
      }),
      audiohookCall(sandbox, b, 'call-bruno-agent-stereo', { media }),
    ]);
    return { outcome, call };
  }

  it('takes the caller (external) channel out of a stereo offer', async () => {
    const sandbox = await startSandbox();
    const { outcome, call } = await verifyStereoCall(sandbox, [STEREO]);
    expect(call.selectedMedia).toEqual(STEREO);
    expect(outcome.kind, JSON.stringify(outcome)).toBe('verified');
  });

  it('follows the channel order of the offer: the same bytes labelled the other way are the agent', async () => {
    const sandbox = await startSandbox();
    const swapped = { ...STEREO, channels: ['internal', 'external'] as ('internal' | 'external')[] };
    const { outcome } = await verifyStereoCall(sandbox, [swapped], 2);
    expect(outcome.kind, JSON.stringify(outcome)).toBe('no-match');
  });

  it('prefers the mono caller offer among Genesys’ default offers', async () => {
    const sandbox = await startSandbox();
    const session = await connectAudiohook(audiohookOptions(sandbox, randomUUID(), { media: undefined }));
    expect(session.selectedMedia).toEqual(MONO_EXTERNAL);
    await session.close('end');
  });

  it('takes call_id from customConfig.call_id when present', async () => {
    const sandbox = await startSandbox();
    const callId = 'ivr-call-42';
    const [outcome, call] = await Promise.all([
      clientFor(sandbox).register({ callId, channel: 'socketio' }),
      audiohookCall(sandbox, randomUUID(), 'alice-register', { customConfig: { call_id: callId } }),
    ]);
    expect(outcome.kind).toBe('registered');
    expect(call.disconnect?.reason).toBe('completed');
  });

  it('refuses a second stream for a call that already has one', async () => {
    const sandbox = await startSandbox();
    const callId = randomUUID();
    const first = await connectAudiohook(audiohookOptions(sandbox, callId));
    const second = await runAudiohookSession(audiohookOptions(sandbox, callId), []);
    expect(second.disconnect?.reason).toBe('unauthorized');
    expect(second.disconnect?.info).toContain('already has an audio stream');
    await first.close('end');
  });

  it('a frame over the size limit ends the stream; the call’s session fails with error-audio', async () => {
    const sandbox = await startSandbox({ limits: { maxAudiohookFrameBytes: 4000 } });
    const callId = randomUUID();
    const outcome = clientFor(sandbox).register({ callId, channel: 'socketio' });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the session');
    const session = await connectAudiohook(audiohookOptions(sandbox, callId, { maxFrameBytes: 16_000 }));
    await session.stream([new Uint8Array(8000).fill(0x7f)]);
    const result = await session.done;
    expect(result.disconnect?.reason).toBe('error');
    expect(await outcome).toMatchObject({ kind: 'error', code: 'audio' });
  });
});

describe('Audiohook: hand-made hostile clients', () => {
  async function rawConnect(
    sandbox: DaspeakSandbox,
  ): Promise<{ ws: WebSocket; sessionId: string; messages: Record<string, unknown>[] }> {
    const sessionId = randomUUID();
    const correlationId = randomUUID();
    const url = new URL(sandbox.urls.audiohook);
    const headers = {
      'Audiohook-Organization-Id': ORG,
      'Audiohook-Session-Id': sessionId,
      'Audiohook-Correlation-Id': correlationId,
      'X-API-KEY': sandbox.credentials.audiohookApiKey,
      ...signAudiohookRequest({
        url,
        organizationId: ORG,
        sessionId,
        correlationId,
        apiKey: sandbox.credentials.audiohookApiKey,
        clientSecret: sandbox.credentials.audiohookClientSecret,
      }),
    };
    const ws = new WebSocket(url, { headers });
    ws.on('error', () => undefined);
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (data, isBinary) => {
      if (!isBinary) messages.push(JSON.parse(textOf(data)) as Record<string, unknown>);
    });
    await once(ws, 'open');
    return { ws, sessionId, messages };
  }

  it('garbage JSON and a wrong seq are answered with disconnect error; the emulator keeps serving', async () => {
    const sandbox = await startSandbox();
    const garbage = await rawConnect(sandbox);
    garbage.ws.send('{"version": "2", "type": ');
    await waitFor(() => garbage.messages.some((m) => m.type === 'disconnect'), 'the disconnect');
    expect(garbage.messages.at(-1)).toMatchObject({ type: 'disconnect', parameters: { reason: 'error' } });
    garbage.ws.terminate();

    const skipping = await rawConnect(sandbox);
    const open = {
      version: '2',
      id: skipping.sessionId,
      type: 'open',
      seq: 1,
      serverseq: 0,
      position: 'PT0S',
      parameters: {
        organizationId: ORG,
        conversationId: randomUUID(),
        participant: { id: randomUUID(), ani: '', aniName: '', dnis: '' },
        media: [MONO_EXTERNAL],
      },
    };
    skipping.ws.send(JSON.stringify(open));
    await waitFor(() => skipping.messages.some((m) => m.type === 'opened'), 'opened');
    skipping.ws.send(JSON.stringify({ ...open, type: 'ping', seq: 7, serverseq: 1, parameters: {} }));
    await waitFor(() => skipping.messages.some((m) => m.type === 'disconnect'), 'the disconnect');
    expect(skipping.messages.at(-1)).toMatchObject({ type: 'disconnect', parameters: { reason: 'error' } });
    skipping.ws.terminate();

    await waitFor(
      () => sandbox.stats().audiohookSessions === 0 && sandbox.stats().audioStreams === 0,
      'cleanup',
    );
    const [outcome] = await Promise.all([
      clientFor(sandbox).register({ callId: open.parameters.conversationId, channel: 'rest' }),
      audiohookCall(sandbox, open.parameters.conversationId, 'dora-register'),
    ]);
    expect(outcome.kind).toBe('registered');
  });

  it('an HTTP request to the WebSocket paths is 426; an upgrade elsewhere is 404', async () => {
    const sandbox = await startSandbox();
    expect((await fetch(sandbox.urls.audiohook.replace('ws:', 'http:'))).status).toBe(426);
    const ws = new WebSocket(`ws://127.0.0.1:${sandbox.port}/nowhere`);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(404);
  });
});
