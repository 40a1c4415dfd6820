import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isKitError, KitError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * A refusal the backend answers with: HTTP status, stable code, a sentence for a person. Messages
 * never hold a token, an API key, a credential or a caller number: they reach browsers and logs.
 */
export class ApiError extends KitError {
  readonly httpStatus: number;
  /** Seconds for a Retry-After header (429, 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(code, message, { status, cause: options.cause });
    this.name = 'ApiError';
    this.httpStatus = status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * Writes the error answer every route uses; `extra` adds top-level fields (readiness checks). Plain
 * node:http, so the fast path (outside Express) answers exactly as the routes do.
 */
export function sendError(res: ServerResponse, err: ApiError, extra: Record<string, unknown> = {}): void {
  sendJson(
    res,
    err.httpStatus,
    { ...errorBody(err.code, err.message), ...extra },
    {
      'Cache-Control': 'no-store',
      ...(err.retryAfterSeconds !== undefined ? { 'Retry-After': String(err.retryAfterSeconds) } : {}),
    },
  );
}

/** A JSON answer as Express's res.json writes it (same Content-Type), on any ServerResponse. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** Statuses a store (or other library) KitError without its own status maps to. */
const STATUS_BY_CODE: Record<string, number> = {
  'store.unavailable': 503,
  'store.closed': 503,
  'store.consent_required': 409,
  'store.invalid': 400,
  'ani.invalid': 400,
  'ani.withheld': 400,
};

/** Seconds a client should wait before retrying after a 503 from the database. */
const STORE_RETRY_AFTER_SECONDS = 5;

/** Turns anything a handler threw into an ApiError; unknown failures become a bare 500. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const parser = bodyParserError(err);
  if (parser) return parser;
  if (isKitError(err)) {
    const status = err.status ?? STATUS_BY_CODE[err.code] ?? 500;
    if (status >= 500 && !(err.code in STATUS_BY_CODE) && !err.code.startsWith('store.')) {
      return new ApiError(500, 'internal', 'the backend failed to handle the request', { cause: err });
    }
    const retryAfterSeconds = status === 503 ? STORE_RETRY_AFTER_SECONDS : undefined;
    return new ApiError(status, err.code, err.message, {
      cause: err,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  return new ApiError(500, 'internal', 'the backend failed to handle the request', { cause: err });
}

/** body-parser and Express routing errors carry `type` / `status`; they are the caller's fault. */
function bodyParserError(err: unknown): ApiError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { type, status } = err as { type?: unknown; status?: unknown };
  switch (type) {
    case 'entity.too.large':
      return new ApiError(413, 'request.too_large', 'the request body is larger than the backend accepts');
    case 'entity.parse.failed':
      return new ApiError(400, 'request.malformed_body', 'the request body is not well-formed JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(
        415,
        'request.unsupported_encoding',
        'the request body encoding or charset is not supported',
      );
    case 'parameters.too.many':
      return new ApiError(413, 'request.too_many_fields', 'the request body has too many fields');
    case 'request.aborted':
      return new ApiError(400, 'request.aborted', 'the client aborted the request body');
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return new ApiError(400, 'request.malformed_body', 'the request body could not be read');
    default:
      break;
  }
  if (
    err instanceof URIError ||
    (status === 400 && err instanceof Error && /decode param/i.test(err.message))
  ) {
    return new ApiError(400, 'request.malformed_url', 'the request path holds a broken percent-encoding');
  }
  // A body that does not decode as its Content-Encoding says (gzip, deflate, br): body-parser passes
  // zlib's error on with status 400 and zlib's code (Z_DATA_ERROR, ERR__ERROR_FORMAT_PADDING_1…).
  const code = (err as { code?: unknown }).code;
  if (status === 400 && typeof code === 'string' && /^(Z_|ERR_)/.test(code)) {
    return new ApiError(
      400,
      'request.malformed_body',
      'the request body does not decode as its Content-Encoding says; send it plain or encoded correctly',
    );
  }
  return undefined;
}

/**
 * Answers a failure with `{ error: { code, message } }`; a 5xx is logged with its cause's code and
 * message. Plain node:http: the last middleware and the fast path (outside Express) both use it.
 */
export function answerError(res: ServerResponse, err: unknown, logger: Logger): void {
  const api = toApiError(err);
  if (api.httpStatus >= 500) {
    const cause = api.cause ?? err;
    logger.error(
      {
        code: api.code,
        causeCode: isKitError(cause) ? cause.code : undefined,
        // The cause's message is written by the kit's own libraries, which keep secrets out of it.
        reason: cause instanceof Error ? cause.message : undefined,
      },
      'request failed',
    );
  }
  sendError(res, api);
}

/** The last middleware: answers every failure with `{ error: { code, message } }`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    answerError(res, err, logger);
  };
}

/** Unknown paths answer in the same shape as every other error. */
export const notFoundHandler: RequestHandler = (_req, res) => {
  sendError(res, new ApiError(404, 'route.not_found', 'no such route on the backend'));
};

/** For a known path asked with a method it does not serve. */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (_req, res) => {
    res.setHeader('Allow', allowed.join(', '));
    sendError(
      res,
      new ApiError(405, 'route.method_not_allowed', `this route answers ${allowed.join(', ')} only`),
    );
  };
}
