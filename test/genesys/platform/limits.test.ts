import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { describeStats, systemSleep } from '../../../src/genesys/platform/index.js';
import { ACTION_INPUT, sequence } from './helpers/scripted-server.js';
import { useFakeOrgClient } from './helpers/fake-org-client.js';

const setup = useFakeOrgClient();

describe('concurrency limit', () => {
  it('keeps at most maxConcurrency requests in flight', async () => {
    // Slow answers so that queued calls would overlap if nothing held them back.
    const { org, client } = await setup(
      async () => {
        await delay(20);
        return { body: { id: 'q' } };
      },
      { maxConcurrency: 2 },
    );
    await client.login();
    await Promise.all(
      Array.from({ length: 8 }, () => client.call(() => client.api.routing.getRoutingQueue('q'))),
    );
    expect(org.apiRequests).toHaveLength(8);
    expect(org.inFlight.max).toBe(2);
  });

  it('releases the slot while a call waits out a 429', async () => {
    // With one slot, a call pausing after a 429 must not block the others.
    let release: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => (release = resolve));
    const delays: number[] = [];
    let slowSeen = 0;
    const { org, client } = await setup(
      (r) => {
        if (r.path.endsWith('/slow') && ++slowSeen === 1) {
          return { status: 429, headers: { 'retry-after': '5' }, body: {} };
        }
        return { body: { id: r.path } };
      },
      {
        maxConcurrency: 1,
        sleep: async (ms) => {
          delays.push(ms);
          await paused;
        },
      },
    );
    const slow = client.request('GET', '/api/v2/slow');
    while (delays.length === 0) await delay(1);
    const fast = await client.request('GET', '/api/v2/fast');
    expect(fast).toEqual({ id: '/api/v2/fast' });
    release();
    expect(await slow).toEqual({ id: '/api/v2/slow' });
    expect(delays).toEqual([5000]);
    expect(org.apiRequests.map((r) => r.path)).toEqual(['/api/v2/slow', '/api/v2/fast', '/api/v2/slow']);
  });
});

describe('stats', () => {
  it('counts calls, requests by method, reads and writes, logins and retries', async () => {
    const { client } = await setup(
      sequence(
        { body: { id: 'q' } },
        { status: 503, body: {} },
        { body: { id: 'q' } },
        { body: { id: 'a' } },
        { body: { id: 'q' } },
        { status: 204 },
      ),
    );
    await client.call(() => client.api.routing.getRoutingQueue('q'));
    await client.call(() => client.api.routing.getRoutingQueue('q'));
    await client.call(() => client.api.integrations.postIntegrationsActions(ACTION_INPUT));
    await client.call(() => client.api.routing.putRoutingQueue('q', { name: 'q' }));
    await client.call(() => client.api.routing.deleteRoutingQueue('q'));
    expect(client.stats()).toEqual({
      calls: 5,
      requests: { GET: 3, POST: 1, PUT: 1, DELETE: 1 },
      reads: 3,
      writes: 3,
      retries: 1,
      rateLimited: 0,
      logins: 1,
      failures: 0,
    });
  });

  it('describes itself in one line for --verbose', () => {
    expect(
      describeStats({
        calls: 13,
        requests: { PUT: 1, GET: 11, POST: 2 },
        reads: 11,
        writes: 3,
        retries: 2,
        rateLimited: 2,
        logins: 1,
        failures: 0,
      }),
    ).toBe(
      'Genesys API: 14 requests (11 reads, 3 writes; GET 11, POST 2, PUT 1), 1 login, 2 retries (2 rate-limited), 0 failed calls',
    );
    expect(
      describeStats({
        calls: 0,
        requests: {},
        reads: 0,
        writes: 0,
        retries: 1,
        rateLimited: 0,
        logins: 0,
        failures: 1,
      }),
    ).toBe('Genesys API: 0 requests (0 reads, 0 writes), 0 logins, 1 retry (0 rate-limited), 1 failed call');
  });

  it('hands out a copy', async () => {
    const { client } = await setup(() => ({ body: {} }));
    const before = client.stats();
    before.requests.GET = 99;
    expect(client.stats().requests).toEqual({});
  });
});

describe('raw requests', () => {
  it('sends a JSON array body and query parameters with the bearer token', async () => {
    const { org, client } = await setup(() => ({ body: [{ ok: true }] }));
    const body = [{ name: 'ani', type: 'string' }];
    const got = await client.request('POST', '/api/v2/integrations/actions/a-1/test', body, {
      query: { flatten: true, skip: undefined },
    });
    expect(got).toEqual([{ ok: true }]);
    const seen = org.apiRequests[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.path).toBe('/api/v2/integrations/actions/a-1/test');
    expect(seen.query.toString()).toBe('flatten=true');
    expect(seen.json).toEqual(body);
    expect(seen.headers['content-type']).toContain('application/json');
    expect(seen.headers.authorization).toBe('Bearer token-1');
  });

  it('goes through the same retry rules', async () => {
    const { org, client } = await setup(sequence({ status: 500, body: {} }, { body: { v: 1 } }));
    await expect(client.request('PATCH', '/api/v2/x', { a: 1 })).rejects.toMatchObject({ status: 500 });
    expect(await client.request('PATCH', '/api/v2/x', { a: 1 })).toEqual({ v: 1 });
    expect(await client.request('PATCH', '/api/v2/x', { a: 1 }, { idempotent: true })).toEqual({ v: 1 });
    expect(org.apiRequests).toHaveLength(3);
  });

  it('refuses a path that is not below the API base', async () => {
    const { org, client } = await setup(() => ({ body: {} }));
    await expect(client.request('GET', 'https://elsewhere.example/api/v2/x')).rejects.toMatchObject({
      code: 'genesys.invalid_call',
    });
    expect(org.requests).toHaveLength(0);
  });
});

describe('close', () => {
  it('refuses new calls', async () => {
    const { org, client } = await setup(() => ({ body: {} }));
    client.close();
    await expect(client.call(() => client.api.tokens.getTokensMe())).rejects.toMatchObject({
      code: 'genesys.client_closed',
    });
    await expect(client.login()).rejects.toMatchObject({ code: 'genesys.client_closed' });
    expect(org.requests).toHaveLength(0);
  });

  it('stops a call that is waiting to retry', async () => {
    let release: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let asleep = false;
    const { org, client } = await setup(() => ({ status: 429, headers: { 'retry-after': '30' }, body: {} }), {
      sleep: async () => {
        asleep = true;
        await paused;
      },
    });
    const pending = client.call(() => client.api.tokens.getTokensMe());
    while (!asleep) await delay(1);
    client.close();
    release();
    await expect(pending).rejects.toMatchObject({ code: 'genesys.client_closed' });
    expect(org.apiRequests).toHaveLength(1);
  });

  it('wakes the real retry pause at once (the pause is a referenced timer, so only close ends it early)', async () => {
    const { org, client } = await setup(() => ({ status: 429, headers: { 'retry-after': '30' }, body: {} }), {
      sleep: systemSleep,
    });
    const pending = client.call(() => client.api.tokens.getTokensMe());
    while (org.apiRequests.length === 0) await delay(1);
    await delay(20);
    const closedAt = Date.now();
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'genesys.client_closed' });
    expect(Date.now() - closedAt).toBeLessThan(1000);
    expect(org.apiRequests).toHaveLength(1);
  });
});
