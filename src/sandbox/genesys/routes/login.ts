import express, { type Express, type Response } from 'express';
import { newSecret, secretMatches, sha256 } from '../ids.js';
import type { SandboxContext } from '../http/context.js';
import { faults } from '../http/pipeline.js';
import type { OAuthClientRecord, UserRecord } from '../state/model.js';
import { queryValue } from '../query.js';

/** The login service's error shape (RFC 6749 §5.2 plus Genesys' `description`). */
function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, description, error_description: description });
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

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

function fragmentRedirect(
  res: Response,
  redirectUri: string,
  values: Record<string, string | undefined>,
): void {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined) params.set(k, v);
  res.redirect(302, `${redirectUri}#${params.toString()}`);
}

/** The login service: client-credentials token endpoint and the implicit-grant authorize page. */
export function loginRoutes(app: Express, ctx: SandboxContext): void {
  app.post('/oauth/token', faults(ctx), express.urlencoded({ extended: false }), (req, res) => {
    const creds = basicCredentials(req.header('authorization'));
    if (!creds) {
      oauthError(res, 401, 'invalid_client', 'client authentication (HTTP Basic) is required');
      return;
    }
    const client = ctx.store.state.oauthClients.find((c) => c.id === creds.id);
    if (!client || !secretMatches(creds.secret, client.secretSalt, client.secretHash)) {
      oauthError(res, 401, 'invalid_client', 'client not found or bad client secret');
      return;
    }
    if (client.state !== 'active') {
      oauthError(res, 401, 'invalid_client', 'client is not active');
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const grantType = body.grant_type;
    if (typeof grantType !== 'string' || grantType === '') {
      oauthError(res, 400, 'invalid_request', 'grant_type is required');
      return;
    }
    if (grantType !== 'client_credentials') {
      oauthError(
        res,
        400,
        'unsupported_grant_type',
        `grant type ${grantType} is not supported by this sandbox`,
      );
      return;
    }
    if (client.authorizedGrantType !== 'CLIENT-CREDENTIALS') {
      oauthError(
        res,
        400,
        'unauthorized_client',
        'client is not authorized for the client_credentials grant',
      );
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(issueToken(ctx, client));
  });

  app.get('/oauth/authorize', (req, res) => {
    const clientId = queryValue(req, 'client_id');
    const redirectUri = queryValue(req, 'redirect_uri');
    const state = queryValue(req, 'state');
    const client = ctx.store.state.oauthClients.find((c) => c.id === clientId);
    // Until the client and its redirect URI are trusted, errors are shown, never redirected.
    if (!client) {
      oauthError(res, 400, 'invalid_client', 'unknown client_id');
      return;
    }
    if (client.authorizedGrantType !== 'TOKEN') {
      oauthError(res, 400, 'unauthorized_client', 'client is not an implicit-grant (TOKEN) client');
      return;
    }
    if (!redirectUri || !client.registeredRedirectUri.includes(redirectUri)) {
      oauthError(res, 400, 'invalid_request', 'redirect_uri is missing or not registered on the client');
      return;
    }
    if (client.state !== 'active') {
      fragmentRedirect(res, redirectUri, {
        error: 'unauthorized_client',
        error_description: 'client is not active',
        state,
      });
      return;
    }
    if (queryValue(req, 'response_type') !== 'token') {
      fragmentRedirect(res, redirectUri, {
        error: 'unsupported_response_type',
        error_description: 'response_type must be token',
        state,
      });
      return;
    }
    const user = findUser(ctx, queryValue(req, 'login_hint') ?? queryValue(req, 'user'));
    if (!user) {
      fragmentRedirect(res, redirectUri, {
        error: 'access_denied',
        error_description: 'unknown user',
        state,
      });
      return;
    }
    const t = issueToken(ctx, client, user);
    fragmentRedirect(res, redirectUri, {
      access_token: t.access_token,
      expires_in: String(t.expires_in),
      token_type: t.token_type,
      state,
    });
  });
}
