import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sandbox/genesys/index.js';
import { codeOf, request } from './helpers/http.js';
import { startEnv, type TestEnv } from './helpers/env.js';

interface TokenAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
}

describe('GET /token', () => {
  const envs: TestEnv[] = [];
  afterEach(async () => {
    for (const e of envs.splice(0)) await e.close();
  });

  async function env(options: Parameters<typeof startEnv>[1] = {}) {
    const e = await startEnv('sqlite', { backend: { rateLimit: { agentPerMinute: 10_000 } }, ...options });
    envs.push(e);
    return e;
  }

  it('hands an authenticated agent a das-Peak token, cached until shortly before it expires', async () => {
    const clock = new ManualClock(Date.now());
    const e = await env({ server: { clock } });
    const { token, conversationId } = await e.onCall();
    const first = await request<TokenAnswer>(e.base, 'GET', '/token', { token, conversationId });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body).toEqual({
      access_token: e.tokens.issued()[0],
      token_type: 'Bearer',
      expires_in: 3600,
    });

    clock.advance(600_000);
    const second = await request<TokenAnswer>(e.base, 'GET', '/token', { token, conversationId });
    expect(second.body.access_token).toBe(first.body.access_token);
    expect(second.body.expires_in).toBe(3000);
    expect(e.tokens.requests()).toBe(1);

    // 60 s before expiry the backend fetches the next one.
    clock.advance(2_941_000);
    const third = await request<TokenAnswer>(e.base, 'GET', '/token', { token, conversationId });
    expect(third.body.access_token).not.toBe(first.body.access_token);
    expect(third.body.expires_in).toBe(3600);
    expect(e.tokens.requests()).toBe(2);
  });

  it('answers the same whether the token was just checked with Genesys or its verdict was cached', async () => {
    const e = await env();
    const { token, conversationId } = await e.onCall();
    const first = await request(e.base, 'GET', '/token', { token, conversationId });
    const second = await request(e.base, 'GET', '/token', { token, conversationId });
    expect(second.body).toEqual(first.body);
    const headers = (a: typeof first) => {
      const out: Record<string, string> = {};
      a.headers.forEach((value, name) => {
        if (name !== 'date' && name !== 'x-request-id') out[name] = value;
      });
      return out;
    };
    expect(headers(second)).toEqual(headers(first));
    expect(second.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const metrics = await request(e.base, 'GET', '/metrics');
    expect(metrics.text).toContain(
      'daspeak_backend_http_requests_total{route="/token",method="GET",status="200"} 2',
    );
  });

  it('makes one upstream request however many agents ask at once', async () => {
    const e = await env();
    const agents = [await e.onCall(), await e.onCall('agent2@sandbox.example')];
    const release = e.tokens.hold();
    const burst = Array.from({ length: 300 }, (_, i) =>
      request<TokenAnswer>(e.base, 'GET', '/token', agents[i % 2]),
    );
    await e.tokens.waitForRequests(1);
    release();
    const answers = await Promise.all(burst);
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
    expect(e.tokens.requests()).toBe(1);
    const metrics = await request(e.base, 'GET', '/metrics');
    expect(metrics.text).toMatch(/daspeak_backend_upstream_token_requests_total\{outcome="ok"\} 1\b/);
    expect(metrics.text).toMatch(/daspeak_backend_tokens_issued_total 300\b/);
  });

  it('backs off while the auth server is down: one request at a time, a pause that doubles, the cached token served meanwhile', async () => {
    const clock = new ManualClock(Date.now());
    const e = await env({ server: { clock } });
    const { token, conversationId } = await e.onCall();
    const ask = () => request<TokenAnswer>(e.base, 'GET', '/token', { token, conversationId });
    const first = await ask();
    e.tokens.setMode('down');

    clock.advance(3_560_000); // inside the refresh margin: 40 s of validity left
    const during = await ask();
    expect(during.status).toBe(200);
    expect(during.body.access_token).toBe(first.body.access_token);
    expect(during.body.expires_in).toBe(40);
    expect(e.tokens.requests()).toBe(2); // failed: pause 1 s

    await ask();
    expect(e.tokens.requests()).toBe(2);
    clock.advance(1_100);
    expect((await ask()).status).toBe(200);
    expect(e.tokens.requests()).toBe(3); // failed again: pause 2 s
    clock.advance(1_100);
    await ask();
    expect(e.tokens.requests()).toBe(3);
    clock.advance(1_000);
    await ask();
    expect(e.tokens.requests()).toBe(4); // pause 4 s

    clock.advance(40_000); // now expired, and still no auth server
    const after = await ask();
    expect(after.status).toBe(503);
    expect(codeOf(after)).toBe('token.unavailable');
    expect(after.headers.get('retry-after')).toBe('8');
    expect(e.tokens.requests()).toBe(5);
    // Inside the pause, with nothing cached: answered at once, without asking upstream.
    const burst = await Promise.all(Array.from({ length: 30 }, () => ask()));
    expect(new Set(burst.map((a) => a.status))).toEqual(new Set([503]));
    expect(e.tokens.requests()).toBe(5);
    const ready = await request(e.base, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ checks: { daspeakAuth: 'daspeak.http_error' } });
    expect(e.tokens.requests()).toBe(5);

    e.tokens.setMode('ok');
    clock.advance(8_100);
    const back = await ask();
    expect(back.status).toBe(200);
    expect(back.body.access_token).not.toBe(first.body.access_token);
    expect(e.tokens.requests()).toBe(6);
  });

  it('makes one upstream attempt for a burst while nothing is cached and the auth server is down', async () => {
    const e = await env();
    const agent = await e.onCall();
    e.tokens.setMode('down');
    const release = e.tokens.hold();
    const burst = Array.from({ length: 50 }, () => request(e.base, 'GET', '/token', agent));
    await e.tokens.waitForRequests(1);
    release();
    const answers = await Promise.all(burst);
    expect(new Set(answers.map((a) => codeOf(a)))).toEqual(new Set(['token.unavailable']));
    expect(e.tokens.requests()).toBe(1);
  });

  it('answers 502 token.upstream_refused when the auth server refuses the backend, without the secret', async () => {
    const e = await env();
    e.tokens.setMode('refuse');
    const answer = await request(e.base, 'GET', '/token', await e.onCall());
    expect(answer.status).toBe(502);
    expect(codeOf(answer)).toBe('token.upstream_refused');
    expect(answer.text).not.toContain(e.tokens.clientSecret);
  });

  it('answers 503 token.unavailable when the auth server is down and nothing is cached', async () => {
    const e = await env();
    e.tokens.setMode('down');
    const answer = await request(e.base, 'GET', '/token', await e.onCall());
    expect(answer.status).toBe(503);
    expect(codeOf(answer)).toBe('token.unavailable');
  });
});
