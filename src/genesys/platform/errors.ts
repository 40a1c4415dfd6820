import { KitError } from '../../errors.js';
import { headerValue, type HeaderBag } from './headers.js';

/** Where a failed request went; never its headers or body (they hold the bearer token or secrets). */
export interface RequestTarget {
  method: string;
  path: string;
}

export interface GenesysApiErrorOptions {
  status?: number | undefined;
  /** Genesys' own `code` from the error body, such as `general.conflict` or `not.found`. */
  genesysCode?: string | undefined;
  /** Genesys' own `message` from the error body. */
  genesysMessage?: string | undefined;
  /** `inin-correlation-id` of the response (or the body's `contextId`), for Genesys support. */
  correlationId?: string | undefined;
  target?: RequestTarget | undefined;
  /** The raw `Retry-After` header when the response carried one. */
  retryAfter?: string | undefined;
  hint?: string | undefined;
}

/**
 * A failed Platform API request or login. `code` is the kit's stable code (`genesys.not_found`,
 * `genesys.rate_limited`…); `genesysCode`/`genesysMessage` are what Genesys said. It never holds
 * the token, the client secret, request headers or bodies, nor the SDK's axios error (whose config
 * carries the Authorization header).
 */
export class GenesysApiError extends KitError {
  readonly genesysCode: string | undefined;
  readonly genesysMessage: string | undefined;
  readonly correlationId: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly retryAfter: string | undefined;

  constructor(code: string, message: string, options: GenesysApiErrorOptions = {}) {
    const details: Record<string, unknown> = {};
    if (options.status !== undefined) details.status = options.status;
    if (options.genesysCode !== undefined) details.genesysCode = options.genesysCode;
    if (options.correlationId !== undefined) details.correlationId = options.correlationId;
    if (options.target) {
      details.method = options.target.method;
      details.path = options.target.path;
    }
    super(code, message, { status: options.status, hint: options.hint, details });
    this.name = 'GenesysApiError';
    this.genesysCode = options.genesysCode;
    this.genesysMessage = options.genesysMessage;
    this.correlationId = options.correlationId;
    this.method = options.target?.method;
    this.path = options.target?.path;
    this.retryAfter = options.retryAfter;
  }

  /** A response that never came: connection refused or reset, DNS failure, timeout. */
  get isTransportFailure(): boolean {
    return this.code === 'genesys.network' || this.code === 'genesys.timeout';
  }
}

export function isGenesysApiError(value: unknown): value is GenesysApiError {
  return value instanceof GenesysApiError;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'genesys.bad_request',
  401: 'genesys.unauthorized',
  403: 'genesys.forbidden',
  404: 'genesys.not_found',
  409: 'genesys.conflict',
  429: 'genesys.rate_limited',
};

const HINT_BY_STATUS: Record<number, string> = {
  401: 'check genesys.clientId and genesys.clientSecret (a client-credentials OAuth client of this org)',
  403: "give the OAuth client's role the permission Genesys names in the message",
  429: 'the org rate limit was reached; run again later or lower the concurrency',
};

/** The kit code for an HTTP status from Genesys. */
export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'genesys.server_error' : 'genesys.request_failed');
}

/** What the SDK (or its axios transport) rejected with, reduced to the parts we may keep. */
interface ResponseParts {
  status: number;
  headers: HeaderBag;
  body: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The SDK's extended rejection `{ status, statusText, headers, body, text, error }`. */
function extendedParts(raw: Record<string, unknown>): ResponseParts | undefined {
  if (typeof raw.status !== 'number' || !('body' in raw) || !('headers' in raw)) return undefined;
  return { status: raw.status, headers: raw.headers, body: raw.body ?? raw.text };
}

/** An axios error with a response (the SDK passes these through from login requests). */
function axiosParts(raw: Record<string, unknown>): ResponseParts | undefined {
  const response = raw.response;
  if (!isRecord(response) || typeof response.status !== 'number') return undefined;
  return { status: response.status, headers: response.headers, body: response.data };
}

/** A bare Genesys ErrorBody, as the SDK rejects when extended responses are off. */
function errorBodyParts(raw: Record<string, unknown>): ResponseParts | undefined {
  if (typeof raw.status !== 'number' || (typeof raw.message !== 'string' && typeof raw.code !== 'string')) {
    return undefined;
  }
  return { status: raw.status, headers: undefined, body: raw };
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function describeTarget(target: RequestTarget | undefined): string {
  return target ? `${target.method} ${target.path}` : 'a Platform API request';
}

/**
 * Maps anything an SDK call, a login or the transport rejected with to a GenesysApiError: the
 * SDK's extended response objects, axios errors with and without a response (network errors,
 * timeouts), bare error bodies, and the strings the SDK throws for a missing required parameter.
 */
export function toGenesysApiError(raw: unknown, target?: RequestTarget): GenesysApiError {
  if (raw instanceof GenesysApiError) return raw;
  if (typeof raw === 'string') {
    // The SDK throws plain strings such as 'Missing the required parameter "queueId" …'.
    return new GenesysApiError('genesys.invalid_call', `The Platform SDK refused the call: ${raw}`, {
      target,
    });
  }
  if (isRecord(raw)) {
    const parts = extendedParts(raw) ?? axiosParts(raw) ?? errorBodyParts(raw);
    if (parts) return fromResponse(parts, target);
    const errno = str(raw.code);
    if (errno !== undefined || raw.isAxiosError === true) {
      const reason = str(raw.message) ?? errno ?? 'no response';
      if (errno !== undefined && TIMEOUT_CODES.has(errno)) {
        return new GenesysApiError('genesys.timeout', `${describeTarget(target)} timed out: ${reason}`, {
          target,
          hint: 'Genesys Cloud did not answer in time; check the network or raise the timeout',
        });
      }
      return new GenesysApiError(
        'genesys.network',
        `${describeTarget(target)} failed before Genesys answered: ${reason}`,
        { target, hint: 'check the network path to Genesys Cloud (region or baseUrl)' },
      );
    }
  }
  const reason = raw instanceof Error ? raw.message : String(raw);
  return new GenesysApiError('genesys.invalid_call', `The Platform SDK call failed: ${reason}`, { target });
}

function fromResponse(parts: ResponseParts, target: RequestTarget | undefined): GenesysApiError {
  const body = isRecord(parts.body) ? parts.body : undefined;
  const genesysCode = str(body?.code) ?? str(body?.error);
  const genesysMessage =
    str(body?.message) ??
    str(body?.error_description) ??
    str(body?.description) ??
    (typeof parts.body === 'string' ? str(parts.body.slice(0, 200)) : undefined);
  const correlationId = headerValue(parts.headers, 'inin-correlation-id') ?? str(body?.contextId);
  const said = [genesysMessage, genesysCode && `code ${genesysCode}`].filter(Boolean).join('; ');
  return new GenesysApiError(
    codeForStatus(parts.status),
    `Genesys Cloud answered ${parts.status} to ${describeTarget(target)}${said ? `: ${said}` : ''}` +
      (correlationId ? ` (correlation id ${correlationId})` : ''),
    {
      status: parts.status,
      genesysCode,
      genesysMessage,
      correlationId,
      target,
      retryAfter: headerValue(parts.headers, 'retry-after'),
      hint: HINT_BY_STATUS[parts.status],
    },
  );
}
