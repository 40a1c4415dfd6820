import type { TSchema, Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { ApiError } from '../errors.js';

/** An answer of the Platform API: status and parsed JSON (undefined when empty or not JSON). */
export interface GenesysAnswer {
  status: number;
  body: unknown;
}

const ajv = new Ajv({ allErrors: false, strict: false });

/** Genesys could not be asked, or answered in a way that says nothing about the caller. */
export function genesysUnavailable(what: string, cause?: unknown): ApiError {
  return new ApiError(
    503,
    'genesys.unavailable',
    `Genesys Cloud could not be asked ${what}; try again shortly`,
    {
      retryAfterSeconds: 5,
      cause,
    },
  );
}

/**
 * One request to the org with a bearer token (the agent's own, so Genesys applies the agent's
 * permissions). Transport failures and timeouts become genesys.unavailable; statuses are left to the
 * caller, which knows what a 403 or a 404 means for its question.
 */
export async function genesysRequest(
  url: string,
  init: {
    method?: 'GET' | 'POST';
    token?: string;
    basic?: string;
    form?: string;
    timeoutMs: number;
    what: string;
  },
): Promise<GenesysAnswer> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (init.token !== undefined) headers.Authorization = `Bearer ${init.token}`;
  if (init.basic !== undefined) headers.Authorization = `Basic ${init.basic}`;
  if (init.form !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  let status: number;
  let text: string;
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      ...(init.form !== undefined ? { body: init.form } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(init.timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    throw genesysUnavailable(init.what, err);
  }
  let body: unknown;
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status, body };
}

/** Checks a 2xx body against the schema the backend relies on. */
export function expectShape<S extends TSchema>(schema: S, body: unknown, what: string): Static<S> {
  if (ajv.validate(schema, body)) return body;
  throw new ApiError(502, 'genesys.bad_response', `Genesys Cloud answered ${what} in an unexpected shape`);
}
