import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_1, API_KEY_2, MODEL_HASH } from './helpers/config.js';
import { codeOf, request, type RequestOptions } from './helpers/http.js';
import { describeEachDatabase } from './helpers/databases.js';
import { startEnv, type TestEnv } from './helpers/env.js';

const ANI = '+34633000001';
const path = (kind: 'credentials' | 'consent', ani = ANI) => `/api/v1/ivr/${kind}/${encodeURIComponent(ani)}`;

describeEachDatabase('data-action routes', (kind) => {
  let env: TestEnv;
  const ivr = (method: string, url: string, o: RequestOptions = {}) =>
    request(env.base, method, url, { apiKey: API_KEY_1, ...o });

  beforeAll(async () => {
    env = await startEnv(kind);
  });
  afterAll(() => env?.close());

  it('answers 401 auth.missing_api_key and auth.invalid_api_key, and audits them', async () => {
    const missing = await request(env.base, 'GET', path('credentials'));
    expect(missing.status).toBe(401);
    expect(codeOf(missing)).toBe('auth.missing_api_key');
    const wrong = await request(
      env.base,
      'GET',
      `${path('credentials')}?conversationId=0c0e5a1e-0000-4000-8000-00000000bad0`,
      {
        apiKey: `${API_KEY_1}x`,
      },
    );
    expect(wrong.status).toBe(401);
    expect(codeOf(wrong)).toBe('auth.invalid_api_key');
    expect(wrong.text).not.toContain(API_KEY_1);
    const audit = await env.server.store.queryAudit({ ani: ANI, outcome: 'denied' });
    expect(audit.map((a) => a.detail)).toEqual(['auth.invalid_api_key', 'auth.missing_api_key']);
    expect(audit[0]).toMatchObject({
      conversationId: '0c0e5a1e-0000-4000-8000-00000000bad0',
      actor: { type: 'ivr' },
    });
  });

  it('answers found:false with every field present when nothing is stored', async () => {
    const answer = await ivr('GET', path('credentials'));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      found: false,
      ani: ANI,
      credential: '',
      modelHash: '',
      modelCurrent: false,
    });
  });

  it('stores, reads and deletes with either of the two keys, always with a JSON body', async () => {
    const put = await ivr('PUT', path('credentials', 'tel:+34633000001'), {
      json: { credential: 'ivr-cred', conversationId: '0c0e5a1e-0000-4000-8000-000000000001' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ stored: true, created: true, ani: ANI, modelHash: MODEL_HASH });

    const get = await request(
      env.base,
      'GET',
      `${path('credentials')}?conversationId=0c0e5a1e-0000-4000-8000-000000000002`,
      {
        apiKey: API_KEY_2,
      },
    );
    expect(get.body).toEqual({
      found: true,
      ani: ANI,
      credential: 'ivr-cred',
      modelHash: MODEL_HASH,
      modelCurrent: true,
    });

    const old = await ivr('PUT', path('credentials'), {
      json: { credential: 'older', modelHash: 'model-v0' },
    });
    expect(old.body).toMatchObject({ created: false, modelHash: 'model-v0' });
    expect((await ivr('GET', path('credentials'))).body).toMatchObject({ found: true, modelCurrent: false });

    const del = await ivr('DELETE', path('credentials'));
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ deleted: true, ani: ANI });
    expect((await ivr('DELETE', path('credentials'))).body).toEqual({ deleted: false, ani: ANI });

    const audit = await env.server.store.queryAudit({ ani: ANI, action: 'credential.read', outcome: 'ok' });
    expect(audit[audit.length - 1]).toMatchObject({
      conversationId: '0c0e5a1e-0000-4000-8000-000000000002',
      actor: { type: 'ivr', id: 'api-key-2' },
    });
  });

  it('records, reads and withdraws consent; withdrawing deletes the credential', async () => {
    const ani = '+34633000002';
    expect((await ivr('GET', path('consent', ani))).body).toEqual({
      found: false,
      ani,
      status: 'none',
      granted: false,
      wordingVersion: '',
      grantedAt: '',
      refusedAt: '',
      withdrawnAt: '',
    });
    const recorded = await ivr('PUT', path('consent', ani), {
      json: { wordingVersion: '2025-01', conversationId: '0c0e5a1e-0000-4000-8000-0000000c0c0c' },
    });
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({
      recorded: true,
      found: true,
      status: 'granted',
      granted: true,
      wordingVersion: '2025-01',
    });
    await ivr('PUT', path('credentials', ani), { json: { credential: 'c' } });

    const withdrawn = await ivr('DELETE', path('consent', ani));
    expect(withdrawn.body).toEqual({ withdrawn: true, ani, wasGranted: true, credentialDeleted: true });
    expect((await ivr('GET', path('credentials', ani))).body).toMatchObject({ found: false });
    const consent = await ivr('GET', path('consent', ani));
    expect(consent.body).toMatchObject({
      found: true,
      status: 'withdrawn',
      granted: false,
      wordingVersion: '2025-01',
    });
    expect((consent.body as { withdrawnAt: string }).withdrawnAt).not.toBe('');
  });

  it('records a refusal (status refused), which deletes nothing; a later grant replaces it', async () => {
    const ani = '+34633000004';
    await ivr('PUT', path('credentials', ani), { json: { credential: 'kept' } });
    const refused = await ivr('PUT', path('consent', ani), {
      json: { wordingVersion: 'v2', decision: 'refused' },
    });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({
      recorded: true,
      found: true,
      status: 'refused',
      granted: false,
      wordingVersion: 'v2',
      grantedAt: '',
    });
    expect((refused.body as { refusedAt: string }).refusedAt).not.toBe('');
    expect((await ivr('GET', path('credentials', ani))).body).toMatchObject({
      found: true,
      credential: 'kept',
    });
    const bad = await ivr('PUT', path('consent', ani), { json: { wordingVersion: 'v2', decision: 'maybe' } });
    expect(bad.status).toBe(400);
    expect(codeOf(bad)).toBe('request.invalid_field');
    const granted = await ivr('PUT', path('consent', ani), { json: { wordingVersion: 'v3' } });
    expect(granted.body).toMatchObject({
      status: 'granted',
      granted: true,
      wordingVersion: 'v3',
      refusedAt: '',
    });
  });

  it('takes an empty conversationId (as a data action renders an unset input) as none', async () => {
    const answer = await ivr('GET', `${path('credentials', '+34633000003')}?conversationId=`);
    expect(answer.status).toBe(200);
    const [entry] = await env.server.store.queryAudit({ ani: '+34633000003' });
    expect(entry).toMatchObject({ action: 'credential.read', outcome: 'not_found', conversationId: null });
  });

  it('answers bad input with a JSON error body', async () => {
    const invalid = await ivr('GET', path('credentials', 'abc'));
    expect(invalid.status).toBe(400);
    expect(codeOf(invalid)).toBe('ani.invalid');
    const missing = await ivr('PUT', path('credentials'), { json: {} });
    expect(missing.status).toBe(400);
    expect(codeOf(missing)).toBe('request.missing_field');
    const badConversation = await ivr('GET', `${path('credentials')}?conversationId=a%20b`);
    expect(codeOf(badConversation)).toBe('request.invalid_field');
  });
});

describe('data-action routes: limits and consent policy', () => {
  const envs: TestEnv[] = [];
  afterEach(async () => {
    for (const e of envs.splice(0)) await e.close();
  });

  it('limits requests per API key: 429 rate_limited with Retry-After; the other key has its own budget', async () => {
    const env = await startEnv('sqlite', { backend: { rateLimit: { apiKeyPerMinute: 2 } } });
    envs.push(env);
    const get = (key: string) => request(env.base, 'GET', path('credentials'), { apiKey: key });
    expect((await get(API_KEY_1)).status).toBe(200);
    expect((await get(API_KEY_1)).status).toBe(200);
    const limited = await get(API_KEY_1);
    expect(limited.status).toBe(429);
    expect(codeOf(limited)).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await get(API_KEY_2)).status).toBe(200);
  });

  it('with requireConsent, refuses to store before consent (409 store.consent_required)', async () => {
    const env = await startEnv('sqlite', { server: { requireConsent: true } });
    envs.push(env);
    const put = () =>
      request(env.base, 'PUT', path('credentials'), { apiKey: API_KEY_1, json: { credential: 'c' } });
    const refused = await put();
    expect(refused.status).toBe(409);
    expect(codeOf(refused)).toBe('store.consent_required');
    await request(env.base, 'PUT', path('consent'), { apiKey: API_KEY_1, json: { wordingVersion: 'v1' } });
    expect((await put()).status).toBe(200);
  });

  it('backend.requireConsent in the config turns the same rule on for serve', async () => {
    const env = await startEnv('sqlite', { backend: { requireConsent: true } });
    envs.push(env);
    expect(env.config.backend.requireConsent).toBe(true);
    const refused = await request(env.base, 'PUT', path('credentials'), {
      apiKey: API_KEY_1,
      json: { credential: 'c' },
    });
    expect(refused.status).toBe(409);
    expect(codeOf(refused)).toBe('store.consent_required');
  });
});
