import type { Router } from 'express';
import { methodNotAllowed } from '../errors.js';
import { auditAs, noStore } from './common.js';
import type { RouteContext } from './context.js';

/**
 * `GET /token`: the URL the widget's getTemporaryToken(authenticationServerUrl) calls. A verified
 * agent gets a das-Peak access token for the Socket.IO channel; the client secret stays here.
 */
export function tokenRoutes(router: Router, ctx: RouteContext): void {
  router
    .route('/token')
    .get(auditAs('token.issue'), noStore, ctx.agentAuth, ctx.limits.agent, async (_req, res) => {
      const token = await ctx.tokens.issue();
      ctx.metrics.tokensIssued.inc();
      res.json({
        access_token: token.accessToken,
        token_type: token.tokenType,
        expires_in: token.expiresInSeconds,
      });
    })
    .all(methodNotAllowed(['GET']));
}
