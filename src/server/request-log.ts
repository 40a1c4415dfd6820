import { randomUUID } from 'node:crypto';
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

/**
 * One log line and the metrics of each request, written when the answer is finished. Only the
 * method, the route pattern, the status, the time and the request id are logged: URLs, queries,
 * headers and bodies hold caller numbers, tokens and credentials.
 */
export function requestLog(logger: Logger, metrics: ServerMetrics): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    stateOf(res).requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      metrics.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
      metrics.httpDuration.observe({ route, method: req.method }, seconds);
      const entry = {
        requestId,
        method: req.method,
        route,
        status: res.statusCode,
        ms: Math.round(seconds * 10_000) / 10,
        actor: stateOf(res).actor?.type,
      };
      if (QUIET_ROUTES.has(route)) logger.debug(entry, 'request');
      else logger.info(entry, 'request');
    });
    next();
  };
}
