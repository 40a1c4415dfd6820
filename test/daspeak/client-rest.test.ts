import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDaspeakClient,
  type DaspeakClient,
  type DaspeakOutcome,
  type Progress,
  type SessionStatus,
} from '../../src/daspeak/index.js';
import {
  FakeClock,
  SAMPLE_CREDENTIAL,
  configFor,
  startContractServer,
  type ContractServer,
  type StatusStep,
} from './contract-server.js';

let server: ContractServer;
let clock: FakeClock;
let client: DaspeakClient;

beforeEach(async () => {
  server = await startContractServer();
  clock = new FakeClock();
  client = createDaspeakClient(configFor(server), { clock, sleep: clock.sleep });
});
afterEach(async () => {
  await server.close();
});

function ended(status: SessionStatus, extra: Partial<StatusStep> = {}): StatusStep[] {
  return [
    { status: 'consumer-ready' },
    { status: 'collecting', net_speech_duration: 2 },
    { status, ...extra },
  ];
}

describe('das-Peak client over REST', () => {
  it('registers: audio settings, register session, polling, credential', async () => {
    const progress: Progress[] = [];
    let ready = 0;
    const outcome = await client.register({
      callId: 'conv-1',
      channel: 'rest',
      onProgress: (p) => progress.push(p),
      onConsumerReady: () => (ready += 1),
    });
    expect(outcome).toMatchObject({
      kind: 'registered',
      credential: SAMPLE_CREDENTIAL,
      modelHash: 'test-model-v1',
      authenticity: 0.97,
      operation: 'register',
      channel: 'rest',
      callId: 'conv-1',
      progress: { netSpeechDuration: 5, audioTotalDuration: 5 },
    });
    expect(outcome.sessionId).toBe([...server.sessions.keys()][0]);
    const { timings } = outcome;
    expect(timings.createdAt).toBeGreaterThanOrEqual(timings.startedAt);
    expect(timings.consumerReadyAt).toBeGreaterThan(timings.createdAt!);
    expect(timings.resultAt).toBeGreaterThan(timings.consumerReadyAt!);
    expect(ready).toBe(1);
    expect(progress.map((p) => p.netSpeechDuration)).toEqual([0, 1.5, 3, 5]);

    const [settings] = server.requestsTo('POST', '/dpsrest/v1/audio_settings');
    expect(settings?.body).toEqual({
      audio_protocol: 'audiohook',
      audio_format: 'raw',
      audio_codec: 'mulaw',
      sample_format: '',
      sample_rate: 8000,
      channels: 1,
    });
    const [session] = server.requestsTo('POST', '/dpsrest/v1/register_session');
    expect(session?.body).toEqual({
      audio_settings_id: [...server.audioSettings.keys()][0],
      authenticity_threshold: 0.8,
      audio_total_duration: 5,
      call_id: 'conv-1',
      model_hash: 'test-model-v1',
    });
  });

  it('verifies: the credential and thresholds go out, the score comes back', async () => {
    const outcome = await client.verify({
      callId: 'conv-2',
      channel: 'rest',
      credential: SAMPLE_CREDENTIAL,
      verificationThreshold: 0.7,
      audioTotalDuration: 4,
    });
    expect(outcome).toMatchObject({ kind: 'verified', score: 0.91, authenticity: 0.95, threshold: 0.7 });
    expect(server.requestsTo('POST', '/dpsrest/v1/verify_session')[0]?.body).toMatchObject({
      credential: SAMPLE_CREDENTIAL,
      verification_threshold: 0.7,
      audio_total_duration: 4,
      authenticity_threshold: 0.8,
    });
  });

  const cases: [string, 'register' | 'verify', StatusStep[], Partial<DaspeakOutcome>][] = [
    [
      'register success',
      'register',
      ended('success', { result: { credential: 'QUJD', model_hash: 'h', authenticity: 0.9 } }),
      { kind: 'registered', credential: 'QUJD', modelHash: 'h', authenticity: 0.9 },
    ],
    [
      'register fail-spoof',
      'register',
      ended('fail-spoof', { result: { authenticity: 0.3, authenticity_threshold: 0.8 } }),
      { kind: 'spoof', authenticity: 0.3, threshold: 0.8 },
    ],
    [
      'verify success',
      'verify',
      ended('success', { result: { score: 0.8, authenticity: 0.9, threshold: 0.5 } }),
      { kind: 'verified', score: 0.8, authenticity: 0.9, threshold: 0.5 },
    ],
    [
      'verify fail-score',
      'verify',
      ended('fail-score', { result: { score: 0.2, threshold: 0.5 } }),
      { kind: 'no-match', score: 0.2, threshold: 0.5 },
    ],
    ['verify fail-spoof', 'verify', ended('fail-spoof'), { kind: 'spoof' }],
    [
      'error-consumer-not-ready',
      'verify',
      [{ status: 'waiting-consumer' }, { status: 'error-consumer-not-ready' }],
      { kind: 'error', code: 'consumer-not-ready' },
    ],
    [
      'error-parameters with {code,message}',
      'register',
      [{ status: 'error-parameters', error: { code: 'bad_model', message: 'unknown model_hash' } }],
      { kind: 'error', code: 'parameters', message: 'bad_model: unknown model_hash' },
    ],
    [
      'error-audio with {exception,error}',
      'register',
      ended('error-audio', { error: { exception: 'NoAudioException', error: 'No audio input' } }),
      { kind: 'error', code: 'audio', message: 'NoAudioException: No audio input' },
    ],
    ['error-das-Peak', 'verify', ended('error-das-Peak'), { kind: 'error', code: 'das-Peak' }],
    [
      'register success without a credential',
      'register',
      ended('success', { result: {} }),
      { kind: 'error', code: 'protocol' },
    ],
    [
      'fail-score on a registration',
      'register',
      ended('fail-score', { result: { score: 0.1 } }),
      { kind: 'error', code: 'protocol' },
    ],
  ];
  it.each(cases)('maps %s to the outcome union', async (_name, operation, steps, expected) => {
    server.statusScript = () => steps;
    const outcome =
      operation === 'register'
        ? await client.register({ callId: 'c', channel: 'rest' })
        : await client.verify({ callId: 'c', channel: 'rest', credential: SAMPLE_CREDENTIAL });
    expect(outcome).toMatchObject({ ...expected, operation, channel: 'rest' });
    if (outcome.kind === 'error') expect(outcome.message.length).toBeGreaterThan(0);
  });

  it('gives up at the session deadline and cancels the session', async () => {
    server.statusScript = () => [
      { status: 'consumer-ready' },
      { status: 'collecting', net_speech_duration: 1.25 },
    ];
    const impatient = createDaspeakClient(
      configFor(server, { timeouts: { sessionSeconds: 5, pollIntervalMs: 1000 } }),
      {
        clock,
        sleep: clock.sleep,
      },
    );
    const outcome = await impatient.register({ callId: 'slow', channel: 'rest' });
    expect(outcome).toMatchObject({ kind: 'error', code: 'timeout', kitCode: 'daspeak.timeout' });
    expect(outcome.progress).toEqual({ netSpeechDuration: 1.25, audioTotalDuration: 5 });
    expect(outcome.timings.consumerReadyAt).toBeDefined();
    expect(server.sessions.get(outcome.sessionId!)?.cancelled).toBe(true);
  });

  it('cancels the session when the caller aborts', async () => {
    server.statusScript = () => [{ status: 'waiting-consumer' }];
    const controller = new AbortController();
    const outcome = await client.register({
      callId: 'abort-me',
      channel: 'rest',
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(outcome).toMatchObject({ kind: 'error', code: 'aborted' });
    expect(server.sessions.get(outcome.sessionId!)?.cancelled).toBe(true);
  });

  it('turns HTTP errors on creation into error outcomes, in both body shapes', async () => {
    server.restOverride = (req) =>
      req.path.endsWith('/register_session')
        ? { status: 400, json: { code: 'error-parameters', message: 'audio_total_duration too long' } }
        : undefined;
    expect(await client.register({ callId: 'c', channel: 'rest' })).toMatchObject({
      kind: 'error',
      code: 'parameters',
      upstreamStatus: 400,
      kitCode: 'daspeak.http_error',
    });

    server.restOverride = (req) =>
      req.path.endsWith('/audio_settings')
        ? { status: 500, json: { exception: 'InternalError', error: 'model store unavailable' } }
        : undefined;
    const outcome = await client.register({ callId: 'c', channel: 'rest' });
    expect(outcome).toMatchObject({ kind: 'error', code: 'das-Peak', upstreamStatus: 500 });
    if (outcome.kind === 'error') expect(outcome.message).toContain('model store unavailable');
  });

  it('turns a refused API key into an auth outcome', async () => {
    const wrong = createDaspeakClient(
      configFor(server, { rest: { baseUrl: server.restBase, apiKey: 'nope-nope' } }),
      {
        clock,
        sleep: clock.sleep,
      },
    );
    expect(await wrong.register({ callId: 'c', channel: 'rest' })).toMatchObject({
      kind: 'error',
      code: 'auth',
      upstreamStatus: 401,
    });
  });

  it('turns bad JSON or wrong types while polling into a protocol outcome', async () => {
    server.restOverride = (req) => (req.method === 'GET' ? { status: 200, raw: 'not json' } : undefined);
    expect(await client.register({ callId: 'c', channel: 'rest' })).toMatchObject({
      kind: 'error',
      code: 'protocol',
      kitCode: 'daspeak.bad_response',
    });
    server.restOverride = (req) =>
      req.method === 'GET'
        ? {
            status: 200,
            json: { id: 'x', status: 'success', net_speech_duration: 'five', audio_total_duration: 5 },
          }
        : undefined;
    expect(await client.register({ callId: 'c', channel: 'rest' })).toMatchObject({
      kind: 'error',
      code: 'protocol',
    });
  });

  it('answers bad input with a parameters outcome and never calls the service', async () => {
    const outcomes = [
      await client.register({ callId: '', channel: 'rest' }),
      await client.register({ callId: 'c', channel: 'carrier-pigeon' as 'rest' }),
      await client.verify({ callId: 'c', channel: 'rest', credential: '' }),
      await client.register(undefined as unknown as { callId: string; channel: 'rest' }),
      await client.register({ callId: 'c', channel: 'rest', authenticityThreshold: 7 }),
    ];
    for (const outcome of outcomes) expect(outcome).toMatchObject({ kind: 'error', code: 'parameters' });
    // Only the out-of-range threshold got as far as the audio settings; no session was created.
    expect(server.requestsTo('POST', '/dpsrest/v1/register_session')).toHaveLength(0);
    expect(server.sessions.size).toBe(0);
  });

  it('survives a progress callback that throws', async () => {
    const outcome = await client.register({
      callId: 'c',
      channel: 'rest',
      onProgress: () => {
        throw new Error('UI bug');
      },
    });
    expect(outcome.kind).toBe('registered');
  });
});
