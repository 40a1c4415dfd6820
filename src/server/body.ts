import express, { type Request, type RequestHandler } from 'express';
import { ApiError } from './errors.js';

/** A credential is at most 256 KiB; form encoding may triple its base64 characters. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export type BodyKind = 'json' | 'form';

const MEDIA_TYPES: Record<BodyKind, string> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
};

export function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Parses the body kinds a route accepts and refuses any other content type with 415. A request
 * without a body gets `{}`, so a missing field is reported as such by the route's schema.
 */
export function acceptBody(kinds: readonly BodyKind[]): RequestHandler[] {
  const parsers: RequestHandler[] = [];
  if (kinds.includes('json')) parsers.push(express.json({ limit: BODY_LIMIT_BYTES, strict: true }));
  if (kinds.includes('form')) {
    parsers.push(express.urlencoded({ extended: false, limit: BODY_LIMIT_BYTES, parameterLimit: 20 }));
  }
  const types = kinds.map((k) => MEDIA_TYPES[k]);
  const check: RequestHandler = (req, _res, next) => {
    if (hasBody(req) && !req.is(types)) {
      throw new ApiError(415, 'request.unsupported_media_type', `send the body as ${types.join(' or ')}`);
    }
    next();
  };
  // The type is checked before parsing, so a wrong type is never read into memory.
  return [
    check,
    ...parsers,
    (req, _res, next) => {
      if (req.body === undefined) req.body = {};
      next();
    },
  ];
}
