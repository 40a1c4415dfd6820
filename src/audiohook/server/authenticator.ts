import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AudiohookError } from '../errors.js';
import { UUID_PATTERN } from '../protocol/core.js';
import type { NonceCache } from '../signature/nonce-cache.js';
import { verifyAudiohookSignature } from '../signature/verifier.js';
import type { Clock } from '../timers.js';
import type { AudiohookRequestHeaders, AuthOutcome } from './session.js';

/**
 * API key → base64 client secret. An empty string means the key may connect unsigned (Genesys
 * omits the signature when the credential has no secret); undefined means an unknown key.
 */
export type CredentialResolver = (apiKey: string) => string | undefined | Promise<string | undefined>;

export interface AudiohookAuthOptions {
  credentials: CredentialResolver | Readonly<Record<string, string>>;
  /**
   * Where a failed authentication is answered: "request" = HTTP 401 (or 400 for malformed
   * Audiohook headers) before the upgrade; "session" = accept the upgrade and answer `open` with
   * `disconnect {reason:"unauthorized"}`, Genesys' reference default.
   */
  strategy?: 'request' | 'session';
  maxSignatureAgeSeconds?: number;
  clockSkewSeconds?: number;
  minNonceLength?: number;
  /** Minimum delay before any failure is signalled, blunting timing probes (ms, default 500). */
  failureDelayMs?: number;
  /** `@authority` the client signed, when a proxy rewrites Host; default: the Host header. */
  authority?: (headers: IncomingHttpHeaders) => string | undefined;
}

const UUID_RE = new RegExp(UUID_PATTERN);

function one(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}

export function readAudiohookHeaders(headers: IncomingHttpHeaders): AudiohookRequestHeaders {
  return {
    organizationId: one(headers['audiohook-organization-id'])?.trim(),
    sessionId: one(headers['audiohook-session-id'])?.trim(),
    correlationId: one(headers['audiohook-correlation-id'])?.trim(),
    apiKey: one(headers['x-api-key'])?.trim(),
  };
}

function refuse(code: string, message: string, status: number): { ok: false; error: AudiohookError } {
  return { ok: false, error: new AudiohookError(`audiohook.${code}`, message, { status }) };
}

export interface AuthenticateDeps {
  nonceCache: NonceCache;
  clock: Clock;
}

/**
 * Checks an upgrade request: the Audiohook headers, the API key, and the signature when the key
 * has a client secret. Never throws; a failing credential lookup is a 503.
 */
export async function authenticateRequest(
  request: { headers: IncomingHttpHeaders; url: string },
  options: AudiohookAuthOptions,
  deps: AuthenticateDeps,
): Promise<AuthOutcome> {
  const h = readAudiohookHeaders(request.headers);
  if (!h.organizationId || !UUID_RE.test(h.organizationId)) {
    return refuse('bad_header', 'Audiohook-Organization-Id is missing or not a UUID', 400);
  }
  if (!h.sessionId || !UUID_RE.test(h.sessionId)) {
    return refuse('bad_header', 'Audiohook-Session-Id is missing or not a UUID', 400);
  }
  if (!h.correlationId) return refuse('bad_header', 'Audiohook-Correlation-Id is missing', 400);
  if (!h.apiKey) return refuse('missing_api_key', 'X-API-KEY is missing', 401);

  let secret: string | undefined;
  try {
    const { credentials } = options;
    secret =
      typeof credentials === 'function'
        ? await credentials(h.apiKey)
        : Object.hasOwn(credentials, h.apiKey)
          ? credentials[h.apiKey]
          : undefined;
  } catch {
    return refuse('credentials_unavailable', 'cannot look up the API key right now', 503);
  }

  const verify = (clientSecret: string, withCache: boolean) => {
    const authority = options.authority?.(request.headers);
    return verifyAudiohookSignature(
      {
        headers: request.headers,
        requestTarget: request.url,
        ...(authority !== undefined ? { authority } : {}),
      },
      {
        clientSecret,
        clock: deps.clock,
        ...(withCache ? { nonceCache: deps.nonceCache } : {}),
        ...(options.maxSignatureAgeSeconds !== undefined
          ? { maxSignatureAgeSeconds: options.maxSignatureAgeSeconds }
          : {}),
        ...(options.clockSkewSeconds !== undefined ? { clockSkewSeconds: options.clockSkewSeconds } : {}),
        ...(options.minNonceLength !== undefined ? { minNonceLength: options.minNonceLength } : {}),
      },
    );
  };

  if (secret === undefined) {
    // Spend the same effort as for a known key so response time does not reveal which keys exist.
    verify(randomBytes(32).toString('base64'), false);
    return refuse('unknown_api_key', 'unknown API key', 401);
  }
  if (secret === '') return { ok: true, apiKey: h.apiKey, signed: false };
  const result = verify(secret, true);
  if (!result.ok) {
    // A secret that is not base64 is our misconfiguration: say so in the log, not to the caller.
    if (result.error.code === 'audiohook.bad_client_secret') {
      return refuse(
        'credentials_misconfigured',
        'the client secret configured for this API key is not base64',
        503,
      );
    }
    return { ok: false, error: result.error };
  }
  return { ok: true, apiKey: h.apiKey, signed: true };
}
