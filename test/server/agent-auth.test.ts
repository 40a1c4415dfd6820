import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sandbox/genesys/index.js';
import { adminToken, AGENT_2 } from './helpers/genesys.js';
import { codeOf, request } from './helpers/http.js';
import { describeEachDatabase } from './helpers/databases.js';
import { startEnv, type TestEnv } from './helpers/env.js';

const tokensMeCount = (env: TestEnv) =>
  env.genesys.requestCounts().routes.find((r) => r.method === 'GET' && r.route === '/api/v2/tokens/me')
    ?.count ?? 0;

describeEachDatabase('agent authentication', (kind) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(kind);
  });
  afterAll(() => env?.close());

  it('answers 401 auth.missing_token without a token, and audits the refusal', async () => {
    const answer = await request(env.base, 'GET', '/database/getCredential?id=%2B34611000001', {
      conversationId: '0c0e5a1e-0000-4000-8000-00000000000a',
    });
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe('auth.missing_token');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    const audit = await env.server.store.queryAudit({ ani: '+34611000001' });
    expect(audit[0]).toMatchObject({
      action: 'credential.read',
      outcome: 'denied',
      detail: 'auth.missing_token',
      conversationId: '0c0e5a1e-0000-4000-8000-00000000000a',
      actor: { type: 'agent', id: 'unauthenticated' },
    });
  });

  it('answers 401 auth.malformed_token for an Authorization header that is not a bearer token', async () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer two words', `Bearer ${'x'.repeat(5000)}`]) {
      const answer = await request(env.base, 'GET', '/token', { headers: { Authorization: header } });
      expect(answer.status, header.slice(0, 20)).toBe(401);
      expect(codeOf(answer)).toBe('auth.malformed_token');
    }
  });

  it('answers 401 auth.invalid_token for a token Genesys does not know', async () => {
    const answer = await request(env.base, 'GET', '/token', { token: 'not-a-genesys-token' });
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe('auth.invalid_token');
    expect(answer.text).not.toContain('not-a-genesys-token');
  });

  it('answers 403 auth.not_an_agent for a client-credentials token of the org', async () => {
    const answer = await request(env.base, 'GET', '/token', { token: await adminToken(env.genesys) });
    expect(answer.status).toBe(403);
    expect(codeOf(answer)).toBe('auth.not_an_agent');
  });

  it('asks Genesys once per token and cache period, however many requests the agent sends', async () => {
    // The first verified token also makes the backend learn its org from the kit's own client.
    expect((await request(env.base, 'GET', '/token', await env.onCall())).status).toBe(200);
    const { token, conversationId } = await env.onCall(AGENT_2);
    env.genesys.resetRequestCounts();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => request(env.base, 'GET', '/token', { token, conversationId })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(tokensMeCount(env)).toBe(1);
    await request(env.base, 'GET', '/token', { token, conversationId });
    expect(tokensMeCount(env)).toBe(1);
  });

  it('answers 403 cors.origin_not_allowed for a page of another origin, and CORS headers for Genesys', async () => {
    const { token, conversationId } = await env.onCall();
    const evil = await request(env.base, 'GET', '/token', {
      token,
      headers: { Origin: 'https://evil.example' },
    });
    expect(evil.status).toBe(403);
    expect(codeOf(evil)).toBe('cors.origin_not_allowed');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();

    const genesysOrigin = new URL(env.genesys.url).origin;
    const preflight = await request(env.base, 'OPTIONS', '/database/storeCredential', {
      headers: {
        Origin: genesysOrigin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type,x-conversation-id',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(genesysOrigin);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'x-conversation-id',
    );

    const own = await request(env.base, 'GET', '/token', {
      token,
      conversationId,
      headers: { Origin: 'http://127.0.0.1:18080' },
    });
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:18080');
  });
});

describe('agent authentication: organization and expiry', () => {
  const envs: TestEnv[] = [];
  afterEach(async () => {
    for (const e of envs.splice(0)) await e.close();
  });

  it('answers 403 auth.wrong_org for a token of another organization than the configured one', async () => {
    const env = await startEnv('sqlite', { organizationId: '0b9c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3' });
    envs.push(env);
    const answer = await request(env.base, 'GET', '/token', await env.onCall());
    expect(answer.status).toBe(403);
    expect(codeOf(answer)).toBe('auth.wrong_org');
  });

  it('accepts the configured organization', async () => {
    const env = await startEnv('sqlite', { organizationId: '7F3F5E2A-1C4B-4D7E-9A61-0B1C2D3E4F50' });
    envs.push(env);
    const answer = await request(env.base, 'GET', '/token', await env.onCall());
    expect(answer.status).toBe(200);
  });

  it('refuses an expired token once the cached verdict runs out (auth.invalid_token)', async () => {
    const genesysClock = new ManualClock(Date.now());
    const backendClock = new ManualClock(Date.now());
    const env = await startEnv('sqlite', {
      genesys: { clock: genesysClock },
      server: { clock: backendClock },
      backend: { agentTokenCacheSeconds: 30 },
    });
    envs.push(env);
    const { token, conversationId } = await env.onCall();
    expect((await request(env.base, 'GET', '/token', { token, conversationId })).status).toBe(200);

    genesysClock.advance(86_401_000);
    // Still within the 30 s the backend trusts a checked token.
    expect((await request(env.base, 'GET', '/token', { token, conversationId })).status).toBe(200);
    backendClock.advance(31_000);
    const expired = await request(env.base, 'GET', '/token', { token, conversationId });
    expect(expired.status).toBe(401);
    expect(codeOf(expired)).toBe('auth.invalid_token');

    // A token that expired before the backend ever saw it is refused at once.
    const late = await env.onCall();
    genesysClock.advance(86_401_000);
    expect(codeOf(await request(env.base, 'GET', '/token', late))).toBe('auth.invalid_token');
  });

  it('answers 503 genesys.unavailable while Genesys fails or throttles, and recovers without caching it', async () => {
    const env = await startEnv('sqlite');
    envs.push(env);
    const { token, conversationId: callId } = await env.onCall();
    env.genesys.setFaults({ errorRatio: 1, errorStatus: 503 });
    const failed = await request(env.base, 'GET', '/token', { token, conversationId: callId });
    expect(failed.status).toBe(503);
    expect(codeOf(failed)).toBe('genesys.unavailable');
    expect(failed.headers.get('retry-after')).toBe('5');
    env.genesys.setFaults({ rateLimitNext: 2 });
    expect(codeOf(await request(env.base, 'GET', '/token', { token, conversationId: callId }))).toBe(
      'genesys.unavailable',
    );
    env.genesys.setFaults({});
    expect((await request(env.base, 'GET', '/token', { token, conversationId: callId })).status).toBe(200);

    // The conversation check fails the same way.
    const conversationId = await env.conversation('+34611000009');
    env.genesys.setFaults({ errorRatio: 1, errorStatus: 502, pathPrefix: '/api/v2/conversations' });
    const read = await request(env.base, 'GET', '/database/getCredential?id=%2B34611000009', {
      token,
      conversationId,
    });
    expect(read.status).toBe(503);
    expect(codeOf(read)).toBe('genesys.unavailable');
    env.genesys.setFaults({});
    expect(
      (await request(env.base, 'GET', '/database/getCredential?id=%2B34611000009', { token, conversationId }))
        .status,
    ).toBe(404);
  });

  it('limits requests per agent: 429 rate_limited with Retry-After and the error body', async () => {
    const env = await startEnv('sqlite', { backend: { rateLimit: { agentPerMinute: 3 } } });
    envs.push(env);
    const agent = await env.onCall();
    const other = await env.onCall(AGENT_2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(env.base, 'GET', '/token', agent)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await request(env.base, 'GET', '/token', agent);
    expect(limited.status).toBe(429);
    expect(codeOf(limited)).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another agent has a budget of its own.
    expect((await request(env.base, 'GET', '/token', other)).status).toBe(200);
  });
});
