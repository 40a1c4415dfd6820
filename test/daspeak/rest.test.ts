import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRestClient,
  isDaspeakError,
  parseRfc1123,
  pollSession,
  type AudioSettingsRequest,
  type DaspeakError,
  type Progress,
  type RestClient,
} from '../../src/daspeak/index.js';
import { FakeClock, TEST_SECRETS, startContractServer, type ContractServer } from './contract-server.js';

let server: ContractServer;
let rest: RestClient;

const SETTINGS: AudioSettingsRequest = {
  audio_protocol: 'audiohook',
  audio_format: 'raw',
  audio_codec: 'mulaw',
  sample_format: '',
  sample_rate: 8000,
  channels: 1,
};

beforeEach(async () => {
  server = await startContractServer();
  rest = createRestClient({ baseUrl: server.restBase, apiKey: TEST_SECRETS.apiKey });
});
afterEach(async () => {
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<DaspeakError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDaspeakError(err)) throw new Error(`expected a DaspeakError, got ${String(err)}`);
  return err;
}

async function registerSession(callId = 'call-1') {
  const settings = await rest.createAudioSettings(SETTINGS);
  return rest.createRegisterSession({
    audio_settings_id: settings.id,
    authenticity_threshold: 0.8,
    audio_total_duration: 5,
    call_id: callId,
    model_hash: 'm1',
  });
}

describe('das-Peak REST client', () => {
  it('creates audio settings with the apikey header and reads the 201 answer', async () => {
    const created = await rest.createAudioSettings(SETTINGS);
    expect(created).toMatchObject(SETTINGS);
    expect(parseRfc1123(created.created_at)).toBeInstanceOf(Date);
    const [sent] = server.requestsTo('POST', '/dpsrest/v1/audio_settings');
    expect(sent?.headers.apikey).toBe(TEST_SECRETS.apiKey);
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers.accept).toBe('application/json');
    expect(sent?.body).toEqual(SETTINGS);
  });

  it('creates register and verify sessions and reads their status', async () => {
    const session = await registerSession();
    expect(session.status).toBe('waiting-consumer');
    expect(session.call_id).toBe('call-1');
    const status = await rest.getSession('register', session.id);
    expect(status).toMatchObject({ id: session.id, status: 'waiting-consumer', audio_total_duration: 5 });

    const settings = await rest.createAudioSettings(SETTINGS);
    const verify = await rest.createVerifySession({
      audio_settings_id: settings.id,
      authenticity_threshold: 0.8,
      audio_total_duration: 3,
      call_id: 'call-2',
      model_hash: 'm1',
      credential: 'Y3JlZA==',
      verification_threshold: 0.6,
    });
    expect(server.requestsTo('POST', '/dpsrest/v1/verify_session')[0]?.body).toMatchObject({
      credential: 'Y3JlZA==',
      verification_threshold: 0.6,
    });
    expect((await rest.getSession('verify', verify.id)).id).toBe(verify.id);
  });

  it('cancels a session with DELETE', async () => {
    const session = await registerSession();
    await rest.cancelSession('register', session.id);
    expect(server.sessions.get(session.id)?.cancelled).toBe(true);
  });

  it('uses overridden paths', async () => {
    server.restOverride = (req) =>
      req.path === '/dpsrest/v2/settings'
        ? { status: 201, json: { ...SETTINGS, id: 'a1', created_at: 'Wed, 17 May 2023 09:25:24 GMT' } }
        : undefined;
    const custom = createRestClient({
      baseUrl: `${server.restBase}/`,
      apiKey: TEST_SECRETS.apiKey,
      paths: { audioSettings: '/v2/settings' },
    });
    expect((await custom.createAudioSettings(SETTINGS)).id).toBe('a1');
  });

  it('reports a refused API key as auth_failed, without the key', async () => {
    const wrongKey = 'wrong-key-value-999';
    const client = createRestClient({ baseUrl: server.restBase, apiKey: wrongKey });
    const err = await failure(client.createAudioSettings(SETTINGS));
    expect(err.code).toBe('daspeak.auth_failed');
    expect(err.upstreamStatus).toBe(401);
    expect(err.serverCode).toBe('unauthorized');
    expect(err.hint).toMatch(/DASPEAK_API_KEY/);
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain(wrongKey);
  });

  it('reads both error body shapes', async () => {
    server.restOverride = () => ({
      status: 400,
      json: { code: 'error-parameters', message: 'bad sample_rate' },
    });
    const a = await failure(rest.createAudioSettings(SETTINGS));
    expect(a).toMatchObject({
      code: 'daspeak.http_error',
      upstreamStatus: 400,
      serverCode: 'error-parameters',
      serverMessage: 'bad sample_rate',
    });
    expect(a.message).toContain('HTTP 400');

    server.restOverride = () => ({
      status: 500,
      json: { exception: 'NoAudioException', error: 'No audio input' },
    });
    const b = await failure(rest.createAudioSettings(SETTINGS));
    expect(b).toMatchObject({
      upstreamStatus: 500,
      serverCode: 'NoAudioException',
      serverMessage: 'No audio input',
    });

    server.restOverride = () => ({ status: 502, raw: 'Bad Gateway' });
    const c = await failure(rest.createAudioSettings(SETTINGS));
    expect(c).toMatchObject({ code: 'daspeak.http_error', upstreamStatus: 502, bodyExcerpt: 'Bad Gateway' });
    expect(c.serverCode).toBeUndefined();
  });

  it('turns a 404 on an unknown session into http_error', async () => {
    const err = await failure(rest.getSession('register', 'no-such-session'));
    expect(err).toMatchObject({ code: 'daspeak.http_error', upstreamStatus: 404, serverCode: 'not_found' });
  });

  it('calls bad JSON and wrong types bad_response', async () => {
    const session = await registerSession();
    server.restOverride = (req) =>
      req.method === 'GET' ? { status: 200, raw: '{"id": "x", "status": ' } : undefined;
    expect((await failure(rest.getSession('register', session.id))).code).toBe('daspeak.bad_response');

    server.restOverride = (req) =>
      req.method === 'GET'
        ? {
            status: 200,
            json: { id: 42, status: 'collecting', net_speech_duration: 1, audio_total_duration: 5 },
          }
        : undefined;
    const wrongType = await failure(rest.getSession('register', session.id));
    expect(wrongType.code).toBe('daspeak.bad_response');
    expect(wrongType.message).toMatch(/\/id/);

    server.restOverride = (req) =>
      req.method === 'GET'
        ? {
            status: 200,
            json: { id: 'x', status: 'queued', net_speech_duration: 1, audio_total_duration: 5 },
          }
        : undefined;
    expect((await failure(rest.getSession('register', session.id))).code).toBe('daspeak.bad_response');

    server.restOverride = () => ({
      status: 201,
      json: { ...SETTINGS, id: 'a', created_at: '2023-05-17T09:25:24Z' },
    });
    expect((await failure(rest.createAudioSettings(SETTINGS))).code).toBe('daspeak.bad_response');

    server.restOverride = () => ({ status: 201, raw: '' });
    expect((await failure(rest.createAudioSettings(SETTINGS))).code).toBe('daspeak.bad_response');
  });

  it('ignores unknown response properties', async () => {
    const session = await registerSession();
    server.restOverride = (req) =>
      req.method === 'GET'
        ? {
            status: 200,
            json: {
              id: session.id,
              status: 'collecting',
              net_speech_duration: 1,
              audio_total_duration: 5,
              region: 'eu',
              result: { future_field: [1, 2] },
            },
          }
        : undefined;
    expect((await rest.getSession('register', session.id)).status).toBe('collecting');
  });

  it('refuses bad input before anything reaches the service', async () => {
    const err = await failure(
      rest.createRegisterSession({
        audio_settings_id: 'a',
        authenticity_threshold: 1.5,
        audio_total_duration: 5,
        call_id: '',
        model_hash: 'm',
      }),
    );
    expect(err.code).toBe('daspeak.invalid_request');
    expect(err.status).toBe(400);
    expect((await failure(rest.getSession('register', ''))).code).toBe('daspeak.invalid_request');
    expect(server.requests).toHaveLength(0);
  });

  it('reports an unreachable service as a connection error', async () => {
    const client = createRestClient({ baseUrl: 'http://127.0.0.1:1/dpsrest', apiKey: TEST_SECRETS.apiKey });
    const err = await failure(client.createAudioSettings(SETTINGS));
    expect(err.code).toBe('daspeak.connection');
    expect(err.message).toContain('127.0.0.1:1');
  });

  it('times a request out', async () => {
    server.hangRest = true;
    const slow = createRestClient({ baseUrl: server.restBase, apiKey: TEST_SECRETS.apiKey, timeoutMs: 50 });
    const err = await failure(slow.createAudioSettings(SETTINGS));
    expect(err.code).toBe('daspeak.timeout');
    expect(err.status).toBe(504);
  });
});

describe('das-Peak REST poller', () => {
  it('polls until a terminal status and reports progress and consumer readiness', async () => {
    const clock = new FakeClock();
    const session = await registerSession();
    const progress: Progress[] = [];
    let ready = 0;
    const polled = await pollSession(rest, 'register', session.id, {
      intervalMs: 500,
      deadline: clock.now() + 60_000,
      clock,
      sleep: clock.sleep,
      onProgress: (p) => progress.push(p),
      onConsumerReady: () => (ready += 1),
    });
    expect(polled.final.status).toBe('success');
    expect(polled.final.result?.credential).toBeTruthy();
    expect(ready).toBe(1);
    expect(polled.consumerReadyAt).toBe(clock.now() - 4 * 500);
    expect(progress.map((p) => p.netSpeechDuration)).toEqual([0, 1.5, 3, 5]);
    expect(clock.sleeps).toEqual([500, 500, 500, 500, 500]);
  });

  it('keeps the interval within bounds', async () => {
    const clock = new FakeClock();
    const session = await registerSession();
    await pollSession(rest, 'register', session.id, {
      intervalMs: 1,
      deadline: clock.now() + 60_000,
      clock,
      sleep: clock.sleep,
    });
    expect(new Set(clock.sleeps)).toEqual(new Set([100]));
  });

  it('stops at the deadline with a timeout naming the last status', async () => {
    const clock = new FakeClock();
    server.statusScript = () => [{ status: 'collecting', net_speech_duration: 1 }];
    const session = await registerSession();
    const err = await failure(
      pollSession(rest, 'register', session.id, {
        intervalMs: 1000,
        deadline: clock.now() + 3500,
        clock,
        sleep: clock.sleep,
      }),
    );
    expect(err.code).toBe('daspeak.timeout');
    expect(err.message).toContain('collecting');
    expect(clock.sleeps).toEqual([1000, 1000, 1000, 500]);
    expect(server.sessions.get(session.id)?.polls).toBe(4);
  });

  it('retries a failing poll that may be temporary, but not a refused key', async () => {
    const clock = new FakeClock();
    const session = await registerSession();
    let failures = 2;
    server.restOverride = (req) =>
      req.method === 'GET' && failures-- > 0
        ? { status: 503, json: { code: 'busy', message: 'try later' } }
        : undefined;
    const polled = await pollSession(rest, 'register', session.id, {
      intervalMs: 100,
      deadline: clock.now() + 60_000,
      clock,
      sleep: clock.sleep,
    });
    expect(polled.final.status).toBe('success');

    server.restOverride = (req) =>
      req.method === 'GET' ? { status: 403, json: { code: 'forbidden', message: 'key revoked' } } : undefined;
    const err = await failure(
      pollSession(rest, 'register', session.id, {
        intervalMs: 100,
        deadline: clock.now() + 60_000,
        clock,
        sleep: clock.sleep,
      }),
    );
    expect(err.code).toBe('daspeak.auth_failed');
  });

  it('stops when the caller aborts', async () => {
    const clock = new FakeClock();
    server.statusScript = () => [{ status: 'waiting-consumer' }];
    const session = await registerSession();
    const controller = new AbortController();
    const err = await failure(
      pollSession(rest, 'register', session.id, {
        intervalMs: 100,
        deadline: clock.now() + 60_000,
        clock,
        sleep: async (ms, signal) => {
          controller.abort();
          await clock.sleep(ms, signal);
        },
        signal: controller.signal,
      }),
    );
    expect(err.code).toBe('daspeak.aborted');
  });
});
