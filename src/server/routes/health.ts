import type { Router } from 'express';
import { isKitError } from '../../errors.js';
import { ApiError, methodNotAllowed, sendError } from '../errors.js';
import { noStore } from './common.js';
import type { RouteContext } from './context.js';

/** Probes for orchestrators, and the Prometheus endpoint. */
export function healthRoutes(router: Router, ctx: RouteContext): void {
  router
    .route('/healthz')
    .get(noStore, (_req, res) => {
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/readyz')
    .get(noStore, async (_req, res) => {
      const checks: Record<string, string> = {};
      const failed: string[] = [];
      try {
        await ctx.store.ping();
        checks.database = 'ok';
      } catch (err) {
        checks.database = isKitError(err) ? err.code : 'error';
        failed.push('the database cannot be reached');
      }
      // A probe never adds to the load on a failing auth server: while the source backs off, the
      // last failure is reported as it is, without an upstream request.
      const tokens = ctx.tokens.state();
      if (tokens.valid) {
        checks.daspeakAuth = 'cached';
      } else if (ctx.clock.now() < tokens.pausedUntil) {
        checks.daspeakAuth = tokens.lastError ?? 'token.unavailable';
        failed.push('the das-Peak authentication server failed recently and no token is cached');
      } else {
        try {
          await ctx.tokens.accessToken();
          checks.daspeakAuth = 'ok';
        } catch (err) {
          checks.daspeakAuth = isKitError(err) ? err.code : 'error';
          failed.push('the das-Peak authentication server cannot issue a token and none is cached');
        }
      }
      if (failed.length === 0) {
        res.json({ status: 'ready', checks });
        return;
      }
      sendError(
        res,
        new ApiError(503, 'not_ready', `not ready: ${failed.join('; ')}`, { retryAfterSeconds: 5 }),
        {
          checks,
        },
      );
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/metrics')
    .get(noStore, async (_req, res) => {
      res.setHeader('Content-Type', ctx.metrics.registry.contentType);
      res.send(await ctx.metrics.registry.metrics());
    })
    .all(methodNotAllowed(['GET']));
}
