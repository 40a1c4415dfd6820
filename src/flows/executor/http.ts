import type { DataActionErrorCode } from './errors.js';
import { excerpt } from './redact.js';

export interface ActionRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string | undefined;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Hidden from any text this module produces. */
  secrets: readonly string[];
  /** How much of an error answer to quote. */
  excerptChars: number;
}

export type ActionResponse =
  | { ok: true; status: number; text: string }
  | { ok: false; code: DataActionErrorCode; message: string; status?: number; body?: string };

/**
 * Sends the resolved request over Node's fetch. A non-2xx answer, a timeout (the action's
 * timeoutSeconds, covering the body too) and a network error are values, never exceptions.
 * Redirects are not followed: a 3xx is reported like any other non-2xx status.
 */
export async function sendActionRequest(request: ActionRequest): Promise<ActionResponse> {
  const timeout = AbortSignal.timeout(Math.max(1, request.timeoutMs));
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const target = `${request.method} ${excerpt(request.url, 200, request.secrets)}`;
  let status: number;
  let text: string;
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal,
      redirect: 'manual',
    });
    status = response.status;
    text = await response.text();
  } catch (err) {
    if (request.signal?.aborted) {
      return { ok: false, code: 'data_action.aborted', message: `${target}: cancelled by the caller` };
    }
    if (timeout.aborted) {
      return {
        ok: false,
        code: 'data_action.timeout',
        message: `${target}: no complete answer within ${formatMs(request.timeoutMs)}`,
      };
    }
    return {
      ok: false,
      code: 'data_action.connection',
      message: `${target}: the request failed (${describeCause(err)})`,
    };
  }
  if (status < 200 || status > 299) {
    const body = excerpt(text, request.excerptChars, request.secrets);
    return {
      ok: false,
      code: 'data_action.http_error',
      status,
      body,
      message: `${target}: the web service answered HTTP ${status}${body ? `: ${body}` : ' with no body'}`,
    };
  }
  return { ok: true, status, text };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function describeCause(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') {
    return cause instanceof Error ? `${cause.code}: ${cause.message}` : cause.code;
  }
  return cause instanceof Error ? cause.message : String(cause);
}
