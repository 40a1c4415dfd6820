import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../log.js';
import { stateOf } from './locals.js';
import type { ServerMetrics } from './metrics.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** The route pattern (`/api/v1/credentials/:ani`): labels and logs never hold a caller number. */
export function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : '(unmatched)';
}

/** The caller's X-Request-Id when it is a sane one, else a new id. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Writes one log line and the metrics of a request when its answer is finished. Only the method,
 * the route pattern, the status, the time, the request id and the kind of caller are logged: URLs,
 * queries, headers and bodies hold caller numbers, tokens and credentials.
 */
export function observeRequest(
  res: ServerResponse,
  logger: Logger,
  metrics: ServerMetrics,
  entry: { requestId: string; method: string; route: () => string; actor: () => string | undefined },
): void {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = entry.route();
    metrics.httpRequests.inc({ route, method: entry.method, status: String(res.statusCode) });
    metrics.httpDuration.observe({ route, method: entry.method }, seconds);
    const line = {
      requestId: entry.requestId,
      method: entry.method,
      route,
      status: res.statusCode,
      ms: Math.round(seconds * 10_000) / 10,
      actor: entry.actor(),
    };
    if (QUIET_ROUTES.has(route)) logger.debug(line, 'request');
    else logger.info(line, 'request');
  });
}

/** The Express middleware: request id, then observeRequest with the matched route's pattern. */
export function requestLog(logger: Logger, metrics: ServerMetrics): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdOf(req);
    stateOf(res).requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    observeRequest(res, logger, metrics, {
      requestId,
      method: req.method,
      route: () => routeOf(req),
      actor: () => stateOf(res).actor?.type,
    });
    next();
  };
}
