import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import platformClient from 'purecloud-platform-client-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import { SANDBOX } from '../../../src/config/defaults.js';
import { adminSdk, adminToken, call, sdkFailure, sdkFor, startSandbox, tokenFor } from './helpers.js';

const running: GenesysSandbox[] = [];
async function start(options: Parameters<typeof startSandbox>[0] = {}) {
  const s = await startSandbox(options);
  running.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

function expectErrorShape(body: Record<string, unknown>, status: number, code: string) {
  expect(body).toMatchObject({ status, code });
  expect(typeof body.message).toBe('string');
  expect(typeof body.contextId).toBe('string');
  expect(Array.isArray(body.details)).toBe(true);
  expect(Array.isArray(body.errors)).toBe(true);
}

describe('login and identity', () => {
  it('logs the SDK in with client credentials and answers tokens/me and organizations/me', async () => {
    const s = await start();
    expect(s.organizationId).toBe(SANDBOX.genesys.organizationId);
    const client = await adminSdk(s);
    const info = await new platformClient.TokensApi(client).getTokensMe();
    expect(info.organization?.id).toBe(s.organizationId);
    expect(info.OAuthClient?.id).toBe(SANDBOX.genesys.clientId);
    expect(info.OAuthClient?.authorizedGrantType).toBe('CLIENT-CREDENTIALS');
    const org = await new platformClient.OrganizationApi(client).getOrganizationsMe();
    expect(org.id).toBe(s.organizationId);
    expect(org.state).toBe('active');
  });

  it('refuses a bad secret with 401 and an OAuth error body', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${s.adminClient.id}:wrong`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    await expect(sdkFor(s).loginClientCredentialsGrant(s.adminClient.id, 'wrong')).rejects.toBeDefined();
  });

  it('refuses a token request without Basic auth (401) or with another grant type (400)', async () => {
    const s = await start();
    const noAuth = await fetch(`${s.url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(noAuth.status).toBe(401);
    const password = await fetch(`${s.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${s.adminClient.id}:${s.adminClient.secret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=password&username=a&password=b',
    });
    expect(password.status).toBe(400);
    expect(await password.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('answers 401 authentication.required without a token and bad.credentials for an unknown one', async () => {
    const s = await start();
    const none = await call(s, undefined, 'GET', '/api/v2/tokens/me');
    expect(none.status).toBe(401);
    expectErrorShape(none.body, 401, 'authentication.required');
    expect(none.headers.get('inin-correlation-id')).toBe(none.body.contextId);
    const unknown = await call(s, 'not-a-token', 'GET', '/api/v2/tokens/me');
    expect(unknown.status).toBe(401);
    expectErrorShape(unknown.body, 401, 'bad.credentials');
  });

  it('expires tokens after accessTokenValiditySeconds', async () => {
    const clock = new ManualClock();
    const s = await start({ clock });
    const token = await adminToken(s);
    expect((await call(s, token, 'GET', '/api/v2/tokens/me')).status).toBe(200);
    clock.advance(86_399_000);
    expect((await call(s, token, 'GET', '/api/v2/tokens/me')).status).toBe(200);
    clock.advance(2_000);
    const expired = await call(s, token, 'GET', '/api/v2/tokens/me');
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('bad.credentials');
  });

  it('revokes a token on DELETE tokens/me', async () => {
    const s = await start();
    const token = await adminToken(s);
    expect((await call(s, token, 'DELETE', '/api/v2/tokens/me')).status).toBe(204);
    expect((await call(s, token, 'GET', '/api/v2/tokens/me')).status).toBe(401);
  });

  it('refuses users/me for a client-credentials token (no user context)', async () => {
    const s = await start();
    const err = await sdkFailure(new platformClient.UsersApi(await adminSdk(s)).getUsersMe());
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/requires a user context/);
  });

  it('answers unknown routes and malformed JSON with Genesys error bodies', async () => {
    const s = await start();
    const token = await adminToken(s);
    const missing = await call(s, token, 'GET', '/api/v2/nothing/here');
    expect(missing.status).toBe(404);
    expectErrorShape(missing.body, 404, 'not.found');
    const queue = s.state.queues[0]!;
    const bad = await call(s, token, 'PUT', `/api/v2/routing/queues/${queue.id}`, '{"name": ');
    expect(bad.status).toBe(400);
    expectErrorShape(bad.body, 400, 'bad.request');
  });
});

describe('rate limiting, faults and request counts', () => {
  it('answers 429 with an integer Retry-After once a token passes its per-minute limit', async () => {
    const clock = new ManualClock();
    const s = await start({ clock, rateLimitPerMinute: 3 });
    const token = await adminToken(s);
    for (let i = 0; i < 3; i++) expect((await call(s, token, 'GET', '/api/v2/tokens/me')).status).toBe(200);
    clock.advance(15_000);
    const limited = await call(s, token, 'GET', '/api/v2/tokens/me');
    expect(limited.status).toBe(429);
    expectErrorShape(limited.body, 429, 'too.many.requests');
    expect(limited.headers.get('retry-after')).toBe('45');
    // Another token has its own window.
    expect((await call(s, await adminToken(s), 'GET', '/api/v2/tokens/me')).status).toBe(200);
    clock.advance(45_000);
    expect((await call(s, token, 'GET', '/api/v2/tokens/me')).status).toBe(200);
  });

  it('fails the next N requests with 5xx and bursts 429s when told by the control route', async () => {
    const s = await start();
    const token = await adminToken(s);
    const set = await call(s, undefined, 'POST', '/sandbox/faults', { failNext: 2, errorStatus: 502 });
    expect(set.status).toBe(200);
    expect((await call(s, token, 'GET', '/api/v2/tokens/me')).status).toBe(502);
    const second = await call(s, token, 'GET', '/api/v2/tokens/me');
    expect(second.status).toBe(502);
    expectErrorShape(second.body, 502, 'internal.server.error');
    expect((await call(s, token, 'GET', '/api/v2/tokens/me')).status).toBe(200);

    await call(s, undefined, 'POST', '/sandbox/faults', { rateLimitNext: 1, retryAfterSeconds: 7 });
    const limited = await call(s, token, 'GET', '/api/v2/tokens/me');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await call(s, token, 'GET', '/api/v2/tokens/me')).status).toBe(200);
  });

  it('fails a share of requests with the injected randomness and applies faults from options', async () => {
    const values = [0.1, 0.9];
    const s = await start({ faults: { errorRatio: 0.5 }, random: () => values.shift() ?? 0.9 });
    const token = await adminToken(s);
    expect((await call(s, token, 'GET', '/api/v2/tokens/me')).status).toBe(503);
    expect((await call(s, token, 'GET', '/api/v2/tokens/me')).status).toBe(200);
    await call(s, undefined, 'DELETE', '/sandbox/faults');
    expect((await call(s, undefined, 'GET', '/sandbox/faults')).body).toEqual({});
  });

  it('limits faults to some methods or paths, and adds latency without failing', async () => {
    const s = await start();
    const token = await adminToken(s);
    const q = s.state.queues[0]!;
    s.setFaults({ failNext: 1, methods: ['PUT'] });
    expect((await call(s, token, 'GET', `/api/v2/routing/queues/${q.id}`)).status).toBe(200);
    expect((await call(s, token, 'PUT', `/api/v2/routing/queues/${q.id}`, { name: q.name })).status).toBe(
      503,
    );
    s.setFaults({ failNext: 1, pathPrefix: '/oauth/' });
    expect((await call(s, token, 'GET', '/api/v2/tokens/me')).status).toBe(200);
    const login = await fetch(`${s.url}/oauth/token`, { method: 'POST' });
    expect(login.status).toBe(503);
    s.setFaults({ latencyMs: 20 });
    expect((await call(s, token, 'GET', '/api/v2/tokens/me')).status).toBe(200);
  });

  it('refuses a fault setting with an unknown field or a value out of range', async () => {
    const s = await start();
    const unknown = await call(s, undefined, 'POST', '/sandbox/faults', { failNextt: 2 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/Unrecognized field "failNextt"/);
    const ratio = await call(s, undefined, 'POST', '/sandbox/faults', { errorRatio: 2 });
    expect(ratio.status).toBe(400);
    const status = await call(s, undefined, 'POST', '/sandbox/faults', { errorStatus: 418 });
    expect(status.status).toBe(400);
    expect(status.body.message).toMatch(/must be one of \[500, 502, 503, 504\]/);
  });

  it('counts requests per method and route pattern, so "zero writes" can be asserted', async () => {
    const s = await start();
    const client = await adminSdk(s);
    const routing = new platformClient.RoutingApi(client);
    const queues = await routing.getRoutingQueues({});
    await routing.getRoutingQueue(queues.entities![0]!.id!);
    await routing.getRoutingQueue(queues.entities![1]!.id!);
    const counts = (await call(s, undefined, 'GET', '/sandbox/requests')).body as unknown as ReturnType<
      GenesysSandbox['requestCounts']
    >;
    expect(counts.writes).toBe(0);
    expect(counts.routes).toContainEqual({
      method: 'GET',
      route: '/api/v2/routing/queues/:queueId',
      count: 2,
      statuses: { '200': 2 },
    });
    expect(counts.routes.find((r) => r.route === '/oauth/token')?.count).toBe(1);
    await routing.putRoutingQueue(queues.entities![0]!.id!, { name: queues.entities![0]!.name! });
    expect(s.requestCounts().writes).toBe(1);
    s.resetRequestCounts();
    expect(s.requestCounts().total).toBe(0);
  });
});

describe('routing queues', () => {
  it('lists queues paged with a wildcard name filter and follows nextUri', async () => {
    const s = await start();
    const routing = new platformClient.RoutingApi(await adminSdk(s));
    const all = await routing.getRoutingQueues({ pageSize: 1 });
    expect(all.total).toBe(2);
    expect(all.pageCount).toBe(2);
    expect(all.entities).toHaveLength(1);
    expect(all.nextUri).toMatch(/pageNumber=2/);
    const second = await routing.getRoutingQueues({ pageSize: 1, pageNumber: 2 });
    expect(second.nextUri).toBeUndefined();
    expect(second.entities![0]!.name).not.toBe(all.entities![0]!.name);
    const support = await routing.getRoutingQueues({ name: 'supp*' });
    expect(support.entities!.map((q) => q.name)).toEqual(['Support']);
    const exact = await routing.getRoutingQueues({ name: 'Supp' });
    expect(exact.total).toBe(0);
  });

  it('turns audio monitoring on with a PUT that replaces the queue', async () => {
    const s = await start();
    const routing = new platformClient.RoutingApi(await adminSdk(s));
    const [queue] = (await routing.getRoutingQueues({ name: 'Support' })).entities!;
    const updated = await routing.putRoutingQueue(queue!.id!, {
      ...queue!,
      name: queue!.name!,
      enableAudioMonitoring: true,
    });
    expect(updated.enableAudioMonitoring).toBe(true);
    expect((await routing.getRoutingQueue(queue!.id!)).enableAudioMonitoring).toBe(true);
    // Left out = back to the default.
    const reset = await routing.putRoutingQueue(queue!.id!, { name: 'Support' });
    expect(reset.enableAudioMonitoring).toBe(false);
  });

  it('refuses a queue PUT with an unknown field, a missing name, a wrong type, and an unknown id', async () => {
    const s = await start();
    const token = await adminToken(s);
    const q = s.state.queues[0]!;
    const path = `/api/v2/routing/queues/${q.id}`;
    const unknown = await call(s, token, 'PUT', path, { name: q.name, enableAudioMonitorin: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe('Unrecognized field "enableAudioMonitorin"');
    const noName = await call(s, token, 'PUT', path, { enableAudioMonitoring: true });
    expect(noName.status).toBe(400);
    expect(noName.body.message).toBe('Missing required field "name"');
    const wrongType = await call(s, token, 'PUT', path, { name: q.name, enableAudioMonitoring: 'yes' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.details).toEqual([
      { errorCode: 'invalid.type', fieldName: 'enableAudioMonitoring' },
    ]);
    const missing = await call(
      s,
      token,
      'GET',
      '/api/v2/routing/queues/00000000-0000-0000-0000-000000000000',
    );
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not.found');
  });

  it('refuses a page size out of range', async () => {
    const s = await start();
    const bad = await call(s, await adminToken(s), 'GET', '/api/v2/routing/queues?pageSize=0');
    expect(bad.status).toBe(400);
  });
});

describe('lifecycle', () => {
  it('runs several sandboxes in one process, each with its own state', async () => {
    const a = await start();
    const b = await start();
    expect(a.port).not.toBe(b.port);
    const tokenA = await adminToken(a);
    expect((await call(b, tokenA, 'GET', '/api/v2/tokens/me')).status).toBe(401);
  });

  it('persists the org to a state file (mode 0600) and keeps tokens and changes across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genesys-sandbox-'));
    try {
      const stateFile = join(dir, 'org.json');
      const first = await startSandbox({ stateFile });
      const token = await adminToken(first);
      const q = first.state.queues[0]!;
      await call(first, token, 'PUT', `/api/v2/routing/queues/${q.id}`, {
        name: q.name,
        enableAudioMonitoring: true,
      });
      await first.stop();
      expect(statSync(stateFile).mode & 0o777).toBe(0o600);
      const second = await start({ stateFile });
      const again = await call<{ enableAudioMonitoring: boolean }>(
        second,
        token,
        'GET',
        `/api/v2/routing/queues/${q.id}`,
      );
      expect(again.status).toBe(200);
      expect(again.body.enableAudioMonitoring).toBe(true);
      expect(await tokenFor(second, second.adminClient.id, second.adminClient.secret)).toBeTruthy();
    } finally {
      await Promise.all(running.splice(0).map((s) => s.stop()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
