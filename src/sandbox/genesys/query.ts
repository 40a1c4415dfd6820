import type { Request } from 'express';
import { badRequest } from './api-error.js';

/** The first value of a query parameter, or undefined. */
export function queryValue(req: Request, name: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** All values of a list parameter, accepting both repeated keys and the SDK's comma-joined form. */
export function queryList(req: Request, name: string): string[] {
  const v = (req.query as Record<string, unknown>)[name];
  const raw = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return raw
    .filter((x): x is string => typeof x === 'string')
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

export function queryBoolean(req: Request, name: string): boolean | undefined {
  const v = queryValue(req, name);
  if (v === undefined || v === '') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest(`Query parameter "${name}" must be true or false`, {
    details: [{ errorCode: 'invalid.value', fieldName: name }],
  });
}

export function queryInteger(req: Request, name: string, fallback: number, min: number, max: number): number {
  const v = queryValue(req, name);
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw badRequest(`Query parameter "${name}" must be an integer between ${min} and ${max}`, {
      details: [{ errorCode: 'invalid.value', fieldName: name }],
    });
  }
  return n;
}

/**
 * Genesys name filters: case-insensitive, `*` as a wildcard (queues allow leading and trailing
 * asterisks, flows anywhere); without a wildcard the whole name must match.
 */
export function nameMatcher(filter: string | undefined): (name: string) => boolean {
  if (filter === undefined || filter === '') return () => true;
  const pattern = filter
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const re = new RegExp(`^${pattern}$`, 'i');
  return (name) => re.test(name);
}
