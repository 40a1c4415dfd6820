import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KitConfig } from '../../src/config/schema.js';
import { createRestClient, createTokenProvider, type RestClient } from '../../src/daspeak/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { openStore } from '../../src/store/index.js';
import { speak, startServices, type Services } from '../flows/data-actions/helpers.js';
import { useTmpDir } from '../helpers/tmp.js';

/*
 * The IVR's credential-bearing steps run in the backend (src/server/routes/ivr-sessions.ts), so no
 * Genesys flow or data action holds a credential: against the das-Peak emulator with a real call's
 * audio on Audiohook, and through the failures a flow must be able to tell apart.
 */

const tmp = useTmpDir();
let s: Services;
let daspeak: RestClient;
const extra: RunningServer[] = [];

beforeAll(async () => {
  s = await startServices(tmp(), { url: 'http://127.0.0.1:9' });
  daspeak = createRestClient({
    baseUrl: s.config.daspeak.rest.baseUrl,
    apiKey: s.config.daspeak.rest.apiKey,
  });
}, 60_000);
afterAll(async () => {
  for (const b of extra) await b.close();
  await s?.stop();
});

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  apiKey: string | null = s.config.backend.apiKeys[0]!,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(new URL(path.replace(/^\//, ''), base), {
    method,
    headers: {
      ...(apiKey ? { 'X-API-Key': apiKey } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: res.headers,
  };
}

const audio = () =>
  daspeak.createAudioSettings({
    audio_protocol: 'audiohook',
    audio_format: s.config.daspeak.audio.format,
    audio_codec: s.config.daspeak.audio.codec,
    sample_format: s.config.daspeak.audio.sampleFormat,
    sample_rate: s.config.daspeak.audio.sampleRate,
    channels: s.config.daspeak.audio.channels,
  });

async function registerSession(conversationId: string) {
  const settings = await audio();
  return daspeak.createRegisterSession({
    audio_settings_id: settings.id,
    authenticity_threshold: s.config.daspeak.authenticityThreshold,
    audio_total_duration: s.config.daspeak.audioTotalDuration.register,
    call_id: conversationId,
    model_hash: s.config.daspeak.modelHash,
  });
}

async function finished(sessionId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const r = await call(s.backend.url, 'GET', `/api/v1/ivr/register-sessions/${sessionId}`);
    expect(r.status).toBe(200);
    if (!['waiting-consumer', 'consumer-ready', 'collecting', 'processing'].includes(r.body.status as string))
      return r.body;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error('the session did not end');
}

describe('IVR session routes of the backend', () => {
  it('registration: status without the credential, the credential stored from das-Peak, a verify session made with it', async () => {
    const ani = '+34600000301';
    const conversationId = randomUUID();
    const session = await registerSession(conversationId);
    const line = await speak(s.config, conversationId, 'alice-register.wav');
    let status: Record<string, unknown>;
    try {
      status = await finished(session.id);
    } finally {
      await line.hangUp();
    }
    expect(status).toEqual({
      sessionId: session.id,
      status: 'success',
      netSpeechDuration: expect.any(Number) as number,
      audioTotalDuration: s.config.daspeak.audioTotalDuration.register,
      errorCode: '',
      errorMessage: '',
    });
    const fromDaspeak = (await daspeak.getSession('register', session.id)).result!.credential!;
    expect(fromDaspeak.length).toBeGreaterThan(16);

    const stored = await call(
      s.backend.url,
      'POST',
      `/api/v1/ivr/credentials/${encodeURIComponent(`tel:${ani}`)}/registration?conversationId=${conversationId}`,
      {
        sessionId: session.id,
      },
    );
    expect(stored).toMatchObject({
      status: 200,
      body: { stored: true, created: true, ani, modelHash: 'sandbox-model-v1' },
    });
    expect(JSON.stringify(stored.body)).not.toContain(fromDaspeak);
    const ctx = { actor: { type: 'ivr' as const, id: 'test' }, conversationId: null };
    expect((await s.backend.store.getCredential(ctx, ani))?.credential).toBe(fromDaspeak);
    const audit = await s.backend.store.queryAudit({ ani, action: 'credential.store' });
    expect(audit[0]).toMatchObject({ outcome: 'ok', conversationId, actor: { type: 'ivr' } });

    const verifyConversation = randomUUID();
    const settings = await audio();
    const verify = await call(
      s.backend.url,
      'POST',
      `/api/v1/ivr/credentials/${ani}/verification?conversationId=${verifyConversation}`,
      {
        audioSettingsId: settings.id,
      },
    );
    expect(verify).toMatchObject({
      status: 200,
      body: { found: true, modelCurrent: true, status: 'waiting-consumer', ani },
    });
    expect(JSON.stringify(verify.body)).not.toContain(fromDaspeak);
    // das-Peak got the stored credential: the same caller's voice is verified on that conversation.
    const line2 = await speak(s.config, verifyConversation, 'alice-verify-1.wav');
    try {
      let v = await daspeak.getSession('verify', verify.body.sessionId as string);
      for (let i = 0; i < 200 && !['success', 'fail-score', 'fail-spoof'].includes(v.status); i++) {
        await new Promise((done) => setTimeout(done, 50));
        v = await daspeak.getSession('verify', verify.body.sessionId as string);
      }
      expect(v.status).toBe('success');
    } finally {
      await line2.hangUp();
    }
  }, 60_000);

  it('tells the flow apart: nothing stored, another model, unfinished, unknown, bad input, no key', async () => {
    const conversationId = randomUUID();
    const none = await call(
      s.backend.url,
      'POST',
      `/api/v1/ivr/credentials/%2B34600000302/verification?conversationId=${conversationId}`,
      {
        audioSettingsId: 'settings-1',
      },
    );
    expect(none).toMatchObject({
      status: 200,
      body: { found: false, modelCurrent: false, sessionId: '', status: '' },
    });

    const ctx = { actor: { type: 'ivr' as const, id: 'test' }, conversationId: null };
    await s.backend.store.putCredential(ctx, '+34600000303', {
      credential: 'old-cred',
      modelHash: 'model-v0',
    });
    const old = await call(
      s.backend.url,
      'POST',
      `/api/v1/ivr/credentials/%2B34600000303/verification?conversationId=${conversationId}`,
      {
        audioSettingsId: 'settings-1',
      },
    );
    expect(old.body).toMatchObject({ found: true, modelCurrent: false, sessionId: '' });

    const noConversation = await call(
      s.backend.url,
      'POST',
      '/api/v1/ivr/credentials/%2B34600000303/verification',
      { audioSettingsId: 'a' },
    );
    expect(noConversation).toMatchObject({ status: 400, body: { error: { code: 'request.missing_field' } } });

    const waiting = await registerSession(randomUUID());
    const early = await call(
      s.backend.url,
      'POST',
      `/api/v1/ivr/credentials/%2B34600000304/registration?conversationId=${conversationId}`,
      {
        sessionId: waiting.id,
      },
    );
    expect(early).toMatchObject({ status: 409, body: { error: { code: 'ivr.registration_unfinished' } } });
    expect(await s.backend.store.credentialStatus(ctx, '+34600000304')).toBeNull();

    const unknown = await call(s.backend.url, 'GET', '/api/v1/ivr/register-sessions/no-such-session');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'daspeak.session_not_found' } } });
    const hostile = await call(s.backend.url, 'POST', '/api/v1/ivr/credentials/%2B34600000304/registration', {
      sessionId: '../../v1/audio_settings',
    });
    expect(hostile).toMatchObject({ status: 400, body: { error: { code: 'request.invalid_field' } } });
    const extraField = await call(
      s.backend.url,
      'POST',
      '/api/v1/ivr/credentials/%2B34600000304/registration',
      { sessionId: 'a', credential: 'x' },
    );
    expect(extraField).toMatchObject({ status: 400, body: { error: { code: 'request.unknown_field' } } });
    const noKey = await call(
      s.backend.url,
      'GET',
      `/api/v1/ivr/register-sessions/${waiting.id}`,
      undefined,
      null,
    );
    expect(noKey.status).toBe(401);
    const wrongMethod = await call(
      s.backend.url,
      'PUT',
      `/api/v1/ivr/credentials/%2B34600000304/registration`,
      { sessionId: 'a' },
    );
    expect(wrongMethod.status).toBe(405);
  });

  it('das-Peak down is a 503 with Retry-After (the flow takes its failure path); consent is required when configured', async () => {
    const variant = async (patch: (c: KitConfig) => KitConfig) => {
      const config = patch(s.config);
      const store = await openStore({
        ...config.backend,
        databaseUrl: `sqlite:${join(tmp(), 'variant.sqlite')}`,
      });
      const server = await startServer(config, {
        host: '127.0.0.1',
        port: 0,
        store,
        tokenProvider: createTokenProvider(config.daspeak.auth),
      });
      extra.push(server);
      return server;
    };
    const down = await variant((c) => ({
      ...c,
      daspeak: { ...c.daspeak, rest: { ...c.daspeak.rest, baseUrl: 'http://127.0.0.1:9/dpsrest' } },
    }));
    const r = await call(down.url, 'GET', '/api/v1/ivr/register-sessions/abc');
    expect(r).toMatchObject({ status: 503, body: { error: { code: 'daspeak.unreachable' } } });
    expect(r.headers.get('retry-after')).toBe('5');

    const strict = await variant((c) => ({ ...c, backend: { ...c.backend, requireConsent: true } }));
    const conversationId = randomUUID();
    const session = await registerSession(conversationId);
    const line = await speak(s.config, conversationId, 'bruno-register.wav');
    try {
      for (let i = 0; i < 200 && (await daspeak.getSession('register', session.id)).status !== 'success'; i++)
        await new Promise((done) => setTimeout(done, 50));
    } finally {
      await line.hangUp();
    }
    const refused = await call(
      strict.url,
      'POST',
      `/api/v1/ivr/credentials/%2B34600000305/registration?conversationId=${conversationId}`,
      {
        sessionId: session.id,
      },
    );
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'store.consent_required' } } });
  }, 60_000);
});
