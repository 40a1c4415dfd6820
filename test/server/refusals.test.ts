/**
 * Issue 14 §2, re-measured: refusals cost the attacker as much as the kit. Each test sends the
 * attack of the report (500 random bearer tokens, 2 000 wrong API keys) at the real backend, many
 * at once, and counts what it cost: requests to the Genesys org (the sandbox counts every one) and
 * audit rows. Both stay within the failure budget of one client address per minute.
 */
import { randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY_1 } from './helpers/config.js';
import { codeOf, request, type Answer } from './helpers/http.js';
import { startEnv, type TestEnv } from './helpers/env.js';

const BUDGET = 30; // backend.rateLimit.failuresPerMinute, default

/** Requests the org answered (every route), since the last reset. */
const genesysCalls = (env: TestEnv) => env.genesys.requestCounts().routes.reduce((n, r) => n + r.count, 0);

/** Sends `count` requests, `parallel` at a time. */
async function flood(count: number, parallel: number, send: (i: number) => Promise<Answer>) {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - i) }, (_, j) => send(i + j));
    answers.push(...(await Promise.all(batch)));
  }
  return answers;
}

const statusCount = (answers: Answer[]) => {
  const counts: Record<string, number> = {};
  for (const a of answers)
    counts[`${a.status} ${codeOf(a) ?? ''}`.trim()] =
      (counts[`${a.status} ${codeOf(a) ?? ''}`.trim()] ?? 0) + 1;
  return counts;
};

describe('refusals cost nothing (issue 14 §2)', () => {
  const envs: TestEnv[] = [];
  afterEach(async () => {
    for (const e of envs.splice(0)) await e.close();
  });
  const env = async (options: Parameters<typeof startEnv>[1] = {}) => {
    const e = await startEnv('sqlite', options);
    envs.push(e);
    return e;
  };

  it('500 random bearer tokens: at most the budget of Genesys requests and audit rows, then 429 before anything is asked', async () => {
    const e = await env();
    const { token, conversationId } = await e.onCall();
    expect((await request(e.base, 'GET', '/token', { token, conversationId })).status).toBe(200);
    e.genesys.resetRequestCounts();

    const answers = await flood(500, 50, (i) =>
      i % 2 === 0
        ? request(e.base, 'GET', '/token', { token: randomBytes(24).toString('base64url'), conversationId })
        : request(e.base, 'GET', '/database/getCredential?id=%2B34600000001', {
            token: randomBytes(24).toString('base64url'),
            conversationId,
          }),
    );
    const counts = statusCount(answers);
    expect(counts['401 auth.invalid_token']).toBe(BUDGET);
    expect(counts['429 rate_limited']).toBe(500 - BUDGET);
    // One request per refused token (tokens/me), none for the rest.
    expect(genesysCalls(e)).toBe(BUDGET);
    const rows = await e.server.store.queryAudit({ outcome: 'denied', limit: 1000 });
    expect(rows).toHaveLength(BUDGET);
    const limited = answers.find((a) => a.status === 429)!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    // An agent whose token is known keeps working from the same address.
    expect((await request(e.base, 'GET', '/token', { token, conversationId })).status).toBe(200);
    const metrics = await request(e.base, 'GET', '/metrics');
    expect(metrics.text).toContain(`daspeak_backend_rate_limited_total{kind="address"} ${500 - BUDGET}`);
  });

  it('good tokens never use the budget: twelve agents signing in from one address all pass', async () => {
    const e = await env({ backend: { rateLimit: { failuresPerMinute: 5 } } });
    const calls = await Promise.all(Array.from({ length: 12 }, () => e.onCall()));
    // Each token is new to the backend, so each is checked with Genesys under the budget (a check in
    // flight holds one unit, given back when it passes); none fails, so none is kept.
    const answers = await flood(60, 4, (i) => request(e.base, 'GET', '/token', calls[i % 12]));
    expect(statusCount(answers)).toEqual({ '200': 60 });
    // …and the budget is still whole for refusals.
    const bad = await flood(8, 8, () => request(e.base, 'GET', '/token', { token: 'unknown-token' }));
    expect(statusCount(bad)).toEqual({ '401 auth.invalid_token': 5, '429 rate_limited': 3 });
  });

  it('2 000 wrong API keys: at most the budget of audit rows, then 429; the right key still works', async () => {
    const e = await env();
    const answers = await flood(2000, 100, (i) =>
      request(e.base, 'GET', `/api/v1/ivr/credentials/%2B3460000${String(i % 1000).padStart(4, '0')}`, {
        apiKey: `wrong-key-${i}-${randomBytes(8).toString('hex')}`,
      }),
    );
    const counts = statusCount(answers);
    expect(counts['401 auth.invalid_api_key']).toBe(BUDGET);
    expect(counts['429 rate_limited']).toBe(2000 - BUDGET);
    expect(await e.server.store.queryAudit({ outcome: 'denied', limit: 1000 })).toHaveLength(BUDGET);
    expect(
      (await request(e.base, 'GET', '/api/v1/ivr/credentials/%2B34600000001', { apiKey: API_KEY_1 })).status,
    ).toBe(200);
  });

  it('counts per client address: X-Forwarded-For is believed only from trusted proxies', async () => {
    const direct = await env({ backend: { rateLimit: { failuresPerMinute: 3 } } });
    // Without trustProxy a forged X-Forwarded-For buys no new budget.
    const forged = await flood(6, 1, (i) =>
      request(direct.base, 'GET', '/token', {
        token: `bad-${i}`,
        headers: { 'X-Forwarded-For': `198.51.100.${i}` },
      }),
    );
    expect(statusCount(forged)).toEqual({ '401 auth.invalid_token': 3, '429 rate_limited': 3 });

    const proxied = await env({ backend: { trustProxy: 1, rateLimit: { failuresPerMinute: 3 } } });
    const twoClients = await flood(8, 1, (i) =>
      request(proxied.base, 'GET', '/token', {
        token: `bad-${i}`,
        headers: { 'X-Forwarded-For': `spoofed, 198.51.100.${i % 2}` },
      }),
    );
    expect(statusCount(twoClients)).toEqual({ '401 auth.invalid_token': 6, '429 rate_limited': 2 });
  });

  it('the relay handshake is held to the same budget: random tokens cost at most the budget of Genesys requests', async () => {
    const e = await env({ widget: { signalling: 'relay' } });
    const conversationId = await e.conversation('+34600000077');
    e.genesys.resetRequestCounts();
    const url = new URL(e.base);
    const codes = await Promise.all(
      Array.from(
        { length: 60 },
        () =>
          new Promise<string>((resolve) => {
            const socket = io(`${url.origin}/verify`, {
              path: '/socket.io',
              transports: ['websocket'],
              auth: { token: randomBytes(24).toString('base64url'), conversationId },
              forceNew: true,
              reconnection: false,
            });
            socket.on('connect_error', (err) => {
              socket.disconnect();
              resolve(err.message);
            });
            socket.on('connect', () => {
              socket.disconnect();
              resolve('connected');
            });
          }),
      ),
    );
    const counted: Record<string, number> = {};
    for (const c of codes) counted[c] = (counted[c] ?? 0) + 1;
    expect(counted).toEqual({ 'auth.invalid_token': BUDGET, rate_limited: 60 - BUDGET });
    expect(genesysCalls(e)).toBe(BUDGET);
    expect(await e.server.store.queryAudit({ action: 'relay.session', limit: 1000 })).toHaveLength(BUDGET);
  });
});
