import type { Request, Response, Router } from 'express';
import { normaliseAni } from '../../identity/ani.js';
import type { AccessContext } from '../../store/index.js';
import { acceptBody } from '../body.js';
import { methodNotAllowed } from '../errors.js';
import { stateOf } from '../locals.js';
import { conversationField, ConversationQuery, PutConsentBody, PutCredentialBody } from '../schemas.js';
import { parseInput } from '../validation.js';
import { pickConversation } from './agent-credentials.js';
import { auditAs, noStore, noteTarget } from './common.js';
import type { RouteContext } from './context.js';
import { ivrConsentView, ivrCredentialView } from './views.js';

/**
 * Routes for Genesys data actions (the IVR flows), under `/api/v1/ivr/`, with the backend API key.
 * Every answer is a flat JSON object with stable field names, also when nothing is found (200 with
 * `found: false`): the data-action executor treats an empty 2xx as a failure, and a 404 would send
 * the flow down its failure path for what is an ordinary outcome.
 */
export function ivrRoutes(router: Router, ctx: RouteContext): void {
  const ivr = [noStore, ctx.apiKeyAuth, ctx.limits.apiKey] as const;
  const defaultCountry = ctx.config.backend.defaultCountry;
  const modelHash = ctx.config.daspeak.modelHash;

  const caller = (req: Request, res: Response, conversationId: string | undefined) => {
    const e164 = normaliseAni(String(req.params.ani), { defaultCountry });
    if (conversationId !== undefined) stateOf(res).conversationId = conversationId;
    const access: AccessContext = { actor: stateOf(res).actor!, conversationId: conversationId ?? null };
    return { e164, access };
  };

  router
    .route('/api/v1/ivr/credentials/:ani')
    .get(auditAs('credential.read'), noteTarget, ...ivr, async (req, res) => {
      const query = parseInput(ConversationQuery, { ...(req.query as object) }, 'query');
      const { e164, access } = caller(req, res, conversationField(query.conversationId));
      const stored = await ctx.store.getCredential(access, e164);
      res.json(ivrCredentialView(e164, stored, modelHash));
    })
    .put(auditAs('credential.store'), ...acceptBody(['json']), noteTarget, ...ivr, async (req, res) => {
      const query = parseInput(ConversationQuery, { ...(req.query as object) }, 'query');
      const body = parseInput(PutCredentialBody, req.body, 'body');
      const { e164, access } = caller(
        req,
        res,
        pickConversation(conversationField(query.conversationId), conversationField(body.conversationId)),
      );
      const result = await ctx.store.putCredential(access, e164, {
        credential: body.credential,
        modelHash: body.modelHash ?? modelHash,
        requireConsent: ctx.requireConsent,
      });
      res.json({ stored: true, created: result.created, ani: e164, modelHash: result.modelHash });
    })
    .delete(auditAs('credential.delete'), noteTarget, ...ivr, async (req, res) => {
      const query = parseInput(ConversationQuery, { ...(req.query as object) }, 'query');
      const { e164, access } = caller(req, res, conversationField(query.conversationId));
      const deleted = await ctx.store.deleteCredential(access, e164);
      res.json({ deleted, ani: e164 });
    })
    .all(methodNotAllowed(['GET', 'PUT', 'DELETE']));

  router
    .route('/api/v1/ivr/consent/:ani')
    .get(auditAs('consent.read'), noteTarget, ...ivr, async (req, res) => {
      const query = parseInput(ConversationQuery, { ...(req.query as object) }, 'query');
      const { e164 } = caller(req, res, conversationField(query.conversationId));
      res.json(ivrConsentView(e164, await ctx.store.getConsent(e164)));
    })
    .put(auditAs('consent.record'), ...acceptBody(['json']), noteTarget, ...ivr, async (req, res) => {
      const query = parseInput(ConversationQuery, { ...(req.query as object) }, 'query');
      const body = parseInput(PutConsentBody, req.body, 'body');
      const { e164, access } = caller(
        req,
        res,
        pickConversation(conversationField(query.conversationId), conversationField(body.conversationId)),
      );
      const consent = await ctx.store.recordConsent(access, e164, { wordingVersion: body.wordingVersion });
      res.json({ recorded: true, ...ivrConsentView(e164, consent) });
    })
    .delete(auditAs('consent.withdraw'), noteTarget, ...ivr, async (req, res) => {
      const query = parseInput(ConversationQuery, { ...(req.query as object) }, 'query');
      const { e164, access } = caller(req, res, conversationField(query.conversationId));
      const result = await ctx.store.withdrawConsent(access, e164);
      res.json({ withdrawn: true, ani: e164, ...result });
    })
    .all(methodNotAllowed(['GET', 'PUT', 'DELETE']));
}
