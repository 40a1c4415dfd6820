import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenProvider, isDaspeakError, type DaspeakError } from '../../src/daspeak/index.js';
import {
  FakeClock,
  TEST_SECRETS,
  startContractServer,
  waitFor,
  type ContractServer,
} from './contract-server.js';

let server: ContractServer;
let clock: FakeClock;

beforeEach(async () => {
  server = await startContractServer();
  clock = new FakeClock();
});
afterEach(async () => {
  await server.close();
});

function provider(overrides: Partial<Parameters<typeof createTokenProvider>[0]> = {}) {
  return createTokenProvider({
    tokenUrl: server.tokenUrl,
    clientId: TEST_SECRETS.clientId,
    clientSecret: TEST_SECRETS.clientSecret,
    clock,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<DaspeakError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDaspeakError(err)) throw new Error(`expected a DaspeakError, got ${String(err)}`);
  return err;
}

describe('das-Peak token provider', () => {
  it('asks with a form-encoded client-credentials request and caches the answer', async () => {
    const tokens = provider();
    const first = await tokens.getToken();
    expect(first.tokenType).toBe('Bearer');
    expect(first.lifetimeAssumed).toBe(false);
    expect(first.expiresAt).toBe(clock.now() + 3600_000);
    const [sent] = server.tokenForms;
    expect(sent?.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(sent!.form)).toEqual({
      client_id: TEST_SECRETS.clientId,
      client_secret: TEST_SECRETS.clientSecret,
      grant_type: 'client_credentials',
    });
    clock.advance(60_000);
    expect((await tokens.getToken()).accessToken).toBe(first.accessToken);
    expect(server.tokenRequests).toBe(1);
  });

  it('refreshes shortly before expiry (configurable margin)', async () => {
    const tokens = provider({ refreshMarginSeconds: 120 });
    const first = await tokens.getToken();
    clock.advance((3600 - 121) * 1000);
    expect((await tokens.getToken()).accessToken).toBe(first.accessToken);
    clock.advance(2000);
    const second = await tokens.getToken();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(server.tokenRequests).toBe(2);
  });

  it('assumes the configured lifetime when expires_in is absent', async () => {
    server.tokenExpiresIn = undefined;
    const tokens = provider({ defaultExpiresInSeconds: 600, refreshMarginSeconds: 60 });
    const first = await tokens.getToken();
    expect(first.lifetimeAssumed).toBe(true);
    expect(first.expiresAt).toBe(clock.now() + 600_000);
    clock.advance(539_000);
    expect((await tokens.getToken()).accessToken).toBe(first.accessToken);
    clock.advance(2000);
    expect((await tokens.getToken()).accessToken).not.toBe(first.accessToken);
  });

  it('never keeps a margin longer than half the lifetime', async () => {
    server.tokenExpiresIn = 10;
    const tokens = provider({ refreshMarginSeconds: 60 });
    const first = await tokens.getToken();
    clock.advance(4000);
    expect((await tokens.getToken()).accessToken).toBe(first.accessToken);
    clock.advance(2000);
    expect((await tokens.getToken()).accessToken).not.toBe(first.accessToken);
  });

  it('sends one upstream request for many concurrent callers', async () => {
    let release!: () => void;
    server.tokenGate = new Promise<void>((resolve) => (release = resolve));
    const tokens = provider();
    const waiting = Array.from({ length: 8 }, () => tokens.getToken());
    // The server holds its answer until every caller is waiting on the one request it received.
    await waitFor(() => server.tokenRequests === 1, 'the token request');
    release();
    const got = await Promise.all(waiting);
    expect(new Set(got.map((t) => t.accessToken)).size).toBe(1);
    expect(server.tokenRequests).toBe(1);
  });

  it('refuses a wrong secret with the server status and answer, never the secret', async () => {
    const secret = 'definitely-wrong-secret';
    const tokens = provider({ clientSecret: secret });
    const err = await failure(tokens.getToken());
    expect(err.code).toBe('daspeak.auth_failed');
    expect(err.upstreamStatus).toBe(401);
    expect(err.serverCode).toBe('invalid_client');
    expect(err.hint).toMatch(/DASPEAK_CLIENT_SECRET/);
    expect(err.status).toBe(502);
    const everything = JSON.stringify({
      message: err.message,
      details: err.details,
      excerpt: err.bodyExcerpt,
    });
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(secret);
  });

  it('does not cache a failure', async () => {
    let failOnce = true;
    server.tokenOverride = () => {
      if (!failOnce) return undefined;
      failOnce = false;
      return { status: 503, json: { error: 'temporarily_unavailable' } };
    };
    const tokens = provider();
    const err = await failure(tokens.getToken());
    expect(err.code).toBe('daspeak.http_error');
    expect(err.upstreamStatus).toBe(503);
    expect((await tokens.getToken()).accessToken).toMatch(/^tok-2-/);
  });

  it('forgets the token on invalidate(), but only the one named', async () => {
    const tokens = provider();
    const first = await tokens.getToken();
    tokens.invalidate('some-other-token');
    expect((await tokens.getToken()).accessToken).toBe(first.accessToken);
    tokens.invalidate(first.accessToken);
    const second = await tokens.getToken();
    expect(second.accessToken).not.toBe(first.accessToken);
    tokens.invalidate();
    expect((await tokens.getToken()).accessToken).not.toBe(second.accessToken);
    expect(server.tokenRequests).toBe(3);
  });

  it('calls answers that break the contract bad_response', async () => {
    const tokens = provider();
    server.tokenOverride = () => ({ status: 200, json: { token_type: 'Bearer', expires_in: 3600 } });
    const missing = await failure(tokens.getToken());
    expect(missing.code).toBe('daspeak.bad_response');
    expect(missing.message).toMatch(/access_token/);
    server.tokenOverride = () => ({ status: 200, raw: '<html>gateway</html>' });
    expect((await failure(tokens.getToken())).code).toBe('daspeak.bad_response');
    server.tokenOverride = () => ({ status: 200, json: { access_token: 'a', expires_in: 'soon' } });
    expect((await failure(tokens.getToken())).code).toBe('daspeak.bad_response');
  });

  it('reports an unreachable auth server as a connection error', async () => {
    const origin = server.origin;
    await server.close();
    const tokens = createTokenProvider({
      tokenUrl: `${origin}/socket.io/oauth2/token`,
      clientId: 'c',
      clientSecret: 's3cret-value',
    });
    const err = await failure(tokens.getToken());
    expect(err.code).toBe('daspeak.connection');
    server = await startContractServer();
  });

  it('lets one caller give up without cancelling the others', async () => {
    let release!: () => void;
    server.tokenGate = new Promise<void>((resolve) => (release = resolve));
    const tokens = provider();
    const controller = new AbortController();
    const impatient = tokens.getToken({ signal: controller.signal });
    const patient = tokens.getToken();
    controller.abort();
    expect((await failure(impatient)).code).toBe('daspeak.aborted');
    release();
    expect((await patient).accessToken).toMatch(/^tok-1-/);
  });
});
