import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TokenRequestSchema, type OAuthErrorBody, type TokenResponse } from '../../daspeak/contract.js';
import { check } from '../../daspeak/validate.js';
import type { Logger } from '../../log.js';
import type { SandboxCredentials, SandboxFaults, SandboxLimits } from './options.js';
import { BodyError, mediaType, readBody, sameSecret, sendJson } from './http-util.js';
import { delay, type SandboxClock, type SandboxTimers } from './timing.js';

/**
 * The OAuth2 client-credentials token endpoint of the Socket.IO channel (SIO-EX: form-encoded
 * `client_id`, `client_secret`, `grant_type=client_credentials`), and the store of the opaque access
 * tokens it hands out. DESIGN: the answer is `{access_token, token_type:"Bearer", expires_in}`.
 * Errors follow RFC 6749 §5.2: `invalid_request`, `unsupported_grant_type` (400), `invalid_client` (401).
 */
export class TokenIssuer {
  /** token → expiry (epoch ms); insertion order = issue order. */
  private readonly tokens = new Map<string, number>();

  constructor(
    private readonly deps: {
      clock: SandboxClock;
      lifetimeSeconds: number;
      limits: SandboxLimits;
    },
  ) {}

  get size(): number {
    return this.tokens.size;
  }

  issue(): TokenResponse {
    this.prune();
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, this.deps.clock.now() + this.deps.lifetimeSeconds * 1000);
    while (this.tokens.size > this.deps.limits.maxTokens) {
      const oldest = this.tokens.keys().next().value;
      if (oldest === undefined) break;
      this.tokens.delete(oldest);
    }
    return { access_token: token, token_type: 'Bearer', expires_in: this.deps.lifetimeSeconds };
  }

  /** Whether a presented token is one of ours and not expired. */
  valid(token: string | undefined): boolean {
    if (!token) return false;
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return false;
    if (this.deps.clock.now() >= expiresAt) {
      this.tokens.delete(token);
      return false;
    }
    return true;
  }

  /** Forgets every token (as if they had all been revoked). */
  revokeAll(): void {
    this.tokens.clear();
  }

  private prune(): void {
    const now = this.deps.clock.now();
    for (const [token, expiresAt] of this.tokens) if (now >= expiresAt) this.tokens.delete(token);
  }
}

export interface TokenEndpointDeps {
  issuer: TokenIssuer;
  credentials: SandboxCredentials;
  limits: SandboxLimits;
  faults: () => SandboxFaults;
  timers: SandboxTimers;
  logger: Logger;
}

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  const body: OAuthErrorBody = { error, error_description: description };
  const headers: Record<string, string> = { Pragma: 'no-cache' };
  if (status === 401) headers['WWW-Authenticate'] = 'Basic realm="das-Peak sandbox"';
  sendJson(res, status, body, headers);
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1), when the client used it. */
function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header) : null;
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon)),
      secret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  } catch {
    return undefined;
  }
}

export async function handleTokenRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: TokenEndpointDeps,
): Promise<void> {
  const latency = deps.faults().tokenLatencyMs ?? 0;
  if (latency > 0) await delay(deps.timers, latency);
  if (req.method !== 'POST') {
    sendJson(res, 405, { error: 'invalid_request', error_description: 'use POST' }, { Allow: 'POST' });
    return;
  }
  if (mediaType(req) !== 'application/x-www-form-urlencoded') {
    oauthError(res, 400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    return;
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, deps.limits.maxBodyBytes);
  } catch (err) {
    const status = err instanceof BodyError ? err.status : 400;
    oauthError(res, status, 'invalid_request', err instanceof Error ? err.message : 'unreadable body');
    return;
  }
  const form = new URLSearchParams(raw.toString('utf8'));
  for (const name of new Set(form.keys())) {
    if (form.getAll(name).length > 1) {
      oauthError(res, 400, 'invalid_request', `parameter ${name} is repeated`);
      return;
    }
  }
  const basic = basicCredentials(req);
  const fields: Record<string, string> = Object.fromEntries(form);
  if (basic) {
    fields.client_id ??= basic.id;
    fields.client_secret ??= basic.secret;
  }
  if (fields.grant_type !== undefined && fields.grant_type !== 'client_credentials') {
    oauthError(res, 400, 'unsupported_grant_type', 'only client_credentials is supported');
    return;
  }
  const valid = check(TokenRequestSchema, fields);
  if (!valid.ok) {
    oauthError(res, 400, 'invalid_request', `client_id, client_secret and grant_type are required`);
    return;
  }
  const { credentials } = deps;
  const idOk = sameSecret(valid.value.client_id, credentials.clientId);
  const secretOk = sameSecret(valid.value.client_secret, credentials.clientSecret);
  if (!idOk || !secretOk) {
    deps.logger.info('das-Peak sandbox: token refused (unknown client or wrong secret)');
    oauthError(res, 401, 'invalid_client', 'unknown client or wrong secret');
    return;
  }
  sendJson(res, 200, deps.issuer.issue(), { Pragma: 'no-cache' });
}
