import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RegisterInitializeSchema,
  SERVER_EVENTS,
  check,
  createDaspeakClient,
  createSocketSession,
  createTokenProvider,
  type DaspeakClientOptions,
  type DaspeakConfig,
  type DaspeakOutcome,
  type Progress,
  type SocketSessionStateName,
} from '../../src/daspeak/index.js';
import {
  FakeClock,
  SAMPLE_AUDIO,
  SAMPLE_CREDENTIAL,
  TEST_SECRETS,
  configFor,
  startContractServer,
  type ContractServer,
  type SioContext,
  type SioStep,
} from './contract-server.js';

let server: ContractServer;

beforeEach(async () => {
  server = await startContractServer();
});
afterEach(async () => {
  await server.close();
});

function clientFor(socketio: Partial<DaspeakConfig['socketio']> = {}, options: DaspeakClientOptions = {}) {
  const config = configFor(server);
  return createDaspeakClient({ ...config, socketio: { ...config.socketio, ...socketio } }, options);
}

const ids = (ctx: SioContext) => {
  const callId = (ctx.initialize.metadata as { call_id: string }).call_id;
  return { call_id: callId, session_id: `sio-${callId}` };
};

/** A script: consumer ready, then the given terminal event. */
function endingWith(event: string, payload: Record<string, unknown>, ...rest: unknown[]) {
  return (ctx: SioContext): SioStep[] => [
    { emit: SERVER_EVENTS.consumerReady, args: [ids(ctx)] },
    { emit: event, args: [{ ...ids(ctx), ...payload }, ...rest] },
  ];
}

describe('das-Peak client over Socket.IO', () => {
  it('registers on /socket.io/register: token, initialize, progress, credential and collected audio', async () => {
    const progress: Progress[] = [];
    let ready = 0;
    const client = clientFor();
    const outcome = await client.register({
      callId: 'conv-1',
      channel: 'socketio',
      onProgress: (p) => progress.push(p),
      onConsumerReady: () => (ready += 1),
    });
    expect(outcome).toMatchObject({
      kind: 'registered',
      credential: SAMPLE_CREDENTIAL,
      modelHash: 'test-model-v1',
      authenticity: 0.97,
      collectedAudio: SAMPLE_AUDIO,
      operation: 'register',
      channel: 'socketio',
      callId: 'conv-1',
      sessionId: 'sio-conv-1',
      progress: { netSpeechDuration: 5, audioTotalDuration: 5 },
    });
    expect(outcome.timings.createdAt).toBeDefined();
    expect(outcome.timings.consumerReadyAt).toBeGreaterThanOrEqual(outcome.timings.createdAt!);
    expect(outcome.timings.resultAt).toBeGreaterThanOrEqual(outcome.timings.consumerReadyAt!);
    expect(ready).toBe(1);
    expect(progress.map((p) => p.netSpeechDuration)).toEqual([1.5, 5]);
    expect(server.tokenRequests).toBe(1);
    expect(server.connections).toEqual([
      { namespace: '/socket.io/register', tokenVia: 'auth', accepted: true },
    ]);

    const [init] = server.initializes;
    expect(init?.valid).toBe(true);
    expect(check(RegisterInitializeSchema, init?.payload).ok).toBe(true);
    expect(init?.payload).toEqual({
      metadata: {
        audio_protocol: 'audiohook',
        audio_format: 'raw',
        audio_codec: 'mulaw',
        sample_format: '',
        sample_rate: '8000',
        channels: '1',
        call_id: 'conv-1',
      },
      register_request: { authenticity_threshold: 0.8, audio_total_duration: 5, model_hash: 'test-model-v1' },
    });
  });

  it('registers on the /register spelling and verifies on both verify spellings', async () => {
    const client = clientFor({ registerNamespace: '/register', verifyNamespace: '/verify' });
    expect((await client.register({ callId: 'a', channel: 'socketio' })).kind).toBe('registered');
    const verified = await client.verify({ callId: 'b', channel: 'socketio', credential: SAMPLE_CREDENTIAL });
    expect(verified).toMatchObject({ kind: 'verified', score: 0.91, authenticity: 0.95, threshold: 0.5 });

    const other = clientFor();
    expect(
      (await other.verify({ callId: 'c', channel: 'socketio', credential: SAMPLE_CREDENTIAL })).kind,
    ).toBe('verified');
    expect(server.connections.map((c) => c.namespace)).toEqual(['/register', '/verify', '/socket.io/verify']);
    const verifyInit = server.initializes[1]?.payload as { verify_request: Record<string, unknown> };
    expect(verifyInit.verify_request).toEqual({
      credential: SAMPLE_CREDENTIAL,
      authenticity_threshold: 0.8,
      audio_total_duration: 3,
      model_hash: 'test-model-v1',
      verification_threshold: 0.5,
    });
    // Each client fetched one token and reused it for all its sessions.
    expect(server.tokenRequests).toBe(2);
  });

  it('presents the token as a query parameter or an Authorization header when configured', async () => {
    for (const tokenTransport of ['query', 'header'] as const) {
      const outcome = await clientFor({ tokenTransport }).register({
        callId: tokenTransport,
        channel: 'socketio',
      });
      expect(outcome.kind).toBe('registered');
    }
    expect(server.connections.map((c) => c.tokenVia)).toEqual(['query', 'header']);
  });

  it('can send sample_rate and channels as numbers', async () => {
    await clientFor({}, { initializeNumbersAs: 'number' }).register({ callId: 'n', channel: 'socketio' });
    const metadata = (server.initializes[0]?.payload as { metadata: Record<string, unknown> }).metadata;
    expect(metadata).toMatchObject({ sample_rate: 8000, channels: 1 });
  });

  const verifyCases: [string, (ctx: SioContext) => SioStep[], Partial<DaspeakOutcome>][] = [
    [
      'result-success',
      endingWith(SERVER_EVENTS.success, { score: 0.8, authenticity: 0.9, threshold: 0.6 }),
      { kind: 'verified', score: 0.8, authenticity: 0.9, threshold: 0.6 },
    ],
    [
      'result-fail-score',
      endingWith(SERVER_EVENTS.failScore, { score: 0.1, authenticity: 0.9, threshold: 0.6 }),
      { kind: 'no-match', score: 0.1, threshold: 0.6 },
    ],
    [
      'result-fail-spoof',
      endingWith(SERVER_EVENTS.failSpoof, { authenticity: 0.2, authenticity_threshold: 0.8 }),
      { kind: 'spoof', authenticity: 0.2, threshold: 0.8 },
    ],
    [
      'error-consumer-not-ready',
      (ctx) => [
        {
          emit: SERVER_EVENTS.errorConsumerNotReady,
          args: [{ ...ids(ctx), code: 'no_audio', message: 'no audio within 30 s' }],
        },
      ],
      { kind: 'error', code: 'consumer-not-ready', message: 'no_audio: no audio within 30 s' },
    ],
    [
      'error-parameters',
      endingWith(SERVER_EVENTS.errorParameters, { code: 'bad', message: 'model_hash unknown' }),
      { kind: 'error', code: 'parameters', message: 'bad: model_hash unknown' },
    ],
    [
      'error-audio ({exception,error})',
      endingWith(SERVER_EVENTS.errorAudio, { exception: 'NoAudioException', error: 'No audio input' }),
      { kind: 'error', code: 'audio', message: 'NoAudioException: No audio input' },
    ],
    [
      'error-das-Peak (payload without text)',
      endingWith(SERVER_EVENTS.errorDasPeak, {}),
      { kind: 'error', code: 'das-Peak' },
    ],
    [
      'result-success with a malformed payload',
      endingWith(SERVER_EVENTS.success, { score: 'high' }),
      { kind: 'error', code: 'protocol', kitCode: 'daspeak.bad_response' },
    ],
  ];
  it.each(verifyCases)('maps verify event %s to the outcome union', async (_name, script, expected) => {
    server.sioScript = script;
    const outcome = await clientFor().verify({
      callId: 'v',
      channel: 'socketio',
      credential: SAMPLE_CREDENTIAL,
    });
    expect(outcome).toMatchObject({ ...expected, channel: 'socketio', operation: 'verify' });
    if (outcome.kind === 'error') expect(outcome.message.length).toBeGreaterThan(0);
  });

  it('maps register events, including a spoof and a fail-score that cannot happen', async () => {
    server.sioScript = endingWith(SERVER_EVENTS.failSpoof, { authenticity: 0.1 });
    expect(await clientFor().register({ callId: 'r', channel: 'socketio' })).toMatchObject({
      kind: 'spoof',
      authenticity: 0.1,
    });
    server.sioScript = endingWith(SERVER_EVENTS.failScore, { score: 0.1 });
    expect(await clientFor().register({ callId: 'r', channel: 'socketio' })).toMatchObject({
      kind: 'error',
      code: 'protocol',
    });
  });

  it('encodes a binary collected-audio argument as base64 and works without one', async () => {
    const wav = Buffer.from('RIFF....WAVE');
    server.sioScript = endingWith(SERVER_EVENTS.success, { credential: 'QUJD' }, wav);
    const withAudio = await clientFor().register({ callId: 'b', channel: 'socketio' });
    expect(withAudio).toMatchObject({
      kind: 'registered',
      credential: 'QUJD',
      collectedAudio: wav.toString('base64'),
    });

    server.sioScript = endingWith(SERVER_EVENTS.success, { credential: 'QUJD' });
    const without = await clientFor().register({ callId: 'b', channel: 'socketio' });
    expect(without.kind).toBe('registered');
    expect(without).not.toHaveProperty('collectedAudio');
  });

  it('accepts payloads sent as JSON strings and skips a malformed progress report', async () => {
    server.sioScript = (ctx) => [
      { emit: SERVER_EVENTS.consumerReady, args: [JSON.stringify(ids(ctx))] },
      { emit: SERVER_EVENTS.vadStatus, args: [{ net_speech_duration: 'lots' }] },
      { emit: SERVER_EVENTS.vadStatus, args: [JSON.stringify({ net_speech_duration: 2 })] },
      { emit: SERVER_EVENTS.success, args: [JSON.stringify({ credential: 'QUJD' })] },
    ];
    const progress: Progress[] = [];
    const outcome = await clientFor().register({
      callId: 'j',
      channel: 'socketio',
      onProgress: (p) => progress.push(p),
    });
    expect(outcome).toMatchObject({ kind: 'registered', credential: 'QUJD', sessionId: 'sio-j' });
    expect(progress).toEqual([{ netSpeechDuration: 2 }]);
  });

  it('still succeeds when the server disconnects right after the result', async () => {
    server.sioScript = (ctx) => [
      ...endingWith(SERVER_EVENTS.success, { credential: 'QUJD' })(ctx),
      { disconnect: true },
    ];
    expect((await clientFor().register({ callId: 'd', channel: 'socketio' })).kind).toBe('registered');
  });

  it('fails with a connection error, and does not reconnect, when the server disconnects mid-session', async () => {
    server.sioScript = (ctx) => [
      { emit: SERVER_EVENTS.consumerReady, args: [ids(ctx)] },
      { emit: SERVER_EVENTS.vadStatus, args: [{ ...ids(ctx), net_speech_duration: 1 }] },
      { disconnect: true },
    ];
    const outcome = await clientFor().register({ callId: 'm', channel: 'socketio' });
    expect(outcome).toMatchObject({ kind: 'error', code: 'connection', progress: { netSpeechDuration: 1 } });
    if (outcome.kind === 'error') expect(outcome.message).toMatch(/cannot be resumed/);
    expect(outcome.timings.consumerReadyAt).toBeDefined();
    expect(server.connections).toHaveLength(1);
    expect(server.initializes).toHaveLength(1);
  });

  it('times out at the session deadline when no result comes', async () => {
    server.sioScript = (ctx) => [{ emit: SERVER_EVENTS.consumerReady, args: [ids(ctx)] }];
    const outcome = await clientFor({}, { sessionTimeoutMs: 300 }).register({
      callId: 't',
      channel: 'socketio',
    });
    expect(outcome).toMatchObject({ kind: 'error', code: 'timeout', kitCode: 'daspeak.timeout' });
    expect(outcome.timings.consumerReadyAt).toBeDefined();
  });

  it('gets a new token once when the server refuses the cached one', async () => {
    const client = clientFor();
    expect((await client.register({ callId: 'first', channel: 'socketio' })).kind).toBe('registered');
    server.revokeTokens();
    expect((await client.register({ callId: 'second', channel: 'socketio' })).kind).toBe('registered');
    expect(server.tokenRequests).toBe(2);
    expect(server.connections.map((c) => c.accepted)).toEqual([true, false, true]);
  });

  it('answers auth when the server keeps refusing, after exactly one retry', async () => {
    server.acceptTokens = false;
    const outcome = await clientFor().register({ callId: 'x', channel: 'socketio' });
    expect(outcome).toMatchObject({ kind: 'error', code: 'auth', kitCode: 'daspeak.auth_failed' });
    expect(server.connections).toHaveLength(2);
    expect(server.tokenRequests).toBe(2);
    expect(server.initializes).toHaveLength(0);
  });

  it('treats a WebSocket upgrade refused with HTTP 401 as a refused token', async () => {
    server.refuseHandshake = true;
    const outcome = await clientFor().register({ callId: 'h', channel: 'socketio' });
    expect(outcome).toMatchObject({ kind: 'error', code: 'auth' });
    if (outcome.kind === 'error') expect(outcome.message).toMatch(/401/);
    expect(server.tokenRequests).toBe(2);
  });

  it('answers auth when the auth server refuses the client secret', async () => {
    const config = configFor(server);
    const client = createDaspeakClient({
      ...config,
      auth: { ...config.auth, clientSecret: 'wrong-secret-123' },
    });
    const outcome = await client.register({ callId: 'x', channel: 'socketio' });
    expect(outcome).toMatchObject({ kind: 'error', code: 'auth', upstreamStatus: 401 });
    expect(JSON.stringify(outcome)).not.toContain('wrong-secret-123');
    expect(server.connections).toHaveLength(0);
  });

  it('retries a failed connection a bounded number of times, then answers connection', async () => {
    const clock = new FakeClock();
    const origin = server.origin;
    // Tokens come from the live server; the Socket.IO URL points at a closed port.
    const config = configFor(server);
    const client = createDaspeakClient(
      { ...config, socketio: { ...config.socketio, url: 'http://127.0.0.1:1' } },
      { sleep: clock.sleep, reconnect: { attempts: 3, delayMs: 250 } },
    );
    const outcome = await client.register({ callId: 'r', channel: 'socketio' });
    expect(outcome).toMatchObject({ kind: 'error', code: 'connection' });
    if (outcome.kind === 'error') expect(outcome.message).toMatch(/after 3 attempt/);
    expect(clock.sleeps).toEqual([250, 250]);
    expect(server.origin).toBe(origin);
  });

  it('answers parameters for a Socket.IO URL that is not a URL', async () => {
    const outcome = await clientFor({ url: 'not a url' }).register({ callId: 'u', channel: 'socketio' });
    expect(outcome).toMatchObject({ kind: 'error', code: 'parameters', kitCode: 'daspeak.invalid_request' });
  });

  it('stops when the caller aborts', async () => {
    server.sioScript = (ctx) => [{ emit: SERVER_EVENTS.consumerReady, args: [ids(ctx)] }];
    const controller = new AbortController();
    const outcome = await clientFor().register({
      callId: 'a',
      channel: 'socketio',
      signal: controller.signal,
      onConsumerReady: () => controller.abort(),
    });
    expect(outcome).toMatchObject({ kind: 'error', code: 'aborted' });
  });

  it('walks the session state machine in order', async () => {
    const states: SocketSessionStateName[] = [];
    const config = configFor(server);
    const session = createSocketSession({
      operation: 'register',
      url: server.origin,
      path: '/socket.io',
      namespace: '/socket.io/register',
      tokenTransport: 'auth',
      tokens: createTokenProvider({
        tokenUrl: server.tokenUrl,
        clientId: TEST_SECRETS.clientId,
        clientSecret: TEST_SECRETS.clientSecret,
      }),
      initialize: {
        metadata: {
          audio_protocol: 'audiohook',
          audio_format: config.audio.format,
          audio_codec: config.audio.codec,
          sample_format: '',
          sample_rate: '8000',
          channels: '1',
          call_id: 'sm',
        },
        register_request: { authenticity_threshold: 0.8, audio_total_duration: 5, model_hash: 'm' },
      },
      deadline: Date.now() + 10_000,
      hooks: { onStateChange: (s) => states.push(s.name) },
    });
    const result = await session.run();
    expect(result.report.status).toBe('success');
    expect(states).toEqual(['connecting', 'awaiting-consumer', 'collecting', 'finished']);
    expect(session.state.name).toBe('finished');
    await expect(session.run()).rejects.toMatchObject({ code: 'daspeak.invalid_request' });
  });
});
