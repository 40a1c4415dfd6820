import type { TSchema, Static } from '@sinclair/typebox';
import type { Request, Response, Router } from 'express';
import { normaliseAni } from '../../identity/ani.js';
import type { AccessContext, Actor } from '../../store/index.js';
import { acceptBody } from '../body.js';
import { methodNotAllowed } from '../errors.js';
import { stateOf } from '../locals.js';
import { PutConsentBody, PutCredentialBody } from '../schemas.js';
import { auditAs, noStore, noteTarget, routeInput, storeCredential } from './common.js';
import type { RouteContext } from './context.js';
import { ivrSessionRoutes } from './ivr-sessions.js';
import { ivrConsentView, ivrCredentialView } from './views.js';

/** The caller a data action names, in E.164, with who asks and in which (optional) conversation. */
export interface IvrCaller {
  e164: string;
  access: AccessContext;
}

/**
 * The data action's caller: the number normalised and the access context of the key's holder. A
 * plain function, so the fast path (outside Express) checks a number exactly as the routes do.
 */
export function ivrCaller(
  ctx: RouteContext,
  actor: Actor,
  ani: string,
  conversationId: string | undefined,
): IvrCaller {
  const e164 = normaliseAni(ani, { defaultCountry: ctx.config.backend.defaultCountry });
  return { e164, access: { actor, conversationId: conversationId ?? null } };
}

/** The answer of `GET /api/v1/ivr/credentials/{ani}`: a read (audited by the store), flat shape. */
export async function ivrCredentialRead(ctx: RouteContext, caller: IvrCaller) {
  const stored = await ctx.store.getCredential(caller.access, caller.e164);
  return ivrCredentialView(caller.e164, stored, ctx.config.daspeak.modelHash);
}

/**
 * Routes for Genesys data actions (the IVR flows), under `/api/v1/ivr/`, with the backend API key.
 * Every answer is a flat JSON object with stable field names, also when nothing is found (200 with
 * `found: false`): the data-action executor treats an empty 2xx as a failure, and a 404 would send
 * the flow down its failure path for what is an ordinary outcome.
 */
export function ivrRoutes(router: Router, ctx: RouteContext): void {
  const ivr = [noStore, ctx.apiKeyAuth, ctx.limits.apiKey] as const;

  function callerFor(req: Request, res: Response): { caller: IvrCaller; body: undefined };
  function callerFor<S extends TSchema>(
    req: Request,
    res: Response,
    bodySchema: S,
  ): { caller: IvrCaller; body: Static<S> };
  function callerFor(req: Request, res: Response, bodySchema?: TSchema) {
    const { conversationId, body } = bodySchema === undefined ? routeInput(req) : routeInput(req, bodySchema);
    if (conversationId !== undefined) stateOf(res).conversationId = conversationId;
    return { caller: ivrCaller(ctx, stateOf(res).actor!, String(req.params.ani), conversationId), body };
  }

  router
    .route('/api/v1/ivr/credentials/:ani')
    .get(auditAs('credential.read'), noteTarget, ...ivr, async (req, res) => {
      res.json(await ivrCredentialRead(ctx, callerFor(req, res).caller));
    })
    .put(auditAs('credential.store'), ...acceptBody(['json']), noteTarget, ...ivr, async (req, res) => {
      const { caller, body } = callerFor(req, res, PutCredentialBody);
      const result = await storeCredential(ctx, caller.access, caller.e164, body);
      res.json({ stored: true, created: result.created, ani: caller.e164, modelHash: result.modelHash });
    })
    .delete(auditAs('credential.delete'), noteTarget, ...ivr, async (req, res) => {
      const { caller } = callerFor(req, res);
      const deleted = await ctx.store.deleteCredential(caller.access, caller.e164);
      res.json({ deleted, ani: caller.e164 });
    })
    .all(methodNotAllowed(['GET', 'PUT', 'DELETE']));

  router
    .route('/api/v1/ivr/consent/:ani')
    .get(auditAs('consent.read'), noteTarget, ...ivr, async (req, res) => {
      const { e164 } = callerFor(req, res).caller;
      res.json(ivrConsentView(e164, await ctx.store.getConsent(e164)));
    })
    .put(auditAs('consent.record'), ...acceptBody(['json']), noteTarget, ...ivr, async (req, res) => {
      const { caller, body } = callerFor(req, res, PutConsentBody);
      const consent = await ctx.store.recordConsent(caller.access, caller.e164, {
        wordingVersion: body.wordingVersion,
        decision: body.decision ?? 'granted',
      });
      res.json({ recorded: true, ...ivrConsentView(caller.e164, consent) });
    })
    .delete(auditAs('consent.withdraw'), noteTarget, ...ivr, async (req, res) => {
      const { caller } = callerFor(req, res);
      const result = await ctx.store.withdrawConsent(caller.access, caller.e164);
      res.json({ withdrawn: true, ani: caller.e164, ...result });
    })
    .all(methodNotAllowed(['GET', 'PUT', 'DELETE']));

  ivrSessionRoutes(router, ctx);
}
