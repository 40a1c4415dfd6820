import { KitError } from '../errors.js';

/**
 * Stable codes of everything that can go wrong talking to das-Peak Streaming.
 * `status` (the HTTP status a kit server should answer) is 502/504: the upstream failed, not the
 * caller. The upstream's own status lives in `upstreamStatus`.
 */
export const DASPEAK_ERROR_CODES = [
  'daspeak.auth_failed',
  'daspeak.http_error',
  'daspeak.timeout',
  'daspeak.bad_response',
  'daspeak.connection',
  'daspeak.aborted',
  'daspeak.invalid_request',
] as const;
export type DaspeakErrorCode = (typeof DASPEAK_ERROR_CODES)[number];

export interface DaspeakErrorOptions {
  hint?: string;
  cause?: unknown;
  /** HTTP status das-Peak (or its auth server) answered. */
  upstreamStatus?: number;
  /** Code and message from the error body (`{code,message}`, `{exception,error}` or OAuth `{error}`). */
  serverCode?: string;
  serverMessage?: string;
  /** The start of the answer, secrets removed. */
  bodyExcerpt?: string;
  /** Which call failed, e.g. `POST /v1/register_session`. */
  operation?: string;
}

const KIT_STATUS: Record<DaspeakErrorCode, number> = {
  'daspeak.auth_failed': 502,
  'daspeak.http_error': 502,
  'daspeak.timeout': 504,
  'daspeak.bad_response': 502,
  'daspeak.connection': 502,
  'daspeak.aborted': 499,
  'daspeak.invalid_request': 400,
};

export class DaspeakError extends KitError {
  declare readonly code: DaspeakErrorCode;
  readonly upstreamStatus: number | undefined;
  readonly serverCode: string | undefined;
  readonly serverMessage: string | undefined;
  readonly bodyExcerpt: string | undefined;
  readonly operation: string | undefined;

  constructor(code: DaspeakErrorCode, message: string, options: DaspeakErrorOptions = {}) {
    const details: Record<string, unknown> = {};
    for (const key of [
      'upstreamStatus',
      'serverCode',
      'serverMessage',
      'bodyExcerpt',
      'operation',
    ] as const) {
      if (options[key] !== undefined) details[key] = options[key];
    }
    super(code, message, { hint: options.hint, cause: options.cause, status: KIT_STATUS[code], details });
    this.name = 'DaspeakError';
    this.upstreamStatus = options.upstreamStatus;
    this.serverCode = options.serverCode;
    this.serverMessage = options.serverMessage;
    this.bodyExcerpt = options.bodyExcerpt;
    this.operation = options.operation;
  }
}

export function isDaspeakError(value: unknown): value is DaspeakError {
  return value instanceof DaspeakError;
}

const EXCERPT_LENGTH = 300;

/**
 * The start of an upstream answer, fit for an error message: secrets replaced (a server may echo a
 * request back), control characters flattened, cut to a few hundred characters.
 */
export function excerpt(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "secrets" would redact ordinary words; config requires real ones to be non-empty.
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  // eslint-disable-next-line no-control-regex
  out = out.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return out.length > EXCERPT_LENGTH ? `${out.slice(0, EXCERPT_LENGTH)}…` : out;
}
