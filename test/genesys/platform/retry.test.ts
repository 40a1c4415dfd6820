import { describe, expect, it } from 'vitest';
import {
  ACTION_INPUT,
  CLIENT_SECRET,
  memoryLogger,
  sequence,
  type Reply,
} from './helpers/scripted-server.js';
import { useFakeOrgClient } from './helpers/fake-org-client.js';

const queue = { id: 'q-1', name: 'Support' };
const tooMany = (retryAfter?: string): Reply => ({
  status: 429,
  headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  body: { status: 429, code: 'too.many.requests', message: 'Rate limit exceeded the maximum' },
});
const unavailable = {
  status: 503,
  body: { status: 503, code: 'service.unavailable', message: 'down' },
};
const broken = { status: 500, body: { status: 500, code: 'internal.server.error', message: 'oops' } };

const setup = useFakeOrgClient({ random: () => 0.5 });

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );

describe('429', () => {
  it('rides out a 429 storm, waiting what Retry-After says each time', async () => {
    const { org, client, delays } = await setup(
      sequence(tooMany('2'), tooMany('2'), tooMany('1'), { body: queue }),
    );
    const got = await client.call(() => client.api.routing.getRoutingQueue('q-1'));
    expect(got).toEqual(queue);
    expect(delays).toEqual([2000, 2000, 1000]);
    expect(org.apiRequests).toHaveLength(4);
    expect(client.stats()).toMatchObject({
      calls: 1,
      retries: 3,
      rateLimited: 3,
      failures: 0,
      requests: { GET: 4 },
    });
  });

  it('retries a 429 on a POST too: the request was refused, not processed', async () => {
    const { org, client, delays } = await setup(sequence(tooMany('1'), { body: { id: 'a-1' } }));
    await client.call(() => client.api.integrations.postIntegrationsActions(ACTION_INPUT));
    expect(delays).toEqual([1000]);
    expect(org.apiRequests.map((r) => r.method)).toEqual(['POST', 'POST']);
  });

  it('caps a long Retry-After', async () => {
    const { client, delays } = await setup(sequence(tooMany('3600'), { body: queue }), {
      maxRetryAfterMs: 45_000,
    });
    await client.call(() => client.api.routing.getRoutingQueue('q-1'));
    expect(delays).toEqual([45_000]);
  });

  it('backs off exponentially with jitter when there is no Retry-After', async () => {
    const { client, delays } = await setup(
      sequence(tooMany(), tooMany(), tooMany(), tooMany('x'), { body: queue }),
      {
        baseDelayMs: 500,
      },
    );
    await client.call(() => client.api.routing.getRoutingQueue('q-1'));
    // step 500, 1000, 2000, 4000; half fixed + random() (0.5) × half
    expect(delays).toEqual([375, 750, 1500, 3000]);
  });

  it('spreads the jitter with the injected randomness and stops at maxDelayMs', async () => {
    const randoms = [0, 0.999, 0, 1 - Number.EPSILON];
    const { client, delays } = await setup(
      sequence(tooMany(), tooMany(), tooMany(), tooMany(), { body: queue }),
      {
        baseDelayMs: 1000,
        maxDelayMs: 3000,
        random: () => randoms.shift() ?? 0,
      },
    );
    await client.call(() => client.api.routing.getRoutingQueue('q-1'));
    expect(delays).toEqual([500, 1999, 1500, 3000]);
  });

  it('gives up after maxRetries with the last 429 as a typed error', async () => {
    const { org, client, delays } = await setup(() => tooMany('1'), { maxRetries: 2 });
    const error = await failure(client.call(() => client.api.routing.getRoutingQueue('q-1')));
    expect(error).toMatchObject({
      name: 'GenesysApiError',
      code: 'genesys.rate_limited',
      status: 429,
      genesysCode: 'too.many.requests',
      retryAfter: '1',
    });
    expect(delays).toEqual([1000, 1000]);
    expect(org.apiRequests).toHaveLength(3);
    expect(client.stats()).toMatchObject({ retries: 2, rateLimited: 3, failures: 1 });
  });
});

describe('5xx', () => {
  it('retries a 5xx on GET, PUT and DELETE', async () => {
    const { org, client, delays } = await setup(
      sequence(unavailable, { body: queue }, broken, { body: queue }, unavailable, { status: 204 }),
    );
    await client.call(() => client.api.routing.getRoutingQueue('q-1'));
    await client.call(() => client.api.routing.putRoutingQueue('q-1', { name: 'Support' }));
    const deleted = await client.call(() => client.api.routing.deleteRoutingQueue('q-1'));
    expect(deleted).toBeUndefined();
    expect(org.apiRequests.map((r) => r.method)).toEqual(['GET', 'GET', 'PUT', 'PUT', 'DELETE', 'DELETE']);
    expect(delays).toEqual([375, 375, 375]);
  });

  it('honours Retry-After on a 503', async () => {
    const { client, delays } = await setup(
      sequence({ ...unavailable, headers: { 'retry-after': '4' } }, { body: queue }),
    );
    await client.call(() => client.api.routing.getRoutingQueue('q-1'));
    expect(delays).toEqual([4000]);
  });

  it('does not retry a 5xx on POST or PATCH', async () => {
    const { org, client, delays } = await setup(() => broken);
    const post = await failure(
      client.call(() => client.api.integrations.postIntegrationsActions(ACTION_INPUT)),
    );
    const patch = await failure(
      client.call(() => client.api.integrations.patchIntegrationsAction('a-1', { version: 1 })),
    );
    expect(post).toMatchObject({
      code: 'genesys.server_error',
      status: 500,
      method: 'POST',
      path: '/api/v2/integrations/actions',
    });
    expect(patch).toMatchObject({
      code: 'genesys.server_error',
      method: 'PATCH',
      path: '/api/v2/integrations/actions/a-1',
    });
    expect(org.apiRequests.map((r) => r.method)).toEqual(['POST', 'PATCH']);
    expect(delays).toEqual([]);
  });

  it('retries a POST the caller marks idempotent', async () => {
    const { org, client } = await setup(sequence(unavailable, { body: { id: 'a-1' } }));
    const created = await client.call(() => client.api.integrations.postIntegrationsActions(ACTION_INPUT), {
      idempotent: true,
    });
    expect(created).toEqual({ id: 'a-1' });
    expect(org.apiRequests.map((r) => r.method)).toEqual(['POST', 'POST']);
  });

  it('does not retry a GET the caller marks not idempotent', async () => {
    const { org, client } = await setup(sequence(unavailable, { body: queue }));
    await failure(client.call(() => client.api.routing.getRoutingQueue('q-1'), { idempotent: false }));
    expect(org.apiRequests).toHaveLength(1);
  });

  it('stops after maxRetries + 1 attempts', async () => {
    const { org, client, delays } = await setup(() => unavailable, { maxRetries: 3, baseDelayMs: 100 });
    const error = await failure(client.call(() => client.api.routing.getRoutingQueue('q-1')));
    expect(error).toMatchObject({ code: 'genesys.server_error', status: 503 });
    expect(org.apiRequests).toHaveLength(4);
    expect(delays).toEqual([75, 150, 300]);
  });

  it('does not retry other 4xx', async () => {
    const { org, client } = await setup(() => ({
      status: 400,
      body: { status: 400, code: 'bad.request', message: 'no' },
    }));
    await failure(client.call(() => client.api.routing.getRoutingQueue('q-1')));
    expect(org.apiRequests).toHaveLength(1);
  });
});

describe('network failures and timeouts', () => {
  it('retries a dropped connection on GET but not on POST', async () => {
    const { org, client } = await setup(sequence('destroy', { body: queue }, 'destroy'));
    expect(await client.call(() => client.api.routing.getRoutingQueue('q-1'))).toEqual(queue);
    const error = await failure(
      client.call(() => client.api.integrations.postIntegrationsActions(ACTION_INPUT)),
    );
    expect(error).toMatchObject({
      code: 'genesys.network',
      method: 'POST',
      path: '/api/v2/integrations/actions',
    });
    expect((error as { status?: number }).status).toBeUndefined();
    expect(org.apiRequests.map((r) => r.method)).toEqual(['GET', 'GET', 'POST']);
  });

  it('maps a request that outlives the timeout to genesys.timeout and retries it when idempotent', async () => {
    const { org, client } = await setup(sequence('hang', { body: queue }, 'hang'), { timeoutMs: 100 });
    expect(await client.call(() => client.api.routing.getRoutingQueue('q-1'))).toEqual(queue);
    const error = await failure(
      client.call(() => client.api.integrations.postIntegrationsActions(ACTION_INPUT)),
    );
    expect(error).toMatchObject({ code: 'genesys.timeout', method: 'POST' });
    expect(org.apiRequests).toHaveLength(3);
  });

  it('reports an unreachable org as genesys.network after retrying the login', async () => {
    const { org, client, delays } = await setup(() => ({ body: queue }), { maxRetries: 2 });
    await org.close();
    const error = await failure(client.call(() => client.api.routing.getRoutingQueue('q-1')));
    expect(error).toMatchObject({ code: 'genesys.network', method: 'POST', path: '/oauth/token' });
    expect(delays).toHaveLength(2);
  });
});

describe('retry logs', () => {
  it('logs each retry at debug with method, path, status and delay, never the token or secret', async () => {
    const log = memoryLogger();
    const { client } = await setup(sequence(tooMany('2'), unavailable, { body: queue }), {
      logger: log.logger,
    });
    await client.call(() => client.api.routing.getRoutingQueue('q-1'), { description: 'read queue' });
    const retries = log.lines().filter((l) => l.msg === 'retrying Genesys request');
    expect(retries).toEqual([
      expect.objectContaining({
        level: 20,
        component: 'genesys.platform',
        method: 'GET',
        path: '/api/v2/routing/queues/q-1',
        status: 429,
        delayMs: 2000,
        retry: 1,
        reason: 'rate-limited',
        description: 'read queue',
      }),
      expect.objectContaining({ status: 503, delayMs: 750, retry: 2, reason: 'server-error' }),
    ]);
    expect(log.text()).not.toContain('token-1');
    expect(log.text()).not.toContain(CLIENT_SECRET);
  });
});
