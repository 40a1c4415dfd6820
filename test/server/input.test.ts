import { afterAll, beforeAll, expect, it } from 'vitest';
import { request, type RequestOptions } from './helpers/http.js';
import { describeEachDatabase } from './helpers/databases.js';
import { startEnv, type TestEnv } from './helpers/env.js';

const ANI = '+34622000001';

describeEachDatabase('bad input', (kind) => {
  let env: TestEnv;
  let token: string;
  let conversationId: string;
  const send = (method: string, path: string, o: RequestOptions = {}) =>
    request(env.base, method, path, { token, conversationId, ...o });

  beforeAll(async () => {
    env = await startEnv(kind);
    token = await env.agentToken();
    conversationId = await env.conversation(ANI);
    const stored = await send('POST', '/database/storeCredential', {
      form: { id: ANI, credential: 'kept-credential' },
    });
    expect(stored.status).toBe(201);
  });
  afterAll(() => env?.close());

  const cases: [string, () => Promise<{ status: number; body: unknown }>, number, string][] = [
    [
      'a missing field',
      () => send('POST', '/database/storeCredential', { form: { id: ANI } }),
      400,
      'request.missing_field',
    ],
    ['an empty body', () => send('POST', '/database/storeCredential'), 400, 'request.missing_field'],
    [
      'an unknown field',
      () => send('POST', '/database/storeCredential', { form: { id: ANI, credential: 'x', admin: 'true' } }),
      400,
      'request.unknown_field',
    ],
    [
      'a repeated field',
      () => send('GET', `/database/getCredential?id=${encodeURIComponent(ANI)}&id=%2B34600000000`),
      400,
      'request.invalid_field',
    ],
    [
      'an unknown query parameter',
      () => send('GET', `/api/v1/credentials/${encodeURIComponent(ANI)}?x=1`),
      400,
      'request.unknown_field',
    ],
    [
      'malformed JSON',
      () =>
        send('PUT', `/api/v1/credentials/${encodeURIComponent(ANI)}`, {
          raw: '{"credential": ',
          contentType: 'application/json',
        }),
      400,
      'request.malformed_body',
    ],
    [
      'a JSON array',
      () =>
        send('PUT', `/api/v1/credentials/${encodeURIComponent(ANI)}`, {
          raw: '["x"]',
          contentType: 'application/json',
        }),
      400,
      'request.invalid',
    ],
    [
      'a number where text is due',
      () => send('PUT', `/api/v1/credentials/${encodeURIComponent(ANI)}`, { json: { credential: 42 } }),
      400,
      'request.invalid_field',
    ],
    [
      'a body over 1 MiB',
      () =>
        send('POST', '/database/storeCredential', { form: { id: ANI, credential: 'A'.repeat(1_100_000) } }),
      413,
      'request.too_large',
    ],
    [
      'a credential over 256 KiB',
      () =>
        send('PUT', `/api/v1/credentials/${encodeURIComponent(ANI)}`, {
          json: { credential: 'A'.repeat(300_000) },
        }),
      400,
      'request.invalid_field',
    ],
    [
      'a text/plain body',
      () =>
        send('POST', '/database/storeCredential', {
          raw: `id=${ANI}&credential=x`,
          contentType: 'text/plain',
        }),
      415,
      'request.unsupported_media_type',
    ],
    [
      'a form body where JSON is due',
      () => send('PUT', `/api/v1/credentials/${encodeURIComponent(ANI)}`, { form: { credential: 'x' } }),
      415,
      'request.unsupported_media_type',
    ],
    [
      'a multipart body',
      () =>
        send('POST', '/database/storeCredential', {
          raw: '--b\r\nContent-Disposition: form-data; name="id"\r\n\r\nx\r\n--b--\r\n',
          contentType: 'multipart/form-data; boundary=b',
        }),
      415,
      'request.unsupported_media_type',
    ],
    [
      'an invalid caller number',
      () => send('GET', '/database/getCredential?id=not-a-number'),
      400,
      'ani.invalid',
    ],
    [
      'a withheld caller number',
      () => send('GET', '/database/getCredential?id=anonymous'),
      400,
      'ani.withheld',
    ],
    [
      'no conversation id',
      () => request(env.base, 'GET', `/database/getCredential?id=${encodeURIComponent(ANI)}`, { token }),
      400,
      'conversation.missing_id',
    ],
    [
      'a malformed conversation id',
      () =>
        send('GET', `/database/getCredential?id=${encodeURIComponent(ANI)}`, { conversationId: '../../etc' }),
      400,
      'conversation.invalid_id',
    ],
    [
      'two different conversation ids',
      () =>
        send(
          'GET',
          `/database/getCredential?id=${encodeURIComponent(ANI)}&conversationId=0c0e5a1e-0000-4000-8000-0000000000ff`,
        ),
      400,
      'conversation.ambiguous',
    ],
    [
      'a broken percent-encoding',
      () => send('GET', '/api/v1/credentials/%E0%A4%A'),
      400,
      'request.malformed_url',
    ],
    [
      'a bad consent wording version',
      () =>
        send('PUT', `/api/v1/consent/${encodeURIComponent(ANI)}`, { json: { wordingVersion: 'v 1; drop' } }),
      400,
      'request.invalid_field',
    ],
    ['an unknown route', () => send('GET', '/database/everything'), 404, 'route.not_found'],
    [
      'a method the route does not serve',
      () => send('PATCH', '/database/storeCredential'),
      405,
      'route.method_not_allowed',
    ],
  ];

  for (const [name, call, status, code] of cases) {
    it(`answers ${status} ${code} for ${name}`, async () => {
      const answer = await call();
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({ error: { code, message: expect.any(String) as string } });
    });
  }

  it('names the allowed methods on 405', async () => {
    const answer = await send('PATCH', `/api/v1/credentials/${encodeURIComponent(ANI)}`);
    expect(answer.headers.get('allow')).toBe('GET, PUT, DELETE');
  });

  it('kept running and kept the stored credential through all of it', async () => {
    expect((await request(env.base, 'GET', '/healthz')).status).toBe(200);
    const read = await send('GET', `/database/getCredential?id=${encodeURIComponent(ANI)}`);
    expect(read.body).toEqual({ credential: 'kept-credential' });
  });
});
