import { ErrorBodySchema, OAuthErrorBodySchema, describeErrorBody } from './contract.js';
import { DaspeakError, excerpt, type DaspeakErrorCode } from './errors.js';
import { check } from './validate.js';

/** One HTTP exchange with das-Peak or its auth server, over Node's global fetch. */
export interface HttpCall {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  /** Names the call in errors and logs, e.g. `POST /v1/register_session`. */
  operation: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: URLSearchParams;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Values that must never appear in an error (API key, client secret, tokens). */
  secrets: readonly (string | undefined)[];
  /** Hint attached to an auth failure, e.g. which setting holds the key. */
  authHint?: string;
  /** Which non-2xx answers mean "your credentials were refused"; default 401 and 403. */
  isAuthFailure?: (status: number, serverCode: string | undefined) => boolean;
}

export interface HttpAnswer {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

const defaultIsAuthFailure = (status: number) => status === 401 || status === 403;

/**
 * Sends the request and returns a 2xx answer's JSON. Everything else becomes a DaspeakError:
 * `daspeak.aborted`, `daspeak.timeout`, `daspeak.connection`, `daspeak.auth_failed`,
 * `daspeak.http_error` (with the server's status, code and message) or `daspeak.bad_response`.
 */
export async function httpCall(call: HttpCall): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(Math.max(1, call.timeoutMs));
  const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
  const headers: Record<string, string> = { Accept: 'application/json', ...call.headers };
  let body: string | undefined;
  if (call.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = call.form.toString();
  }

  let status: number;
  let text: string;
  try {
    const response = await fetch(call.url, { method: call.method, headers, body, signal, redirect: 'error' });
    status = response.status;
    text = await response.text();
  } catch (err) {
    throw transportError(call, err, timeout);
  }

  if (status < 200 || status > 299) throw statusError(call, status, text);
  if (text.trim() === '') return { status, body: undefined };
  try {
    return { status, body: JSON.parse(text) as unknown };
  } catch {
    throw new DaspeakError(
      'daspeak.bad_response',
      `${call.operation}: the answer is not JSON: ${excerpt(text, call.secrets)}`,
      { operation: call.operation, upstreamStatus: status, bodyExcerpt: excerpt(text, call.secrets) },
    );
  }
}

function transportError(call: HttpCall, err: unknown, timeout: AbortSignal): DaspeakError {
  if (call.signal?.aborted) {
    return new DaspeakError('daspeak.aborted', `${call.operation}: cancelled by the caller`, {
      operation: call.operation,
      cause: err,
    });
  }
  if (timeout.aborted) {
    return new DaspeakError('daspeak.timeout', `${call.operation}: no answer within ${call.timeoutMs} ms`, {
      operation: call.operation,
      cause: err,
    });
  }
  const reason = describeCause(err);
  return new DaspeakError(
    'daspeak.connection',
    `${call.operation}: could not reach ${safeOrigin(call.url)}${reason ? ` (${reason})` : ''}`,
    { operation: call.operation, cause: err, hint: 'check the das-Peak URLs in the config and the network' },
  );
}

function statusError(call: HttpCall, status: number, text: string): DaspeakError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  let serverCode: string | undefined;
  let serverMessage: string | undefined;
  const errorBody = check(ErrorBodySchema, parsed);
  if (errorBody.ok) {
    ({ code: serverCode, message: serverMessage } = describeErrorBody(errorBody.value));
  } else {
    const oauth = check(OAuthErrorBodySchema, parsed);
    if (oauth.ok) {
      serverCode = oauth.value.error;
      serverMessage = oauth.value.error_description;
    }
  }
  const bodyExcerpt = excerpt(text, call.secrets);
  const said = serverCode
    ? `${serverCode}${serverMessage ? `: ${excerpt(serverMessage, call.secrets)}` : ''}`
    : bodyExcerpt || 'no body';
  const isAuth = (call.isAuthFailure ?? defaultIsAuthFailure)(status, serverCode);
  const code: DaspeakErrorCode = isAuth ? 'daspeak.auth_failed' : 'daspeak.http_error';
  return new DaspeakError(code, `${call.operation}: HTTP ${status} (${said})`, {
    operation: call.operation,
    upstreamStatus: status,
    serverCode,
    serverMessage: serverMessage === undefined ? undefined : excerpt(serverMessage, call.secrets),
    bodyExcerpt,
    hint: isAuth ? call.authHint : undefined,
  });
}

function describeCause(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string')
    return cause.code;
  return cause instanceof Error ? cause.message : '';
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the server';
  }
}

/** Joins a base URL that may end in `/` and a path that starts with `/`. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
