import { afterEach, describe, expect, it } from 'vitest';
import {
  createPlatformClient,
  isGenesysApiError,
  type PlatformClient,
} from '../../../src/genesys/platform/index.js';
import {
  ACTION_INPUT,
  CLIENT_ID,
  CLIENT_SECRET,
  memoryLogger,
  recordingSleep,
  startFakeOrg,
  type FakeOrg,
} from './helpers/scripted-server.js';

const me = { organization: { id: 'org-1' }, OAuthClient: { id: CLIENT_ID } };

let org: FakeOrg | undefined;
let client: PlatformClient | undefined;
afterEach(async () => {
  client?.close();
  await org?.close();
  client = undefined;
  org = undefined;
});

function connect(server: FakeOrg, extra: Parameters<typeof createPlatformClient>[1] = {}): PlatformClient {
  client = createPlatformClient(
    { baseUrl: server.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    { sleep: recordingSleep().sleep, ...extra },
  );
  return client;
}

describe('client-credentials login', () => {
  it('logs in once for concurrent callers and sends the token on every call', async () => {
    org = await startFakeOrg(() => ({ body: me }));
    const c = connect(org);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => c.call(() => c.api.tokens.getTokensMe())),
    );

    expect(results.map((r) => r.organization?.id)).toEqual(Array(5).fill('org-1'));
    expect(org.tokenRequests).toHaveLength(1);
    const login = org.tokenRequests[0]!;
    expect(login.method).toBe('POST');
    expect(login.headers.authorization).toBe(
      `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
    );
    expect(login.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(login.body).toBe('grant_type=client_credentials');
    expect(org.apiRequests.map((r) => r.headers.authorization)).toEqual(Array(5).fill('Bearer token-1'));
    expect(org.apiRequests.map((r) => `${r.method} ${r.path}`)).toEqual(
      Array(5).fill('GET /api/v2/tokens/me'),
    );
    expect(c.stats()).toMatchObject({ calls: 5, logins: 1, reads: 5, writes: 0, requests: { GET: 5 } });
  });

  it('login() logs in eagerly; later calls reuse the token', async () => {
    org = await startFakeOrg(() => ({ body: me }));
    const c = connect(org);
    await c.login();
    expect(org.tokenRequests).toHaveLength(1);
    expect(org.apiRequests).toHaveLength(0);
    await c.call(() => c.api.tokens.getTokensMe());
    expect(org.tokenRequests).toHaveLength(1);
  });

  it('refreshes the token shortly before it expires, by the injected clock', async () => {
    org = await startFakeOrg(() => ({ body: me }), { expiresIn: 600 });
    let now = 1_000_000;
    const c = connect(org, { clock: () => now, refreshMarginMs: 60_000 });
    await c.call(() => c.api.tokens.getTokensMe());
    now += 539_999; // 600 s lifetime − 60 s margin, minus 1 ms
    await c.call(() => c.api.tokens.getTokensMe());
    expect(org.tokenRequests).toHaveLength(1);
    now += 1;
    await c.call(() => c.api.tokens.getTokensMe());
    expect(org.tokenRequests).toHaveLength(2);
    expect(org.apiRequests.map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('caps the refresh margin at half of a short token lifetime', async () => {
    org = await startFakeOrg(() => ({ body: me }), { expiresIn: 60 });
    let now = 0;
    const c = connect(org, { clock: () => now, refreshMarginMs: 60_000 });
    await c.call(() => c.api.tokens.getTokensMe());
    now = 29_999;
    await c.call(() => c.api.tokens.getTokensMe());
    expect(org.tokenRequests).toHaveLength(1);
    now = 30_000;
    await c.call(() => c.api.tokens.getTokensMe());
    expect(org.tokenRequests).toHaveLength(2);
  });

  it('logs in again once after a 401 and repeats the call, even for a POST', async () => {
    org = await startFakeOrg((r) => (r.method === 'POST' ? { body: { id: 'a-1' } } : { body: me }));
    const log = memoryLogger();
    const c = connect(org, { logger: log.logger });
    await c.call(() => c.api.tokens.getTokensMe());
    org.revoke('token-1');

    const created = await c.call(() => c.api.integrations.postIntegrationsActions(ACTION_INPUT));

    expect(created).toEqual({ id: 'a-1' });
    expect(org.tokenRequests).toHaveLength(2);
    expect(org.apiRequests.slice(1).map((r) => `${r.method} ${r.headers.authorization}`)).toEqual([
      'POST Bearer token-1',
      'POST Bearer token-2',
    ]);
    expect(c.stats().retries).toBe(0);
    expect(log.text()).toContain('logging in again');
    expect(log.text()).not.toContain('token-1');
  });

  it('gives up after the one re-login when the new token is refused too', async () => {
    org = await startFakeOrg(() => ({ body: me }));
    const c = connect(org);
    await c.login();
    org.refuseAllTokens();

    const error: unknown = await c.call(() => c.api.tokens.getTokensMe()).catch((e: unknown) => e);

    expect(isGenesysApiError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'genesys.unauthorized',
      status: 401,
      genesysCode: 'bad.credentials',
    });
    expect(org.tokenRequests).toHaveLength(2);
    expect(org.apiRequests).toHaveLength(2);
    expect(c.stats().failures).toBe(1);
  });

  it('reports refused credentials as genesys.login_failed without retrying or leaking the secret', async () => {
    org = await startFakeOrg(() => ({ body: me }), {
      // A server that echoes what it was sent must still not put the secret into our error.
      onToken: () => ({
        status: 401,
        body: { error: 'invalid_client', description: `bad secret ${CLIENT_SECRET}` },
      }),
    });
    const c = connect(org);

    const error: unknown = await c.call(() => c.api.tokens.getTokensMe()).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'genesys.login_failed',
      status: 401,
      genesysCode: 'invalid_client',
      method: 'POST',
      path: '/oauth/token',
    });
    const e = error as Error & { hint?: string };
    expect(e.hint).toContain('genesys.clientSecret');
    expect(`${e.message} ${JSON.stringify(e)}`).not.toContain(CLIENT_SECRET);
    expect(e.message).toContain('[redacted]');
    expect(org.tokenRequests).toHaveLength(1);
    expect(org.apiRequests).toHaveLength(0);
  });

  it('retries a rate-limited login after Retry-After', async () => {
    const { sleep, delays } = recordingSleep();
    org = await startFakeOrg(() => ({ body: me }), {
      onToken: (_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '3' }, body: {} } : undefined),
    });
    const c = connect(org, { sleep });
    await c.call(() => c.api.tokens.getTokensMe());
    expect(delays).toEqual([3000]);
    expect(org.tokenRequests).toHaveLength(2);
    expect(c.stats()).toMatchObject({ logins: 2, rateLimited: 1, retries: 1 });
  });

  it('does not repeat a login that used up its own retries', async () => {
    const { sleep, delays } = recordingSleep();
    org = await startFakeOrg(() => ({ body: me }), {
      onToken: () => ({ status: 429, headers: { 'retry-after': '1' }, body: {} }),
    });
    const c = connect(org, { sleep, maxRetries: 2 });
    await expect(c.call(() => c.api.tokens.getTokensMe())).rejects.toMatchObject({
      code: 'genesys.rate_limited',
      path: '/oauth/token',
    });
    expect(org.tokenRequests).toHaveLength(3);
    expect(delays).toEqual([1000, 1000]);
  });

  it('shares one failed login among concurrent callers, then tries again on the next call', async () => {
    org = await startFakeOrg(() => ({ body: me }), {
      onToken: (_r, n) => (n === 1 ? { status: 400, body: { error: 'invalid_request' } } : undefined),
    });
    const c = connect(org);
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => c.call(() => c.api.tokens.getTokensMe())));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(org.tokenRequests).toHaveLength(1);
    await c.call(() => c.api.tokens.getTokensMe());
    expect(org.tokenRequests).toHaveLength(2);
  });

  it('rejects a token response without access_token and expires_in', async () => {
    org = await startFakeOrg(() => ({ body: me }), { onToken: () => ({ body: { token: 'x' } }) });
    const c = connect(org);
    await expect(c.login()).rejects.toMatchObject({ code: 'genesys.login_invalid_response', status: 200 });
  });
});
