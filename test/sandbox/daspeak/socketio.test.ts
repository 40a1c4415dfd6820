import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  ConsumerReadyPayloadSchema,
  ErrorEventPayloadSchema,
  RegisterSuccessPayloadSchema,
  VadStatusPayloadSchema,
  check,
} from '../../../src/daspeak/index.js';
import {
  audiohookCall,
  clientFor,
  connectResult,
  newCallId,
  nextEvent,
  rawSocket,
  recordEvents,
  startSandbox,
  stopAll,
  tokenFor,
  waitFor,
  expectError,
} from './helpers.js';

/* The Socket.IO signalling channel: namespaces, `initialize`, the designed events, and abuse. */

afterEach(stopAll);

const metadata = (callId: string, extra: Record<string, unknown> = {}) => ({
  audio_protocol: 'audiohook',
  audio_format: 'raw',
  audio_codec: 'mulaw',
  sample_format: '',
  sample_rate: '8000',
  channels: '1',
  call_id: callId,
  ...extra,
});

const registerRequest = (modelHash: string, extra: Record<string, unknown> = {}) => ({
  authenticity_threshold: 0.8,
  audio_total_duration: 3,
  model_hash: modelHash,
  ...extra,
});

describe('Socket.IO channel', () => {
  it('emits the designed events in order on the short namespace spellings, then disconnects', async () => {
    const sandbox = await startSandbox();
    const socket = rawSocket(sandbox, '/register', { auth: { token: await tokenFor(sandbox) } });
    expect(await connectResult(socket)).toBe('connected');
    const { events, disconnected } = recordEvents(socket);
    const callId = newCallId();
    // Numbers as numbers here (REST style); the kit client sends strings.
    socket.emit('initialize', {
      metadata: metadata(callId, { sample_rate: 8000, channels: 1 }),
      register_request: registerRequest(sandbox.credentials.modelHash),
    });
    await audiohookCall(sandbox, callId, 'alice-register');
    expect(await disconnected).toBe('io server disconnect');

    const names = events.map((e) => e.name);
    expect(names[0]).toBe('info-consumer-ready');
    expect(names.at(-1)).toBe('result-success');
    expect(names.slice(1, -1).every((n) => n === 'info-vad-status')).toBe(true);
    expect(check(ConsumerReadyPayloadSchema, events[0]!.args[0]).ok).toBe(true);
    expect(events[0]!.args[0]).toMatchObject({ call_id: callId });
    expect(typeof (events[0]!.args[0] as { session_id?: unknown }).session_id).toBe('string');
    const vad = events.slice(1, -1).map((e) => e.args[0] as { net_speech_duration: number });
    for (const v of vad) expect(check(VadStatusPayloadSchema, v).ok).toBe(true);
    expect(vad.map((v) => Math.floor(v.net_speech_duration * 2))).toEqual([1, 2, 3, 4, 5, 6]);
    const [result, audio] = events.at(-1)!.args;
    expect(check(RegisterSuccessPayloadSchema, result).ok).toBe(true);
    expect(typeof audio).toBe('string');
  });

  it('the kit client works on every namespace spelling and with each token transport', async () => {
    const sandbox = await startSandbox({ faults: { forcedOutcome: 'error-das-Peak' } });
    for (const [registerNamespace, tokenTransport] of [
      ['/register', 'query'],
      ['/socket.io/register', 'header'],
    ] as const) {
      const client = clientFor(sandbox, {
        socketio: { ...sandbox.daspeakConfig().socketio, registerNamespace, tokenTransport },
      });
      const callId = newCallId();
      const [outcome] = await Promise.all([
        client.register({ callId, channel: 'socketio', audioTotalDuration: 3 }),
        audiohookCall(sandbox, callId, 'bruno-verify-1'),
      ]);
      // Forced, so the replayed fixture does not matter: the path through the namespace does.
      expect(outcome).toMatchObject({ kind: 'error', code: 'das-Peak' });
    }
  });

  it('/alive answers `alive` and disconnects, without a token', async () => {
    const sandbox = await startSandbox();
    const socket = rawSocket(sandbox, '/alive');
    expect(await connectResult(socket)).toBe('connected');
    const disconnected = nextEvent(socket, 'disconnect');
    const answer: unknown = await socket.emitWithAck('alive');
    expect(answer).toBe('alive');
    await disconnected;
  });

  it('an invalid initialize is error-parameters, then a disconnect', async () => {
    const sandbox = await startSandbox();
    const token = await tokenFor(sandbox);
    const bad: unknown[] = [
      'not an object',
      { metadata: metadata(newCallId()) },
      {
        metadata: metadata(newCallId(), { audio_codec: 'opus' }),
        register_request: registerRequest(sandbox.credentials.modelHash),
      },
      {
        metadata: metadata(newCallId(), { sample_rate: '16000' }),
        register_request: registerRequest(sandbox.credentials.modelHash),
      },
      { metadata: metadata(newCallId()), register_request: registerRequest('another-model') },
      {
        metadata: metadata(newCallId()),
        register_request: registerRequest(sandbox.credentials.modelHash, { audio_total_duration: 0 }),
      },
      {
        metadata: metadata(newCallId()),
        register_request: registerRequest(sandbox.credentials.modelHash, { authenticity_threshold: 2 }),
      },
    ];
    for (const payload of bad) {
      const socket = rawSocket(sandbox, '/socket.io/register', { auth: { token } });
      await connectResult(socket);
      const { events, disconnected } = recordEvents(socket);
      socket.emit('initialize', payload);
      await disconnected;
      expect(
        events.map((e) => e.name),
        JSON.stringify(payload),
      ).toEqual(['error-parameters']);
      expect(check(ErrorEventPayloadSchema, events[0]!.args[0]).ok).toBe(true);
    }
    expect(sandbox.stats().sessions).toBe(0);
  });

  it('a verify with a tampered credential is error-parameters (kit outcome: parameters)', async () => {
    const sandbox = await startSandbox();
    const client = clientFor(sandbox);
    const forged = Buffer.from('DPSB not a real credential at all').toString('base64');
    const outcome = await client.verify({ callId: newCallId(), channel: 'socketio', credential: forged });
    expectError(outcome, 'parameters', 'credential');
  });

  it('a second initialize on one connection cancels its session', async () => {
    const sandbox = await startSandbox();
    const socket = rawSocket(sandbox, '/register', { auth: { token: await tokenFor(sandbox) } });
    await connectResult(socket);
    const { events, disconnected } = recordEvents(socket);
    const payload = {
      metadata: metadata(newCallId()),
      register_request: registerRequest(sandbox.credentials.modelHash),
    };
    socket.emit('initialize', payload);
    socket.emit('initialize', payload);
    await disconnected;
    expect(events.at(-1)).toMatchObject({
      name: 'error-parameters',
      args: [{ code: 'duplicate-initialize' }],
    });
    expect(sandbox.stats().sessions).toBe(0);
  });

  it('a duplicate session for the same call is error-parameters; the first keeps going', async () => {
    const sandbox = await startSandbox();
    const token = await tokenFor(sandbox);
    const callId = newCallId();
    const payload = {
      metadata: metadata(callId),
      register_request: registerRequest(sandbox.credentials.modelHash),
    };
    const first = rawSocket(sandbox, '/register', { auth: { token } });
    await connectResult(first);
    first.emit('initialize', payload);
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the first session');
    const second = rawSocket(sandbox, '/register', { auth: { token } });
    await connectResult(second);
    const { events, disconnected } = recordEvents(second);
    second.emit('initialize', payload);
    await disconnected;
    expect(events).toMatchObject([
      { name: 'error-parameters', args: [{ code: 'duplicate-session', call_id: callId }] },
    ]);
    expect(sandbox.stats().liveSessions).toBe(1);
    first.disconnect();
  });

  it('more sessions than the limit: error-das-Peak', async () => {
    const sandbox = await startSandbox({ limits: { maxSessions: 1 } });
    const token = await tokenFor(sandbox);
    const first = rawSocket(sandbox, '/register', { auth: { token } });
    await connectResult(first);
    first.emit('initialize', {
      metadata: metadata(newCallId()),
      register_request: registerRequest(sandbox.credentials.modelHash),
    });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the first session');
    const client = clientFor(sandbox);
    const outcome = await client.register({ callId: newCallId(), channel: 'socketio' });
    expectError(outcome, 'das-Peak', 'at most 1');
    first.disconnect();
  });

  it('a connection that never sends initialize is dropped; one that leaves cancels its session', async () => {
    const sandbox = await startSandbox({ timeouts: { initializeMs: 100 } });
    const token = await tokenFor(sandbox);
    const idle = rawSocket(sandbox, '/register', { auth: { token } });
    await connectResult(idle);
    expect((await nextEvent(idle, 'disconnect'))[0]).toBe('io server disconnect');

    const leaving = rawSocket(sandbox, '/verify', { auth: { token } });
    await connectResult(leaving);
    leaving.emit('initialize', {
      metadata: metadata(newCallId()),
      register_request: registerRequest(sandbox.credentials.modelHash),
    });
    await waitFor(() => sandbox.stats().socketConnections === 1, 'the connection');
    // A register payload on the verify namespace is not a verify initialize.
    await waitFor(() => sandbox.stats().socketConnections === 0, 'the refusal');

    const going = rawSocket(sandbox, '/socket.io/register', { auth: { token } });
    await connectResult(going);
    going.emit('initialize', {
      metadata: metadata(newCallId()),
      register_request: registerRequest(sandbox.credentials.modelHash),
    });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the session');
    going.disconnect();
    await waitFor(() => sandbox.stats().sessions === 0, 'the session to be cancelled');
  });

  it('garbage on the Engine.IO WebSocket closes that socket only', async () => {
    const sandbox = await startSandbox();
    const ws = new WebSocket(`ws://127.0.0.1:${sandbox.port}/socket.io/?EIO=4&transport=websocket`);
    ws.on('error', () => undefined);
    await once(ws, 'open');
    ws.send('this is not an engine.io packet');
    ws.send(Buffer.alloc(2048, 0xff));
    await once(ws, 'close');
    const socket = rawSocket(sandbox, '/alive');
    expect(await connectResult(socket)).toBe('connected');
    socket.disconnect();
  });

  it('an Engine.IO message over the size limit closes the socket', async () => {
    const sandbox = await startSandbox({ limits: { maxSocketMessageBytes: 1024 } });
    const socket = rawSocket(sandbox, '/register', { auth: { token: await tokenFor(sandbox) } });
    await connectResult(socket);
    const gone = nextEvent(socket, 'disconnect');
    socket.emit('initialize', { metadata: metadata('x'.repeat(4096)) });
    expect((await gone)[0]).toBe('transport close');
    expect(sandbox.stats().sessions).toBe(0);
  });
});
