import type { TSchema, Static } from '@sinclair/typebox';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { StoredCredential } from '../../store/index.js';
import {
  authorizeAgentForCaller,
  conversationIdOf,
  type CallerAccess,
  type Freshness,
} from '../auth/caller.js';
import { acceptBody, hasBody } from '../body.js';
import { ApiError, methodNotAllowed } from '../errors.js';
import { conversationField, CallerIdForm, PutCredentialBody, StoreCredentialForm } from '../schemas.js';
import { parseInput } from '../validation.js';
import { auditAs, noStore, noteTarget, routeInput, storeCredential } from './common.js';
import type { RouteContext } from './context.js';
import { credentialStatusView, credentialView, storedView } from './views.js';

export const credentialNotFound = () =>
  new ApiError(404, 'credential.not_found', 'no voice credential is stored for this caller');

/**
 * A credential read the agent is allowed: the store reads it and commits the read's audit row
 * first; nothing stored is a 404. The routes and the fast path (outside Express) both read here.
 */
export async function readCredential(ctx: RouteContext, access: CallerAccess): Promise<StoredCredential> {
  const stored = await ctx.store.getCredential(access.ctx, access.e164);
  if (!stored) throw credentialNotFound();
  return stored;
}

/** The seed utils.js shape of `GET /database/getCredential`. */
export const seedCredentialView = (stored: StoredCredential) => ({ credential: stored.credential });

/**
 * In relay mode the browser never holds a credential: the routes that would hand one to it or take
 * one from it refuse, before anything else is looked at (it costs nothing and names no one).
 */
export const relayModeRefusal = () =>
  new ApiError(
    403,
    'credential.relay_mode',
    'in relay mode the browser never holds a credential: the backend stores and reads it during the relayed session (widget.signalling)',
  );

export function refuseInRelayMode(ctx: RouteContext): RequestHandler {
  return (_req, _res, next) => {
    if (ctx.config.widget.signalling === 'relay') throw relayModeRefusal();
    next();
  };
}

/** The agent's access to one caller: authenticated agent, on the conversation, whose customer it is. */
export function agentCaller(
  ctx: RouteContext,
  req: Request,
  res: Response,
  ani: string,
  fieldValue: string | undefined,
  freshness: Freshness,
): Promise<CallerAccess> {
  const conversationId = conversationIdOf(ctx.platform.name, req, res, conversationField(fieldValue));
  return authorizeAgentForCaller(
    res,
    ctx.conversations,
    ani,
    conversationId,
    ctx.config.backend.defaultCountry,
    freshness,
  );
}

/**
 * The agent's access to the caller of a `…/{ani}` route: the query (and the body, when the route
 * takes one) read against their schemas, the conversation they and the header name, then the
 * conversation check. Answers the parsed body with the access.
 */
export function callerFor(
  ctx: RouteContext,
  req: Request,
  res: Response,
  freshness: Freshness,
): Promise<{ access: CallerAccess; body: undefined }>;
export function callerFor<S extends TSchema>(
  ctx: RouteContext,
  req: Request,
  res: Response,
  freshness: Freshness,
  bodySchema: S,
): Promise<{ access: CallerAccess; body: Static<S> }>;
export async function callerFor(
  ctx: RouteContext,
  req: Request,
  res: Response,
  freshness: Freshness,
  bodySchema?: TSchema,
): Promise<{ access: CallerAccess; body: unknown }> {
  const { conversationId, body } = bodySchema === undefined ? routeInput(req) : routeInput(req, bodySchema);
  const access = await agentCaller(ctx, req, res, String(req.params.ani), conversationId, freshness);
  return { access, body };
}

/**
 * Credential routes for the widget: the seed's form-encoded `/database/*` routes that utils.js
 * calls, and the JSON resource `/api/v1/credentials/{ani}`. Same rules for both.
 */
export function agentCredentialRoutes(router: Router, ctx: RouteContext): void {
  const agent = [noStore, ctx.agentAuth, ctx.limits.agent] as const;
  const notInRelay = refuseInRelayMode(ctx);

  router
    .route('/database/storeCredential')
    .post(
      noStore,
      notInRelay,
      auditAs('credential.store'),
      ...acceptBody(['form', 'json']),
      noteTarget,
      ...agent,
      async (req, res) => {
        const body = parseInput(StoreCredentialForm, req.body, 'body');
        const access = await agentCaller(ctx, req, res, body.id, body.conversationId, 'live');
        const result = await storeCredential(ctx, access.ctx, access.e164, body);
        res.status(result.created ? 201 : 200).json({ stored: true, created: result.created });
      },
    )
    .all(methodNotAllowed(['POST']));

  // The brief's DELETE, and POST as the seed's other routes use it.
  const deleteHandlers = [
    auditAs('credential.delete'),
    ...acceptBody(['form', 'json']),
    noteTarget,
    ...agent,
    async (req: Request, res: Response) => {
      const fields = hasBody(req)
        ? parseInput(CallerIdForm, req.body, 'body')
        : parseInput(CallerIdForm, { ...(req.query as object) }, 'query');
      const access = await agentCaller(ctx, req, res, fields.id, fields.conversationId, 'live');
      const deleted = await ctx.store.deleteCredential(access.ctx, access.e164);
      res.json({ deleted });
    },
  ];
  router
    .route('/database/deleteCredential')
    .delete(...deleteHandlers)
    .post(...deleteHandlers)
    .all(methodNotAllowed(['DELETE', 'POST']));

  router
    .route('/database/getCredential')
    .get(noStore, notInRelay, auditAs('credential.read'), noteTarget, ...agent, async (req, res) => {
      const query = parseInput(CallerIdForm, { ...(req.query as object) }, 'query');
      const access = await agentCaller(ctx, req, res, query.id, query.conversationId, 'cached');
      res.json(seedCredentialView(await readCredential(ctx, access)));
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/api/v1/credentials/:ani/status')
    .get(auditAs('credential.status'), noteTarget, ...agent, async (req, res) => {
      const { access } = await callerFor(ctx, req, res, 'cached');
      const status = await ctx.store.credentialStatus(access.ctx, access.e164);
      res.json(credentialStatusView(access.e164, status, ctx.config.daspeak.modelHash));
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/api/v1/credentials/:ani')
    .get(noStore, notInRelay, auditAs('credential.read'), noteTarget, ...agent, async (req, res) => {
      const { access } = await callerFor(ctx, req, res, 'cached');
      res.json(credentialView(await readCredential(ctx, access)));
    })
    .put(
      noStore,
      notInRelay,
      auditAs('credential.store'),
      ...acceptBody(['json']),
      noteTarget,
      ...agent,
      async (req, res) => {
        const { access, body } = await callerFor(ctx, req, res, 'live', PutCredentialBody);
        const result = await storeCredential(ctx, access.ctx, access.e164, body);
        res.status(result.created ? 201 : 200).json(storedView(result));
      },
    )
    .delete(auditAs('credential.delete'), noteTarget, ...agent, async (req, res) => {
      const { access } = await callerFor(ctx, req, res, 'live');
      if (!(await ctx.store.deleteCredential(access.ctx, access.e164))) throw credentialNotFound();
      res.status(204).end();
    })
    .all(methodNotAllowed(['GET', 'PUT', 'DELETE']));
}
