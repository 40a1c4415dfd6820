import { afterEach, describe, expect, it } from 'vitest';
import { createTokenProvider, DaspeakError, TokenResponseSchema, check } from '../../../src/daspeak/index.js';
import { connectResult, newCallId, rawSocket, startSandbox, stopAll, tokenFor } from './helpers.js';

/* The OAuth2 client-credentials endpoint of the Socket.IO channel, and what the tokens unlock. */

afterEach(stopAll);

function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields);
}

describe('token endpoint', () => {
  it('issues a Bearer token for the right client (form-encoded), with the configured lifetime', async () => {
    const sandbox = await startSandbox({ tokenLifetimeSeconds: 120 });
    const res = await fetch(sandbox.urls.token, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({
        client_id: sandbox.credentials.clientId,
        client_secret: sandbox.credentials.clientSecret,
        grant_type: 'client_credentials',
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body: unknown = await res.json();
    expect(check(TokenResponseSchema, body).ok).toBe(true);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 120 });
  });

  it('the kit token provider gets one; a wrong secret is refused as auth_failed (401 invalid_client)', async () => {
    const sandbox = await startSandbox();
    const good = createTokenProvider({
      tokenUrl: sandbox.urls.token,
      clientId: sandbox.credentials.clientId,
      clientSecret: sandbox.credentials.clientSecret,
    });
    expect((await good.getToken()).tokenType).toBe('Bearer');
    const bad = createTokenProvider({
      tokenUrl: sandbox.urls.token,
      clientId: sandbox.credentials.clientId,
      clientSecret: 'not-the-secret',
    });
    const err = await bad.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaspeakError);
    expect(err).toMatchObject({
      code: 'daspeak.auth_failed',
      upstreamStatus: 401,
      serverCode: 'invalid_client',
    });
  });

  it('accepts HTTP Basic client authentication (RFC 6749 §2.3.1)', async () => {
    const sandbox = await startSandbox();
    const basic = Buffer.from(`${sandbox.credentials.clientId}:${sandbox.credentials.clientSecret}`).toString(
      'base64',
    );
    const res = await fetch(sandbox.urls.token, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${basic}` },
      body: form({ grant_type: 'client_credentials' }),
    });
    expect(res.status).toBe(200);
  });

  it.each<{
    name: string;
    init: { body: string | URLSearchParams; type?: string };
    status: number;
    error: string;
  }>([
    {
      name: 'another grant type',
      init: { body: form({ client_id: 'x', client_secret: 'y', grant_type: 'password' }) },
      status: 400,
      error: 'unsupported_grant_type',
    },
    {
      name: 'missing fields',
      init: { body: form({ grant_type: 'client_credentials' }) },
      status: 400,
      error: 'invalid_request',
    },
    {
      name: 'a JSON body',
      init: { body: JSON.stringify({ grant_type: 'client_credentials' }), type: 'application/json' },
      status: 400,
      error: 'invalid_request',
    },
    {
      name: 'a repeated parameter',
      init: {
        body: 'grant_type=client_credentials&grant_type=client_credentials&client_id=a&client_secret=b',
      },
      status: 400,
      error: 'invalid_request',
    },
    {
      name: 'an unknown client',
      init: { body: form({ client_id: 'who', client_secret: 'x', grant_type: 'client_credentials' }) },
      status: 401,
      error: 'invalid_client',
    },
  ])('refuses $name ($status $error)', async ({ init, status, error }) => {
    const sandbox = await startSandbox();
    const res = await fetch(sandbox.urls.token, {
      method: 'POST',
      headers: { 'Content-Type': init.type ?? 'application/x-www-form-urlencoded' },
      body: init.body,
    });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error });
  });

  it('answers GET with 405 and an oversize body with 413', async () => {
    const sandbox = await startSandbox({ limits: { maxBodyBytes: 256 } });
    expect((await fetch(sandbox.urls.token)).status).toBe(405);
    const res = await fetch(sandbox.urls.token, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `client_id=${'x'.repeat(1000)}`,
    });
    expect(res.status).toBe(413);
  });
});

describe('tokens on the Socket.IO channel', () => {
  it.each([
    ['auth payload', (token: string) => ({ auth: { token } })],
    ['query parameter', (token: string) => ({ query: { access_token: token } })],
    ['Authorization header', (token: string) => ({ headers: { Authorization: `Bearer ${token}` } })],
  ])('accepts a token in the %s', async (_name, present) => {
    const sandbox = await startSandbox();
    const socket = rawSocket(sandbox, '/socket.io/register', present(await tokenFor(sandbox)));
    expect(await connectResult(socket)).toBe('connected');
    socket.disconnect();
  });

  it.each([
    ['no token', {}],
    ['an unknown token', { auth: { token: 'forged' } }],
    ['a malformed header', { headers: { Authorization: 'Token abc' } }],
  ])('refuses %s with connect_error "unauthorized"', async (_name, options) => {
    const sandbox = await startSandbox();
    for (const namespace of ['/socket.io/register', '/verify']) {
      const socket = rawSocket(sandbox, namespace, options);
      expect(await connectResult(socket)).toBe('unauthorized');
      socket.disconnect();
    }
  });

  it('refuses an expired token (injected clock) and a revoked one', async () => {
    let now = Date.now();
    const sandbox = await startSandbox({ tokenLifetimeSeconds: 60, clock: { now: () => now } });
    const token = await tokenFor(sandbox);
    const early = rawSocket(sandbox, '/register', { auth: { token } });
    expect(await connectResult(early)).toBe('connected');
    early.disconnect();
    now += 61_000;
    const late = rawSocket(sandbox, '/register', { auth: { token } });
    expect(await connectResult(late)).toBe('unauthorized');
    late.disconnect();

    const fresh = await tokenFor(sandbox);
    sandbox.revokeTokens();
    const revoked = rawSocket(sandbox, '/register', { auth: { token: fresh } });
    expect(await connectResult(revoked)).toBe('unauthorized');
    revoked.disconnect();
  });

  it('the kit client gets past a token that was revoked under it (one retry with a new token)', async () => {
    const sandbox = await startSandbox({ timeouts: { consumerReadyMs: 100 } });
    const { clientFor } = await import('./helpers.js');
    const client = clientFor(sandbox);
    await client.tokens.getToken();
    sandbox.revokeTokens();
    const outcome = await client.register({ callId: newCallId(), channel: 'socketio' });
    // It connected and the session ran (no audio here): the token was renewed.
    expect(outcome).toMatchObject({ kind: 'error', code: 'consumer-not-ready' });
  });
});
