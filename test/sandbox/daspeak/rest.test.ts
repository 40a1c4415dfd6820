import { afterEach, describe, expect, it } from 'vitest';
import {
  AudioSettingsResponseSchema,
  ErrorBodySchema,
  SessionCreatedSchema,
  SessionStatusBodySchema,
  check,
  parseRfc1123,
  type SessionStatusBody,
} from '../../../src/daspeak/index.js';
import {
  AUDIO_SETTINGS,
  audiohookOptions,
  clientFor,
  connectAudiohook,
  framesOf,
  newCallId,
  rest,
  restRegister,
  startSandbox,
  stopAll,
  waitFor,
} from './helpers.js';

/* The REST signalling channel: the documented endpoints, the designed ones, and every refusal. */

afterEach(stopAll);

describe('REST channel', () => {
  it('audio settings: 201 with the six fields echoed, an id and an RFC-1123 created_at', async () => {
    const sandbox = await startSandbox();
    const answer = await rest(sandbox, 'POST', '/v1/audio_settings', AUDIO_SETTINGS);
    expect(answer.status).toBe(201);
    expect(check(AudioSettingsResponseSchema, answer.body).ok).toBe(true);
    expect(answer.body).toMatchObject(AUDIO_SETTINGS);
    expect(parseRfc1123((answer.body as { created_at: string }).created_at)).toBeInstanceOf(Date);
  });

  it('a session goes waiting-consumer → consumer-ready/collecting → success, as polling shows', async () => {
    const sandbox = await startSandbox();
    const callId = newCallId();
    const created = await restRegister(sandbox, callId, { audio_total_duration: 5 });
    expect(created.status).toBe(201);
    expect(check(SessionCreatedSchema, created.body).ok).toBe(true);
    expect(created.body).toMatchObject({
      call_id: callId,
      status: 'waiting-consumer',
      audio_total_duration: 5,
    });
    const id = (created.body as { id: string }).id;
    const poll = async () => {
      const answer = await rest(sandbox, 'GET', `/v1/register_session/${id}`);
      expect(answer.status).toBe(200);
      expect(check(SessionStatusBodySchema, answer.body).ok).toBe(true);
      return answer.body as SessionStatusBody;
    };
    expect(await poll()).toMatchObject({ status: 'waiting-consumer', net_speech_duration: 0 });

    const frames = framesOf('alice-register');
    const session = await connectAudiohook(audiohookOptions(sandbox, callId));
    await session.stream(frames.slice(0, 30));
    await waitFor(() => sandbox.stats().sessionsByState.collecting === 1, 'collecting');
    const collecting = await poll();
    expect(collecting.status).toBe('collecting');
    expect(collecting.net_speech_duration).toBeGreaterThan(0);
    expect(collecting.net_speech_duration).toBeLessThan(5);

    await session.stream(frames.slice(30));
    await session.done;
    await waitFor(() => sandbox.stats().sessionsByState.finished === 1, 'finished');
    const done = await poll();
    expect(done).toMatchObject({ status: 'success', result: { model_hash: sandbox.credentials.modelHash } });
    expect(typeof done.result?.credential).toBe('string');
    expect(done.net_speech_duration).toBeGreaterThanOrEqual(5);
  });

  it('DELETE cancels and removes a session; GET after that is 404', async () => {
    const sandbox = await startSandbox();
    const created = await restRegister(sandbox, newCallId());
    const id = (created.body as { id: string }).id;
    expect((await rest(sandbox, 'DELETE', `/v1/register_session/${id}`)).status).toBe(204);
    expect(sandbox.stats().sessions).toBe(0);
    const gone = await rest(sandbox, 'GET', `/v1/register_session/${id}`);
    expect(gone.status).toBe(404);
    expect(check(ErrorBodySchema, gone.body).ok).toBe(true);
    expect((await rest(sandbox, 'DELETE', `/v1/register_session/${id}`)).status).toBe(404);
  });

  it('a register session is not found under the verify path', async () => {
    const sandbox = await startSandbox();
    const created = await restRegister(sandbox, newCallId());
    const id = (created.body as { id: string }).id;
    expect((await rest(sandbox, 'GET', `/v1/verify_session/${id}`)).status).toBe(404);
  });

  it('GET v1/alive answers without an apikey', async () => {
    const sandbox = await startSandbox();
    expect(await rest(sandbox, 'GET', '/v1/alive', undefined, { apiKey: null })).toMatchObject({
      status: 200,
      body: { status: 'alive' },
    });
  });

  it('uses configured paths', async () => {
    const sandbox = await startSandbox({
      paths: {
        rest: '/veridas/api',
        restPaths: { registerSession: '/v2/enrol', registerSessionItem: '/v2/enrol/{id}/state' },
      },
      timeouts: { consumerReadyMs: 200 },
    });
    expect(sandbox.urls.rest).toMatch(/\/veridas\/api$/);
    const client = clientFor(
      sandbox,
      {},
      { restPaths: { registerSession: '/v2/enrol', registerSessionItem: '/v2/enrol/{id}/state' } },
    );
    const outcome = await client.register({ callId: newCallId(), channel: 'rest', audioTotalDuration: 1 });
    expect(outcome).toMatchObject({ kind: 'error', code: 'consumer-not-ready' });
    expect((await rest(sandbox, 'POST', '/v1/register_session', {})).status).toBe(404);
  });
});

describe('REST refusals', () => {
  const register = (sandbox: { credentials: { modelHash: string } }, settingsId: string, extra = {}) => ({
    audio_settings_id: settingsId,
    authenticity_threshold: 0.8,
    audio_total_duration: 3,
    call_id: newCallId(),
    model_hash: sandbox.credentials.modelHash,
    ...extra,
  });

  it('checks the apikey: missing 401, wrong 403', async () => {
    const sandbox = await startSandbox();
    const missing = await rest(sandbox, 'POST', '/v1/audio_settings', AUDIO_SETTINGS, { apiKey: null });
    expect(missing).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    const wrong = await rest(sandbox, 'POST', '/v1/audio_settings', AUDIO_SETTINGS, { apiKey: 'nope' });
    expect(wrong).toMatchObject({ status: 403, body: { code: 'unauthorized' } });
    // The kit client calls both auth failures.
    const client = clientFor(sandbox, { rest: { baseUrl: sandbox.urls.rest, apiKey: 'nope' } });
    expect(await client.register({ callId: newCallId(), channel: 'rest' })).toMatchObject({
      kind: 'error',
      code: 'auth',
    });
  });

  it('garbage JSON, another media type, schema failures and unsupported values are 400/415 error-parameters', async () => {
    const sandbox = await startSandbox();
    const expectRefusal = async (answer: Promise<{ status: number; body: unknown }>, status = 400) => {
      const { status: got, body } = await answer;
      expect(got, JSON.stringify(body)).toBe(status);
      expect(body).toMatchObject({ code: 'error-parameters' });
      expect(typeof (body as { message?: unknown }).message).toBe('string');
    };
    await expectRefusal(
      rest(sandbox, 'POST', '/v1/audio_settings', undefined, { raw: '{"audio_protocol":' }),
    );
    await expectRefusal(
      rest(sandbox, 'POST', '/v1/audio_settings', undefined, {
        raw: 'a=b',
        contentType: 'application/x-www-form-urlencoded',
      }),
      415,
    );
    await expectRefusal(
      rest(sandbox, 'POST', '/v1/audio_settings', { ...AUDIO_SETTINGS, sample_rate: 'fast' }),
    );
    await expectRefusal(
      rest(sandbox, 'POST', '/v1/audio_settings', { ...AUDIO_SETTINGS, audio_protocol: 'sip' }),
    );
    await expectRefusal(
      rest(sandbox, 'POST', '/v1/audio_settings', { ...AUDIO_SETTINGS, audio_codec: 'opus' }),
    );
    await expectRefusal(
      rest(sandbox, 'POST', '/v1/audio_settings', { ...AUDIO_SETTINGS, sample_rate: 16000 }),
    );
    await expectRefusal(rest(sandbox, 'POST', '/v1/audio_settings', { ...AUDIO_SETTINGS, channels: 3 }));
    await expectRefusal(rest(sandbox, 'POST', '/v1/audio_settings', [1, 2, 3]));

    const settings = await rest(sandbox, 'POST', '/v1/audio_settings', AUDIO_SETTINGS);
    const id = (settings.body as { id: string }).id;
    await expectRefusal(rest(sandbox, 'POST', '/v1/register_session', register(sandbox, 'no-such-settings')));
    await expectRefusal(
      rest(sandbox, 'POST', '/v1/register_session', register(sandbox, id, { call_id: '' })),
    );
    await expectRefusal(
      rest(sandbox, 'POST', '/v1/register_session', register(sandbox, id, { model_hash: 'other' })),
    );
    await expectRefusal(
      rest(sandbox, 'POST', '/v1/register_session', register(sandbox, id, { audio_total_duration: 600 })),
    );
    await expectRefusal(rest(sandbox, 'POST', '/v1/verify_session', register(sandbox, id)));
    await expectRefusal(
      rest(
        sandbox,
        'POST',
        '/v1/verify_session',
        register(sandbox, id, { credential: 'AAAA', verification_threshold: 0.5 }),
      ),
    );
    expect(sandbox.stats().sessions).toBe(0);
  });

  it('a tampered credential is refused; the kit outcome is parameters', async () => {
    const sandbox = await startSandbox();
    const client = clientFor(sandbox);
    const callId = newCallId();
    const { audiohookCall } = await import('./helpers.js');
    const [registered] = await Promise.all([
      client.register({ callId, channel: 'rest' }),
      audiohookCall(sandbox, callId, 'chen-register'),
    ]);
    if (registered.kind !== 'registered') throw new Error(JSON.stringify(registered));
    const bytes = Buffer.from(registered.credential, 'base64');
    bytes[20] = bytes[20]! ^ 0x01;
    const outcome = await client.verify({
      callId: newCallId(),
      channel: 'rest',
      credential: bytes.toString('base64'),
    });
    expect(outcome).toMatchObject({ kind: 'error', code: 'parameters', upstreamStatus: 400 });
  });

  it('a duplicate session for a call is 409; more than maxSessions is 503', async () => {
    const sandbox = await startSandbox({ limits: { maxSessions: 2 } });
    const callId = newCallId();
    expect((await restRegister(sandbox, callId)).status).toBe(201);
    expect(await restRegister(sandbox, callId)).toMatchObject({
      status: 409,
      body: { code: 'duplicate-session' },
    });
    expect((await restRegister(sandbox, newCallId())).status).toBe(201);
    expect(await restRegister(sandbox, newCallId())).toMatchObject({
      status: 503,
      body: { code: 'error-das-Peak' },
    });
  });

  it('unknown paths are 404, wrong methods 405, oversize bodies 413', async () => {
    const sandbox = await startSandbox({ limits: { maxBodyBytes: 512 } });
    expect((await rest(sandbox, 'GET', '/v1/nothing')).status).toBe(404);
    expect((await rest(sandbox, 'GET', '/v1/register_session/a/b')).status).toBe(404);
    const wrong = await rest(sandbox, 'GET', '/v1/audio_settings');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await rest(sandbox, 'PUT', '/v1/register_session/x')).status).toBe(405);
    const big = await rest(sandbox, 'POST', '/v1/audio_settings', {
      ...AUDIO_SETTINGS,
      padding: 'x'.repeat(4096),
    });
    expect(big.status).toBe(413);
    const outside = await fetch(`${sandbox.url}/elsewhere`);
    expect(outside.status).toBe(404);
  });
});
