import type { Router } from 'express';
import { methodNotAllowed } from '../errors.js';
import { auditAs, noStore } from './common.js';
import type { RouteContext } from './context.js';

/** The answer of `GET /token` for a verified agent; the route and the fast path both issue here. */
export async function issueToken(ctx: RouteContext) {
  const token = await ctx.tokens.issue();
  ctx.metrics.tokensIssued.inc();
  return {
    access_token: token.accessToken,
    token_type: token.tokenType,
    expires_in: token.expiresInSeconds,
  };
}

/**
 * `GET /token`: the URL the widget's getTemporaryToken(authenticationServerUrl) calls. A verified
 * agent gets a das-Peak access token for the Socket.IO channel; the client secret stays here.
 */
export function tokenRoutes(router: Router, ctx: RouteContext): void {
  router
    .route('/token')
    .get(auditAs('token.issue'), noStore, ctx.agentAuth, ctx.limits.agent, async (_req, res) => {
      res.json(await issueToken(ctx));
    })
    .all(methodNotAllowed(['GET']));
}
