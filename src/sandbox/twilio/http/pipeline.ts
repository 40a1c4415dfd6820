import { timingSafeEqual } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import {
  authenticate,
  badParameter,
  internalError,
  notFound,
  serviceUnavailable,
  tooManyRequests,
  TwilioApiError,
} from '../errors.js';
import type { TwilioContext } from './context.js';

export function sendError(res: Response, err: TwilioApiError): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.httpStatus).json(err.body());
}

/** Injected faults for the Twilio routes (never /sandbox): a slow reply, a 429 with Retry-After, a 5xx. */
export function faults(ctx: TwilioContext): RequestHandler {
  return (req, res, next) => {
    if (req.path.startsWith('/sandbox/') || req.path === '/flex' || req.path.startsWith('/flex/'))
      return next();
    const d = ctx.faults.decide(req.path);
    const act = () => {
      if (d.status === 429) return sendError(res, tooManyRequests(d.retryAfter));
      if (d.status === 503) return sendError(res, serviceUnavailable());
      if (d.status === 500) return sendError(res, internalError());
      next();
    };
    if (d.delayMs > 0) setTimeout(act, d.delayMs);
    else act();
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * HTTP Basic `AccountSid:AuthToken`, as every Twilio REST API takes it; 401 code 20003 otherwise. The
 * AccountSid in the path must be the authenticated one (the stand-in holds a single account).
 */
export function basicAuth(ctx: TwilioContext): RequestHandler {
  return (req, _res, next) => {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.header('authorization') ?? '');
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? '' : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    const { accountSid, authToken } = ctx.state;
    if (!sameSecret(user, accountSid) || !sameSecret(password, authToken)) throw authenticate();
    const pathAccount = (req.params as { accountSid?: string }).accountSid;
    if (pathAccount !== undefined && pathAccount !== accountSid) throw authenticate();
    next();
  };
}

/** A route answered only for its own account/workspace: anything else is an unknown path to Twilio. */
export function notFoundRoute(): RequestHandler {
  return (req, res) => sendError(res, notFound(req.path));
}

/** A single form field as text (Twilio's bodies are flat `application/x-www-form-urlencoded`). */
export function field(req: Request, name: string): string | undefined {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const v = body[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  throw badParameter(`${name} must be a single value`);
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Maps anything thrown into Twilio's error body; bad input never takes the process down. */
export function errorHandler(ctx: TwilioContext): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof TwilioApiError) return sendError(res, err);
    const bp = err as BodyParserError;
    if (typeof bp.type === 'string' && typeof bp.status === 'number' && bp.status < 500) {
      return sendError(res, badParameter(`The request body could not be read (${bp.type})`));
    }
    ctx.logger.error({ err }, 'Twilio stand-in route failed');
    sendError(res, internalError());
  };
}
