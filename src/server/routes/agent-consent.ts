import type { Router } from 'express';
import { acceptBody } from '../body.js';
import { ApiError, methodNotAllowed } from '../errors.js';
import { PutConsentBody } from '../schemas.js';
import { callerFor } from './agent-credentials.js';
import { auditAs, noStore, noteTarget } from './common.js';
import type { RouteContext } from './context.js';
import { consentView } from './views.js';

export const consentNotFound = () =>
  new ApiError(404, 'consent.not_found', 'no consent has been recorded for this caller');

/**
 * `/api/v1/consent/{ani}` for the widget: the agent records the caller's answer (granted or refused,
 * with the version of the wording read to them), reads it, or withdraws a grant, which deletes the
 * credential too.
 */
export function agentConsentRoutes(router: Router, ctx: RouteContext): void {
  const agent = [noStore, ctx.agentAuth, ctx.limits.agent] as const;
  router
    .route('/api/v1/consent/:ani')
    .get(auditAs('consent.read'), noteTarget, ...agent, async (req, res) => {
      const { access } = await callerFor(ctx, req, res, 'cached');
      const consent = await ctx.store.getConsent(access.e164);
      if (!consent) throw consentNotFound();
      res.json(consentView(consent));
    })
    .put(auditAs('consent.record'), ...acceptBody(['json']), noteTarget, ...agent, async (req, res) => {
      const { access, body } = await callerFor(ctx, req, res, 'live', PutConsentBody);
      const consent = await ctx.store.recordConsent(access.ctx, access.e164, {
        wordingVersion: body.wordingVersion,
        decision: body.decision ?? 'granted',
      });
      res.json(consentView(consent));
    })
    .delete(auditAs('consent.withdraw'), noteTarget, ...agent, async (req, res) => {
      const { access } = await callerFor(ctx, req, res, 'live');
      const result = await ctx.store.withdrawConsent(access.ctx, access.e164);
      res.json({ withdrawn: true, ...result });
    })
    .all(methodNotAllowed(['GET', 'PUT', 'DELETE']));
}
