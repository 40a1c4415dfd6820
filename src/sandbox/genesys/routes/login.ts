import { timingSafeEqual } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
// The one unconfirmed wire value, shared with provisioning so both change together.
import { PKCE_GRANT_TYPE } from '../../../genesys/resources/oauth-client/grant-types.js';
import { newSecret, secretMatches, sha256 } from '../ids.js';
import type { SandboxContext } from '../http/context.js';
import { faults } from '../http/pipeline.js';
import { basicCredentials, cookie, field, oauthError, redirectBack, wantsHtml } from '../login/oauth.js';
import { isValidS256Challenge, isValidVerifier, verifierMatches } from '../login/pkce.js';
import { renderLoginError, renderSignInPage, type AuthorizeParams } from '../login/sign-in-page.js';
import { SANDBOX_AGENT_PASSWORD } from '../state/seed.js';
import type { OAuthClientRecord, UserRecord } from '../state/model.js';

/** Grant types whose users sign in in a browser at /oauth/authorize. */
const BROWSER_GRANTS = new Set(['TOKEN', 'CODE', PKCE_GRANT_TYPE]);

/** The authorize parameters the sign-in form carries through (the SDK's `loginPKCEGrant` sends these). */
const AUTHORIZE_FIELDS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
  'login_hint',
  'prompt',
  'org',
  'provider',
  'target',
] as const;

/** Issues a bearer token; only its hash is kept. */
export function issueToken(ctx: SandboxContext, client: OAuthClientRecord, user?: UserRecord) {
  ctx.store.pruneTokens();
  const token = newSecret(32);
  const now = ctx.store.now();
  ctx.store.state.tokens.push({
    hash: sha256(token),
    clientId: client.id,
    ...(user ? { userId: user.id } : {}),
    issuedAt: now,
    expiresAt: now + client.accessTokenValiditySeconds * 1000,
  });
  ctx.store.changed();
  return { access_token: token, token_type: 'bearer', expires_in: client.accessTokenValiditySeconds };
}

function findUser(ctx: SandboxContext, hint: string | undefined): UserRecord | undefined {
  const users = ctx.store.state.users;
  if (hint === undefined || hint === '') return users[0];
  const h = hint.toLowerCase();
  return users.find((u) => u.id === hint || u.email.toLowerCase() === h || u.username.toLowerCase() === h);
}

function passwordMatches(presented: string): boolean {
  const a = Buffer.from(sha256(presented), 'hex');
  const b = Buffer.from(sha256(SANDBOX_AGENT_PASSWORD), 'hex');
  return timingSafeEqual(a, b);
}

type Checked =
  | { kind: 'show'; status: number; error: string; description: string }
  | { kind: 'redirect'; where: 'query' | 'fragment'; redirectUri: string; error: string; description: string }
  | { kind: 'ok'; client: OAuthClientRecord; redirectUri: string; flow: 'token' | 'code' };

/**
 * Checks an authorize request. Until the client and its redirect URI are trusted, errors are shown,
 * never redirected (RFC 6749 §4.1.2.1); after that they go back to the client.
 */
function checkAuthorize(ctx: SandboxContext, params: AuthorizeParams): Checked {
  const client = ctx.store.state.oauthClients.find((c) => c.id === params.client_id);
  if (!client) return { kind: 'show', status: 400, error: 'invalid_client', description: 'client not found' };
  if (!BROWSER_GRANTS.has(client.authorizedGrantType)) {
    return {
      kind: 'show',
      status: 400,
      error: 'unauthorized_client',
      description: `a ${client.authorizedGrantType} client cannot sign users in at /oauth/authorize`,
    };
  }
  const redirectUri = params.redirect_uri;
  if (!redirectUri || !client.registeredRedirectUri.includes(redirectUri)) {
    return {
      kind: 'show',
      status: 400,
      error: 'invalid_request',
      description: 'redirect_uri is missing or not registered on the client (it must match exactly)',
    };
  }
  const responseType = params.response_type;
  const where =
    responseType === 'token' || (responseType !== 'code' && client.authorizedGrantType === 'TOKEN')
      ? 'fragment'
      : 'query';
  const refuse = (error: string, description: string): Checked => ({
    kind: 'redirect',
    where,
    redirectUri,
    error,
    description,
  });
  if (client.state !== 'active') return refuse('unauthorized_client', 'client is not active');
  if (responseType === 'token') {
    if (client.authorizedGrantType !== 'TOKEN') {
      return refuse(
        'unauthorized_client',
        `a ${client.authorizedGrantType} client cannot use the implicit grant`,
      );
    }
    return { kind: 'ok', client, redirectUri, flow: 'token' };
  }
  if (responseType !== 'code') {
    return refuse('unsupported_response_type', 'response_type must be code or token');
  }
  if (client.authorizedGrantType === 'TOKEN') {
    return refuse(
      'unauthorized_client',
      'an implicit-grant (TOKEN) client cannot ask for an authorization code',
    );
  }
  const challenge = params.code_challenge;
  const method = params.code_challenge_method;
  if (client.authorizedGrantType === PKCE_GRANT_TYPE && !challenge) {
    return refuse('invalid_request', 'code_challenge is required for a PKCE client');
  }
  if (challenge !== undefined || method !== undefined) {
    if (method !== 'S256') return refuse('invalid_request', 'code_challenge_method must be S256');
    if (!challenge || !isValidS256Challenge(challenge)) {
      return refuse(
        'invalid_request',
        'code_challenge must be the 43-character base64url S256 of the verifier',
      );
    }
  }
  return { kind: 'ok', client, redirectUri, flow: 'code' };
}

function authorizeParams(source: unknown): AuthorizeParams {
  const out: AuthorizeParams = {};
  for (const name of AUTHORIZE_FIELDS) {
    const v = field(source, name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/**
 * The login service: the token endpoint (client credentials; authorization code with PKCE) and the
 * authorize page (implicit grant; authorization code with a sign-in form for the org's users).
 */
export function loginRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;
  const cookieName = () => `sandbox_login_${new URL(ctx.baseUrl()).port || '80'}`;

  const show = (req: Request, res: Response, status: number, error: string, description: string) => {
    res.setHeader('Cache-Control', 'no-store');
    if (wantsHtml(req)) {
      loginPageHeaders(res, undefined);
      res
        .status(status)
        .type('html')
        .send(renderLoginError(state.organization.name, error, description));
    } else oauthError(res, status, error, description);
  };

  const signInPage = (res: Response, client: OAuthClientRecord, params: AuthorizeParams, error?: string) => {
    loginPageHeaders(res, params.redirect_uri);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(
      renderSignInPage({
        orgName: state.organization.name,
        clientName: client.name,
        params,
        ...(params.login_hint !== undefined ? { username: params.login_hint } : {}),
        ...(error ? { error } : {}),
        password: SANDBOX_AGENT_PASSWORD,
        users: state.users.map((u) => ({ name: u.name, email: u.email })),
      }),
    );
  };

  /** The checked request when it may go on; otherwise the refusal is sent (shown or redirected). */
  const trusted = (req: Request, res: Response, params: AuthorizeParams) => {
    const checked = checkAuthorize(ctx, params);
    if (checked.kind === 'show') {
      show(req, res, checked.status, checked.error, checked.description);
      return undefined;
    }
    if (checked.kind === 'redirect') {
      redirectBack(res, checked.redirectUri, checked.where, {
        error: checked.error,
        error_description: checked.description,
        state: params.state,
      });
      return undefined;
    }
    return checked;
  };

  /** The user is known (signed in now, or earlier in this browser): answer the client. */
  const grant = (
    res: Response,
    checked: Extract<Checked, { kind: 'ok' }>,
    params: AuthorizeParams,
    user: UserRecord,
  ) => {
    if (checked.flow === 'token') {
      const t = issueToken(ctx, checked.client, user);
      redirectBack(res, checked.redirectUri, 'fragment', {
        access_token: t.access_token,
        expires_in: String(t.expires_in),
        token_type: t.token_type,
        state: params.state,
      });
      return;
    }
    const code = ctx.login.codes.issue({
      clientId: checked.client.id,
      userId: user.id,
      redirectUri: checked.redirectUri,
      ...(params.code_challenge ? { codeChallenge: params.code_challenge } : {}),
    });
    redirectBack(res, checked.redirectUri, 'query', { code, state: params.state });
  };

  app.get('/oauth/authorize', (req, res) => {
    const params = authorizeParams(req.query);
    const checked = trusted(req, res, params);
    if (!checked) return;
    if (checked.flow === 'token') {
      // The implicit grant signs in without a form: the first agent, or the user named by login_hint.
      const user = findUser(ctx, params.login_hint ?? field(req.query, 'user'));
      if (!user) {
        return redirectBack(res, checked.redirectUri, 'fragment', {
          error: 'access_denied',
          error_description: 'unknown user',
          state: params.state,
        });
      }
      return grant(res, checked, params, user);
    }
    const sessionUser = ctx.login.sessions.userOf(cookie(req, cookieName()));
    const user = sessionUser ? state.users.find((u) => u.id === sessionUser) : undefined;
    if (params.prompt === 'none' && !user) {
      return redirectBack(res, checked.redirectUri, 'query', {
        error: 'login_required',
        error_description: 'the user is not signed in',
        state: params.state,
      });
    }
    if (user && params.prompt !== 'login') return grant(res, checked, params, user);
    signInPage(res, checked.client, params);
  });

  // The sign-in form posts here with the authorize parameters and the user's credentials.
  app.post('/oauth/authorize', express.urlencoded({ extended: false, limit: '16kb' }), (req, res) => {
    const params = authorizeParams(req.body);
    const checked = trusted(req, res, params);
    if (!checked) return;
    const username = field(req.body, 'username') ?? '';
    const password = field(req.body, 'password') ?? '';
    const user = username === '' ? undefined : findUser(ctx, username);
    if (!user || !passwordMatches(password)) {
      res.status(401);
      return signInPage(
        res,
        checked.client,
        { ...params, login_hint: username },
        'Incorrect email or password.',
      );
    }
    ctx.login.sessions.close(cookie(req, cookieName()));
    const session = ctx.login.sessions.open(user.id);
    res.cookie(cookieName(), session, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/oauth',
      maxAge: ctx.login.sessions.lifetimeSeconds * 1000,
    });
    grant(res, checked, params, user);
  });

  app.post('/oauth/token', faults(ctx), express.urlencoded({ extended: false }), (req, res) => {
    const grantType = field(req.body, 'grant_type');
    if (grantType === undefined || grantType === '') {
      return oauthError(res, 400, 'invalid_request', 'grant_type is required');
    }
    if (grantType === 'client_credentials') return clientCredentials(ctx, req, res);
    if (grantType === 'authorization_code') return authorizationCode(ctx, req, res);
    oauthError(
      res,
      400,
      'unsupported_grant_type',
      `grant type ${grantType} is not supported by this sandbox`,
    );
  });
}

/** Security headers of the login pages: never framed (Genesys' login page cannot be), no script. */
function loginPageHeaders(res: Response, redirectUri: string | undefined): void {
  // Chrome applies form-action to the redirect that follows the form post, so the client's origin is allowed.
  let target = '';
  try {
    if (redirectUri) target = ` ${new URL(redirectUri).origin}`;
  } catch {
    target = '';
  }
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'${target}; ` +
      "frame-ancestors 'none'; base-uri 'none'",
  );
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

/** Client authentication by HTTP Basic or form fields; `undefined` means a refusal was sent. */
function authenticateClient(
  ctx: SandboxContext,
  req: Request,
  res: Response,
  secretRequired: (client: OAuthClientRecord) => boolean,
): OAuthClientRecord | undefined {
  const basic = basicCredentials(req.header('authorization'));
  const bodyId = field(req.body, 'client_id');
  if (basic && bodyId !== undefined && bodyId !== basic.id) {
    oauthError(
      res,
      400,
      'invalid_request',
      'client_id does not match the client of the Authorization header',
    );
    return undefined;
  }
  const id = basic?.id ?? bodyId;
  const secret = basic?.secret ?? field(req.body, 'client_secret');
  if (id === undefined || id === '') {
    oauthError(res, 401, 'invalid_client', 'client authentication is required');
    return undefined;
  }
  const client = ctx.store.state.oauthClients.find((c) => c.id === id);
  if (!client) {
    oauthError(res, 401, 'invalid_client', 'client not found');
    return undefined;
  }
  if (
    secret !== undefined
      ? !secretMatches(secret, client.secretSalt, client.secretHash)
      : secretRequired(client)
  ) {
    oauthError(res, 401, 'invalid_client', 'authentication failed');
    return undefined;
  }
  if (client.state !== 'active') {
    oauthError(res, 401, 'invalid_client', 'client is not active');
    return undefined;
  }
  return client;
}

function clientCredentials(ctx: SandboxContext, req: Request, res: Response): void {
  const client = authenticateClient(ctx, req, res, () => true);
  if (!client) return;
  if (client.authorizedGrantType !== 'CLIENT-CREDENTIALS') {
    return oauthError(
      res,
      400,
      'unauthorized_client',
      'client is not authorized for the client_credentials grant',
    );
  }
  res.setHeader('Cache-Control', 'no-store');
  res.json(issueToken(ctx, client));
}

/**
 * The code exchange (RFC 6749 §4.1.3, RFC 7636 §4.6). A PKCE client authenticates with its id and
 * the verifier; a CODE client with its secret (and the verifier when it sent a challenge).
 */
function authorizationCode(ctx: SandboxContext, req: Request, res: Response): void {
  const client = authenticateClient(ctx, req, res, (c) => c.authorizedGrantType !== PKCE_GRANT_TYPE);
  if (!client) return;
  if (client.authorizedGrantType !== PKCE_GRANT_TYPE && client.authorizedGrantType !== 'CODE') {
    return oauthError(
      res,
      400,
      'unauthorized_client',
      `a ${client.authorizedGrantType} client is not authorized for the authorization_code grant`,
    );
  }
  const code = field(req.body, 'code');
  const redirectUri = field(req.body, 'redirect_uri');
  const verifier = field(req.body, 'code_verifier');
  if (!code) return oauthError(res, 400, 'invalid_request', 'code is required');
  if (!redirectUri) return oauthError(res, 400, 'invalid_request', 'redirect_uri is required');
  if (verifier !== undefined && !isValidVerifier(verifier)) {
    return oauthError(
      res,
      400,
      'invalid_request',
      'code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]',
    );
  }
  const taken = ctx.login.codes.take(code);
  if (!taken.ok) {
    if (taken.revoke) {
      // A replayed code: what the first exchange issued is no longer trusted either.
      const before = ctx.store.state.tokens.length;
      ctx.store.state.tokens = ctx.store.state.tokens.filter((t) => t.hash !== taken.revoke);
      if (ctx.store.state.tokens.length !== before) ctx.store.changed();
    }
    const why = {
      unknown: 'authorization code is invalid',
      expired: 'authorization code has expired',
      used: 'authorization code has already been used',
    }[taken.reason];
    return oauthError(res, 400, 'invalid_grant', why);
  }
  const g = taken.grant;
  if (g.clientId !== client.id) {
    return oauthError(res, 400, 'invalid_grant', 'authorization code was issued to another client');
  }
  if (g.redirectUri !== redirectUri) {
    return oauthError(res, 400, 'invalid_grant', 'redirect_uri does not match the authorization request');
  }
  if (g.codeChallenge !== undefined) {
    if (verifier === undefined) return oauthError(res, 400, 'invalid_grant', 'code_verifier is required');
    if (!verifierMatches(verifier, g.codeChallenge)) {
      return oauthError(res, 400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    }
  } else if (verifier !== undefined) {
    return oauthError(res, 400, 'invalid_grant', 'the authorization request sent no code_challenge');
  }
  const user = ctx.store.state.users.find((u) => u.id === g.userId);
  if (!user) return oauthError(res, 400, 'invalid_grant', 'the user no longer exists');
  const token = issueToken(ctx, client, user);
  taken.redeem(sha256(token.access_token));
  res.setHeader('Cache-Control', 'no-store');
  res.json(token);
}
