import { afterEach, describe, expect, it } from 'vitest';
import {
  createPlatformClient,
  type PlatformClient,
  type PlatformClientOptions,
} from '../../../src/genesys/platform/index.js';
import {
  ManualClock,
  startGenesysSandbox,
  type GenesysSandbox,
  type GenesysSandboxOptions,
} from '../../../src/sandbox/genesys/index.js';

/*
 * The platform client against the local Genesys sandbox org (src/sandbox/genesys), through the
 * real SDK. The client's sleep moves the sandbox's manual clock, so waiting out a Retry-After of
 * 60 s takes no time and rolls the sandbox's rate-limit window exactly as a real wait would.
 */

let sandbox: GenesysSandbox | undefined;
const clients: PlatformClient[] = [];
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await sandbox?.stop();
  sandbox = undefined;
});

async function start(options: GenesysSandboxOptions = {}, clientOptions: PlatformClientOptions = {}) {
  const clock = new ManualClock();
  sandbox = await startGenesysSandbox({ port: 0, clock, ...options });
  const delays: number[] = [];
  const client = connect(sandbox, sandbox.adminClient, {
    clock: () => clock.now(),
    sleep: async (ms) => {
      delays.push(ms);
      clock.advance(ms);
    },
    random: () => 0.5,
    ...clientOptions,
  });
  return { sandbox, clock, delays, client };
}

function connect(
  s: GenesysSandbox,
  credentials: { id: string; secret: string },
  options: PlatformClientOptions,
): PlatformClient {
  const client = createPlatformClient(
    { baseUrl: s.url, clientId: credentials.id, clientSecret: credentials.secret },
    options,
  );
  clients.push(client);
  return client;
}

const statuses = (s: GenesysSandbox, method: string, route: string) =>
  s.requestCounts().routes.find((r) => r.method === method && r.route === route)?.statuses ?? {};

describe('platform client against the sandbox org', () => {
  it('logs in with client credentials and reads the org', async () => {
    const { sandbox, client } = await start();
    const me = await client.call(() => client.api.tokens.getTokensMe());
    expect(me.organization?.id).toBe(sandbox.organizationId);
    expect(client.stats()).toMatchObject({ logins: 1, reads: 1, writes: 0 });
  });

  it('reports a wrong secret as genesys.login_failed', async () => {
    const { sandbox } = await start();
    const wrong = connect(sandbox, { id: sandbox.adminClient.id, secret: 'not-the-secret' }, {});
    await expect(wrong.login()).rejects.toMatchObject({
      code: 'genesys.login_failed',
      status: 401,
      genesysCode: 'invalid_client',
    });
  });

  it('pages through routing queues following nextUri', async () => {
    const { sandbox, client } = await start();
    const names: string[] = [];
    for await (const q of client.paginate(
      (pageNumber) => client.api.routing.getRoutingQueues({ pageSize: 1, pageNumber }),
      { description: 'routing queues' },
    )) {
      names.push(q.name ?? '');
    }
    expect(names).toEqual(sandbox.state.queues.map((q) => q.name).sort((a, b) => a.localeCompare(b)));
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(statuses(sandbox, 'GET', '/api/v2/routing/queues')).toEqual({ '200': names.length });
  });

  it("completes a 429 storm from the sandbox's per-token limit, honouring Retry-After", async () => {
    const { sandbox, client, delays } = await start({ rateLimitPerMinute: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const me = await client.call(() => client.api.tokens.getTokensMe());
      ids.push(me.organization?.id ?? '');
    }
    expect(ids).toEqual(Array(7).fill(sandbox.organizationId));
    // 3 fit the first window; the 4th waits the 60 s the sandbox asks for, and so does the 7th.
    expect(delays).toEqual([60_000, 60_000]);
    expect(statuses(sandbox, 'GET', '/api/v2/tokens/me')).toEqual({ '200': 7, '429': 2 });
    expect(client.stats()).toMatchObject({ rateLimited: 2, retries: 2, failures: 0 });
  });

  it('completes a concurrent 429 storm with every wait taken from Retry-After', async () => {
    const { sandbox, client, delays } = await start({ rateLimitPerMinute: 4 }, { maxRetries: 10 });
    const results = await Promise.all(
      Array.from({ length: 12 }, () => client.call(() => client.api.tokens.getTokensMe())),
    );
    expect(results.every((me) => me.organization?.id === sandbox.organizationId)).toBe(true);
    const counted = statuses(sandbox, 'GET', '/api/v2/tokens/me');
    expect(counted['200']).toBe(12);
    expect(delays).toHaveLength(counted['429'] ?? 0);
    expect(delays.length).toBeGreaterThan(0);
    // Retry-After is whole seconds within the one-minute window; no backoff value (…375, 750…) appears.
    for (const ms of delays) {
      expect(ms % 1000).toBe(0);
      expect(ms).toBeGreaterThanOrEqual(1000);
      expect(ms).toBeLessThanOrEqual(60_000);
    }
  });

  it('rides out injected 429s with the Retry-After the sandbox sets', async () => {
    const { sandbox, client, delays } = await start({ faults: { rateLimitNext: 4, retryAfterSeconds: 2 } });
    await client.call(() => client.api.routing.getRoutingQueues());
    expect(delays).toEqual([2000, 2000, 2000, 2000]);
    expect(statuses(sandbox, 'GET', '/api/v2/routing/queues')).toEqual({ '200': 1, '429': 4 });
  });

  it('retries 5xx on idempotent calls (GET, PUT)', async () => {
    const { sandbox, client, delays } = await start();
    const queue = sandbox.state.queues[0]!;
    sandbox.setFaults({ failNext: 2, errorStatus: 503, methods: ['GET', 'PUT'] });
    const read = await client.call(() => client.api.routing.getRoutingQueue(queue.id));
    const updated = await client.call(() =>
      client.api.routing.putRoutingQueue(queue.id, { name: read.name!, enableAudioMonitoring: true }),
    );
    expect(updated.enableAudioMonitoring).toBe(true);
    expect(delays).toEqual([375, 750]);
    expect(statuses(sandbox, 'GET', '/api/v2/routing/queues/:queueId')).toEqual({ '200': 1, '503': 2 });
    expect(statuses(sandbox, 'PUT', '/api/v2/routing/queues/:queueId')).toEqual({ '200': 1 });
  });

  it('does not retry a 5xx on a POST, unless the caller marks it idempotent', async () => {
    const { sandbox, client } = await start();
    const before = sandbox.state.oauthClients.length;
    const [employee] = (
      await client.call(() => client.api.authorization.getAuthorizationRoles({ name: 'employee' }))
    ).entities!;
    const home = await client.call(() => client.api.authorization.getAuthorizationDivisionsHome());
    const body = {
      name: 'kit test client',
      authorizedGrantType: 'CLIENT-CREDENTIALS' as const,
      roleDivisions: [{ roleId: employee!.id!, divisionId: home.id! }],
    };

    sandbox.setFaults({ failNext: 1, errorStatus: 500, methods: ['POST'] });
    await expect(client.call(() => client.api.oauth.postOauthClients(body))).rejects.toMatchObject({
      code: 'genesys.server_error',
      status: 500,
      genesysCode: 'internal.server.error',
      method: 'POST',
      path: '/api/v2/oauth/clients',
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
    });
    expect(statuses(sandbox, 'POST', '/api/v2/oauth/clients')).toEqual({ '500': 1 });
    expect(sandbox.state.oauthClients).toHaveLength(before);

    sandbox.setFaults({ failNext: 1, errorStatus: 500, methods: ['POST'] });
    const created = await client.call(() => client.api.oauth.postOauthClients(body), { idempotent: true });
    expect(created.secret).toBeTruthy();
    expect(statuses(sandbox, 'POST', '/api/v2/oauth/clients')).toEqual({ '500': 2, '200': 1 });
    expect(sandbox.state.oauthClients).toHaveLength(before + 1);
  });

  it('refreshes a short-lived token before it expires, and logs in again when the org refuses it', async () => {
    const { sandbox, clock, client: admin } = await start();
    const [employee] = (
      await admin.call(() => admin.api.authorization.getAuthorizationRoles({ name: 'employee' }))
    ).entities!;
    const home = await admin.call(() => admin.api.authorization.getAuthorizationDivisionsHome());
    const created = await admin.call(() =>
      admin.api.oauth.postOauthClients({
        name: 'short-lived',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        accessTokenValiditySeconds: 300,
        roleDivisions: [{ roleId: employee!.id!, divisionId: home.id! }],
      }),
    );

    // Refresh by the shared clock: a 300 s token with a 60 s margin is renewed from 240 s on.
    const shortLived = connect(
      sandbox,
      { id: created.id!, secret: created.secret! },
      { clock: () => clock.now() },
    );
    await shortLived.call(() => shortLived.api.tokens.getTokensMe());
    clock.advance(240_000);
    await shortLived.call(() => shortLived.api.tokens.getTokensMe());
    expect(shortLived.stats().logins).toBe(2);

    // A client whose own clock stands still sends a token the org has expired: one 401, one re-login.
    const frozen = connect(sandbox, { id: created.id!, secret: created.secret! }, { clock: () => 0 });
    await frozen.login();
    clock.advance(301_000);
    const me = await frozen.call(() => frozen.api.tokens.getTokensMe());
    expect(me.organization?.id).toBe(sandbox.organizationId);
    expect(frozen.stats()).toMatchObject({ logins: 2, retries: 0, failures: 0, requests: { GET: 2 } });
  });

  it('sends a raw request through the same path (array answer, 404 as a typed error)', async () => {
    const { sandbox, client } = await start();
    const missing = client.request('GET', '/api/v2/routing/queues/00000000-0000-4000-8000-000000000000');
    await expect(missing).rejects.toMatchObject({ code: 'genesys.not_found', status: 404 });
    const listing = await client.request<{ entities: { id: string }[] }>(
      'GET',
      '/api/v2/routing/queues',
      undefined,
      {
        query: { pageSize: 100 },
      },
    );
    expect(listing.entities.map((q) => q.id).sort()).toEqual(sandbox.state.queues.map((q) => q.id).sort());
  });
});
