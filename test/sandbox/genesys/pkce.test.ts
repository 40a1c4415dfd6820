import platformClient from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { ManualClock, type GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import {
  adminToken,
  call,
  createPkceClient,
  pkcePair,
  sdkFor,
  signInForCode,
  tokenRequest,
  useSandboxes,
} from './helpers.js';

const { start } = useSandboxes();

const PAGE = 'http://127.0.0.1:18080/';
const POPUP = 'http://127.0.0.1:18080/auth-popup.html';
const BROWSER = { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

function authorizeUrl(s: GenesysSandbox, params: Record<string, string>): string {
  return `${s.url}/oauth/authorize?${new URLSearchParams(params).toString()}`;
}

/** A PKCE client, a pair, and the authorize parameters the SDK's loginPKCEGrant sends. */
async function setUp(s: GenesysSandbox) {
  const admin = await adminToken(s);
  const clientId = await createPkceClient(s, admin, [PAGE, POPUP]);
  const pair = pkcePair();
  const params = {
    client_id: clientId,
    redirect_uri: POPUP,
    code_challenge: pair.challenge,
    code_challenge_method: 'S256',
    response_type: 'code',
    state: 'conversation-42',
  };
  return { admin, clientId, pair, params };
}

async function exchange(
  s: GenesysSandbox,
  clientId: string,
  code: string,
  verifier: string,
  redirectUri = POPUP,
) {
  return tokenRequest(s, {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    client_id: clientId,
    redirect_uri: redirectUri,
  });
}

describe('authorization code with PKCE', () => {
  it('shows a sign-in form, signs an agent in, and exchanges the code for a user token', async () => {
    const s = await start();
    const { clientId, pair, params } = await setUp(s);

    const form = await fetch(authorizeUrl(s, { ...params, login_hint: s.agents[1]!.email }), {
      headers: BROWSER,
    });
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toMatch(/text\/html/);
    const csp = form.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self' http://127.0.0.1:18080");
    expect(form.headers.get('x-frame-options')).toBe('DENY');
    const html = await form.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('id="password"');
    expect(html).toContain(`value="${s.agents[1]!.email}"`);
    expect(html).toContain(s.agents[0]!.password);
    expect(html).toContain(`name="code_challenge" value="${pair.challenge}"`);

    const wrong = await fetch(`${s.url}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...BROWSER },
      body: new URLSearchParams({ ...params, username: s.agents[1]!.email, password: 'nope' }).toString(),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('id="sign-in-error"');

    const { code, location, cookie } = await signInForCode(s, params, s.agents[1]!.email);
    expect(`${location.origin}${location.pathname}`).toBe(POPUP);
    expect(location.searchParams.get('state')).toBe('conversation-42');
    expect(cookie).toMatch(/^sandbox_login_\d+=/);

    const t = await exchange(s, clientId, code, pair.verifier);
    expect(t.status).toBe(200);
    expect(t.headers.get('cache-control')).toBe('no-store');
    expect(t.body).toMatchObject({ token_type: 'bearer', expires_in: 86400 });
    const token = t.body.access_token as string;
    const me = await call<{ id: string }>(s, token, 'GET', '/api/v2/users/me');
    expect(me.body.id).toBe(s.agents[1]!.id);
    const info = await call<{ OAuthClient: { authorizedGrantType: string } }>(
      s,
      token,
      'GET',
      '/api/v2/tokens/me',
    );
    expect(info.body.OAuthClient.authorizedGrantType).toBe('PKCE');
  });

  it("works with the Genesys SDK's own challenge and code exchange (authorizePKCEGrant)", async () => {
    const s = await start();
    const admin = await adminToken(s);
    const clientId = await createPkceClient(s, admin, [POPUP]);
    const sdk = sdkFor(s);
    const verifier = sdk.generatePKCECodeVerifier(128);
    const challenge = await sdk.computePKCECodeChallenge(verifier);
    const { code } = await signInForCode(
      s,
      { client_id: clientId, redirect_uri: POPUP, code_challenge: challenge, code_challenge_method: 'S256' },
      s.agents[0]!.email,
    );
    const auth = await sdk.authorizePKCEGrant(clientId, verifier, code, POPUP);
    expect(auth.accessToken).toMatch(/.{20,}/);
    const me = await new platformClient.UsersApi(sdk).getUsersMe();
    expect(me.id).toBe(s.agents[0]!.id);
  });

  it('remembers the signed-in user in this browser; prompt=login asks again, prompt=none does not ask', async () => {
    const s = await start();
    const { clientId, pair, params } = await setUp(s);
    const { cookie } = await signInForCode(s, params, s.agents[0]!.email);

    const again = await fetch(authorizeUrl(s, params), {
      redirect: 'manual',
      headers: { Cookie: cookie, ...BROWSER },
    });
    expect(again.status).toBe(302);
    const code = new URL(again.headers.get('location')!).searchParams.get('code')!;
    expect((await exchange(s, clientId, code, pair.verifier)).status).toBe(200);

    const forced = await fetch(authorizeUrl(s, { ...params, prompt: 'login' }), {
      redirect: 'manual',
      headers: { Cookie: cookie, ...BROWSER },
    });
    expect(forced.status).toBe(200);
    expect(await forced.text()).toContain('id="sign-in-form"');

    const silent = await fetch(authorizeUrl(s, { ...params, prompt: 'none' }), { redirect: 'manual' });
    const back = new URL(silent.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('login_required');
    expect(back.searchParams.get('state')).toBe('conversation-42');

    // A session cookie of another sandbox (or a stale one) is no session here.
    const stale = await fetch(authorizeUrl(s, params), {
      redirect: 'manual',
      headers: { Cookie: cookie.replace(/=.*/, '=forged'), ...BROWSER },
    });
    expect(stale.status).toBe(200);
  });
});

describe('authorization code refusals', () => {
  it('refuses a wrong verifier, a missing one and a malformed one', async () => {
    const s = await start();
    const { clientId, pair, params } = await setUp(s);
    const other = pkcePair('another');
    const first = await signInForCode(s, params, s.agents[0]!.email);
    const wrong = await exchange(s, clientId, first.code, other.verifier);
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'code_verifier does not match the code_challenge',
      description: 'code_verifier does not match the code_challenge',
    });
    // The code was spent on that attempt: the right verifier is too late.
    expect((await exchange(s, clientId, first.code, pair.verifier)).body.error).toBe('invalid_grant');

    const second = await signInForCode(s, params, s.agents[0]!.email);
    const missing = await tokenRequest(s, {
      grant_type: 'authorization_code',
      code: second.code,
      client_id: clientId,
      redirect_uri: POPUP,
    });
    expect(missing.body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'code_verifier is required',
    });

    const third = await signInForCode(s, params, s.agents[0]!.email);
    const malformed = await exchange(s, clientId, third.code, 'short');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('invalid_request');
  });

  it('refuses a reused code and revokes the token the first exchange issued', async () => {
    const s = await start();
    const { clientId, pair, params } = await setUp(s);
    const { code } = await signInForCode(s, params, s.agents[0]!.email);
    const first = await exchange(s, clientId, code, pair.verifier);
    expect(first.status).toBe(200);
    const token = first.body.access_token as string;
    expect((await call(s, token, 'GET', '/api/v2/users/me')).status).toBe(200);
    const replay = await exchange(s, clientId, code, pair.verifier);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'authorization code has already been used',
    });
    const revoked = await call(s, token, 'GET', '/api/v2/users/me');
    expect(revoked.status).toBe(401);
    expect(revoked.body.code).toBe('bad.credentials');
  });

  it('refuses a code older than 60 seconds, and an unknown one', async () => {
    const clock = new ManualClock();
    const s = await start({ clock });
    const { clientId, pair, params } = await setUp(s);
    const fresh = await signInForCode(s, params, s.agents[0]!.email);
    const stale = await signInForCode(s, params, s.agents[0]!.email);
    clock.advance(59_000);
    expect((await exchange(s, clientId, fresh.code, pair.verifier)).status).toBe(200);
    clock.advance(1_000);
    const expired = await exchange(s, clientId, stale.code, pair.verifier);
    expect(expired.status).toBe(400);
    expect(expired.body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'authorization code has expired',
    });
    const unknown = await exchange(s, clientId, 'not-a-code', pair.verifier);
    expect(unknown.body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'authorization code is invalid',
    });
  });

  it('refuses a redirect URI that differs from the authorize request, or is not registered', async () => {
    const s = await start();
    const { clientId, pair, params } = await setUp(s);
    const { code } = await signInForCode(s, params, s.agents[0]!.email);
    // PAGE is registered too, but the code was asked for POPUP: an exact match is required.
    const mismatch = await exchange(s, clientId, code, pair.verifier, PAGE);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'redirect_uri does not match the authorization request',
    });

    for (const redirect of [
      `${POPUP}?x=1`,
      'http://127.0.0.1:18080/auth-popup.htm',
      'https://evil.example/',
    ]) {
      const res = await fetch(authorizeUrl(s, { ...params, redirect_uri: redirect }), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    }
    // A browser gets the same refusal as a page, never a redirect.
    const page = await fetch(authorizeUrl(s, { ...params, redirect_uri: 'https://evil.example/' }), {
      redirect: 'manual',
      headers: BROWSER,
    });
    expect(page.status).toBe(400);
    const text = await page.text();
    expect(text).toContain('<code id="error">invalid_request</code>');
    expect(text).not.toMatch(/<script/i);
  });

  it('refuses an unknown client at both endpoints, and a code issued to another client', async () => {
    const s = await start();
    const { admin, clientId, pair, params } = await setUp(s);
    const authorize = await fetch(authorizeUrl(s, { ...params, client_id: 'no-such-client' }), {
      redirect: 'manual',
    });
    expect(authorize.status).toBe(400);
    expect(await authorize.json()).toMatchObject({
      error: 'invalid_client',
      description: 'client not found',
    });

    const { code } = await signInForCode(s, params, s.agents[0]!.email);
    const unknown = await exchange(s, 'no-such-client', code, pair.verifier);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ error: 'invalid_client', error_description: 'client not found' });

    const otherClient = await createPkceClient(s, admin, [POPUP]);
    const stolen = await exchange(s, otherClient, code, pair.verifier);
    expect(stolen.body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'authorization code was issued to another client',
    });
    expect(clientId).not.toBe(otherClient);
  });

  it('refuses the wrong grant type for the client at both endpoints', async () => {
    const s = await start();
    const { admin, clientId, pair, params } = await setUp(s);
    const basic = `Basic ${Buffer.from(`${s.adminClient.id}:${s.adminClient.secret}`).toString('base64')}`;
    // A client-credentials client asking to exchange a code.
    const cc = await tokenRequest(
      s,
      { grant_type: 'authorization_code', code: 'x', code_verifier: pair.verifier, redirect_uri: POPUP },
      { Authorization: basic },
    );
    expect(cc.status).toBe(400);
    expect(cc.body.error).toBe('unauthorized_client');
    const ccAuthorize = await fetch(authorizeUrl(s, { ...params, client_id: s.adminClient.id }), {
      redirect: 'manual',
    });
    expect(ccAuthorize.status).toBe(400);
    expect(await ccAuthorize.json()).toMatchObject({ error: 'unauthorized_client' });

    // The PKCE client asking for the implicit grant or client credentials.
    const implicit = await fetch(authorizeUrl(s, { ...params, response_type: 'token' }), {
      redirect: 'manual',
    });
    expect(implicit.status).toBe(302);
    expect(new URLSearchParams(new URL(implicit.headers.get('location')!).hash.slice(1)).get('error')).toBe(
      'unauthorized_client',
    );
    const created = await call<{ secret: string }>(s, admin, 'GET', `/api/v2/oauth/clients/${clientId}`);
    expect(created.body.secret).toBeUndefined();
    const pkceCc = await tokenRequest(s, { grant_type: 'client_credentials', client_id: clientId });
    expect(pkceCc.status).toBe(401);
    expect(pkceCc.body.error).toBe('invalid_client');

    // An implicit-grant client asking for a code.
    const implicitClient = await call<{ id: string }>(s, admin, 'POST', '/api/v2/oauth/clients', {
      name: 'implicit',
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: [POPUP],
    });
    const asksCode = await fetch(authorizeUrl(s, { ...params, client_id: implicitClient.body.id }), {
      redirect: 'manual',
    });
    expect(asksCode.status).toBe(302);
    const back = new URL(asksCode.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('unauthorized_client');
    expect(back.searchParams.get('state')).toBe('conversation-42');
    const asksToken = await tokenRequest(s, {
      grant_type: 'authorization_code',
      code: 'x',
      client_id: implicitClient.body.id,
      redirect_uri: POPUP,
    });
    // An implicit client has a secret nobody holds: without it the exchange is not even considered.
    expect(asksToken.status).toBe(401);
    expect(asksToken.body.error).toBe('invalid_client');
  });

  it('refuses a PKCE authorize request without S256, an unknown response type and an inactive client', async () => {
    const s = await start();
    const { admin, clientId, params } = await setUp(s);
    const errorOf = async (p: Record<string, string>) => {
      const res = await fetch(authorizeUrl(s, p), { redirect: 'manual' });
      expect(res.status).toBe(302);
      const url = new URL(res.headers.get('location')!);
      expect(`${url.origin}${url.pathname}`).toBe(POPUP);
      return url.searchParams.get('error_description') ?? '';
    };
    const { code_challenge: _c, code_challenge_method: _m, ...noChallenge } = params;
    expect(await errorOf(noChallenge)).toBe('code_challenge is required for a PKCE client');
    expect(await errorOf({ ...params, code_challenge_method: 'plain' })).toBe(
      'code_challenge_method must be S256',
    );
    expect(await errorOf({ ...params, code_challenge: 'too-short' })).toMatch(/43-character/);
    expect(await errorOf({ ...params, response_type: 'id_token' })).toBe(
      'response_type must be code or token',
    );

    const client = await call<Record<string, unknown>>(s, admin, 'GET', `/api/v2/oauth/clients/${clientId}`);
    await call(s, admin, 'PUT', `/api/v2/oauth/clients/${clientId}`, { ...client.body, state: 'inactive' });
    expect(await errorOf(params)).toBe('client is not active');
  });

  it('lets a confidential CODE client exchange with its secret, PKCE optional', async () => {
    const s = await start();
    const admin = await adminToken(s);
    const created = await call<{ id: string; secret: string }>(s, admin, 'POST', '/api/v2/oauth/clients', {
      name: 'server app',
      authorizedGrantType: 'CODE',
      registeredRedirectUri: [PAGE],
    });
    const { id, secret } = created.body;
    const { code } = await signInForCode(s, { client_id: id, redirect_uri: PAGE }, s.agents[0]!.email);
    const noSecret = await tokenRequest(s, {
      grant_type: 'authorization_code',
      code,
      client_id: id,
      redirect_uri: PAGE,
    });
    expect(noSecret.status).toBe(401);
    const second = await signInForCode(s, { client_id: id, redirect_uri: PAGE }, s.agents[0]!.email);
    const ok = await tokenRequest(
      s,
      { grant_type: 'authorization_code', code: second.code, redirect_uri: PAGE },
      { Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    );
    expect(ok.status).toBe(200);
  });
});

describe('browser apps', () => {
  it('answers CORS for any origin on /api/v2 and the token endpoint, without credentials', async () => {
    const s = await start();
    const { clientId, pair, params } = await setUp(s);
    const origin = 'http://127.0.0.1:18080';
    const preflight = await fetch(`${s.url}/api/v2/conversations/abc`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();

    const refused = await fetch(`${s.url}/api/v2/users/me`, { headers: { Origin: origin } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    expect(refused.headers.get('access-control-expose-headers')).toContain('inin-correlation-id');

    const { code } = await signInForCode(s, params, s.agents[0]!.email);
    const t = await tokenRequest(
      s,
      {
        grant_type: 'authorization_code',
        code,
        code_verifier: pair.verifier,
        client_id: clientId,
        redirect_uri: POPUP,
      },
      { Origin: origin },
    );
    expect(t.status).toBe(200);
    expect(t.headers.get('access-control-allow-origin')).toBe('*');

    const page = await fetch(authorizeUrl(s, params), { headers: { Origin: origin } });
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    // A preflight is not a request of the API: request counts (and "zero writes") ignore it.
    expect(s.requestCounts().routes.some((r) => r.route === '(unmatched)')).toBe(false);
  });
});

describe('POST /sandbox/tokens/expire', () => {
  it("expires every user token, or one agent's, and leaves client-credentials tokens working", async () => {
    const s = await start();
    const { admin, clientId, pair, params } = await setUp(s);
    const tokenOf = async (email: string) => {
      const { code } = await signInForCode(s, params, email);
      return (await exchange(s, clientId, code, pair.verifier)).body.access_token as string;
    };
    const first = await tokenOf(s.agents[0]!.email);
    const second = await tokenOf(s.agents[1]!.email);
    const expire = (body?: unknown) =>
      fetch(`${s.url}/sandbox/tokens/expire`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    const one = await expire({ userId: s.agents[0]!.email });
    expect(await one.json()).toEqual({ expired: 1 });
    const gone = await call(s, first, 'GET', '/api/v2/users/me');
    expect(gone.status).toBe(401);
    expect(gone.body.code).toBe('bad.credentials');
    expect((await call(s, second, 'GET', '/api/v2/users/me')).status).toBe(200);

    expect(await (await expire()).json()).toEqual({ expired: 1 });
    expect((await call(s, second, 'GET', '/api/v2/users/me')).status).toBe(401);
    expect((await call(s, admin, 'GET', '/api/v2/tokens/me')).status).toBe(200);

    const unknown = await expire({ userId: 'nobody@sandbox.example' });
    expect(unknown.status).toBe(404);
    const bad = await expire({ user: 'x' });
    expect(bad.status).toBe(400);
    expect(s.expireTokens()).toBe(0);
  });
});
