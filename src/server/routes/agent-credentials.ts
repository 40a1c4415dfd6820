import type { Request, Response, Router } from 'express';
import { authorizeAgentForCaller, conversationIdOf, type CallerAccess } from '../auth/caller.js';
import { acceptBody, hasBody } from '../body.js';
import { ApiError, methodNotAllowed } from '../errors.js';
import {
  conversationField,
  CallerIdForm,
  ConversationQuery,
  PutCredentialBody,
  StoreCredentialForm,
} from '../schemas.js';
import { parseInput } from '../validation.js';
import { auditAs, noStore, noteTarget } from './common.js';
import type { RouteContext } from './context.js';
import { credentialView, storedView } from './views.js';

export const credentialNotFound = () =>
  new ApiError(404, 'credential.not_found', 'no voice credential is stored for this caller');

/** The agent's access to one caller: authenticated agent, on the conversation, whose customer it is. */
export function agentCaller(
  ctx: RouteContext,
  req: Request,
  res: Response,
  ani: string,
  fieldValue: string | undefined,
): Promise<CallerAccess> {
  const conversationId = conversationIdOf(req, res, conversationField(fieldValue));
  return authorizeAgentForCaller(
    res,
    ctx.conversations,
    ani,
    conversationId,
    ctx.config.backend.defaultCountry,
  );
}

/**
 * Credential routes for the widget: the seed's form-encoded `/database/*` routes that utils.js
 * calls, and the JSON resource `/api/v1/credentials/{ani}`. Same rules for both.
 */
export function agentCredentialRoutes(router: Router, ctx: RouteContext): void {
  const agent = [noStore, ctx.agentAuth, ctx.limits.agent] as const;
  const modelHash = ctx.config.daspeak.modelHash;

  router
    .route('/database/storeCredential')
    .post(
      auditAs('credential.store'),
      ...acceptBody(['form', 'json']),
      noteTarget,
      ...agent,
      async (req, res) => {
        const body = parseInput(StoreCredentialForm, req.body, 'body');
        const access = await agentCaller(ctx, req, res, body.id, body.conversationId);
        const result = await ctx.store.putCredential(access.ctx, access.e164, {
          credential: body.credential,
          modelHash: body.modelHash ?? modelHash,
          requireConsent: ctx.requireConsent,
        });
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
      const access = await agentCaller(ctx, req, res, fields.id, fields.conversationId);
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
    .get(auditAs('credential.read'), noteTarget, ...agent, async (req, res) => {
      const query = parseInput(CallerIdForm, { ...(req.query as object) }, 'query');
      const access = await agentCaller(ctx, req, res, query.id, query.conversationId);
      const stored = await ctx.store.getCredential(access.ctx, access.e164);
      if (!stored) throw credentialNotFound();
      res.json({ credential: stored.credential });
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/api/v1/credentials/:ani')
    .get(auditAs('credential.read'), noteTarget, ...agent, async (req, res) => {
      const query = parseInput(ConversationQuery, { ...(req.query as object) }, 'query');
      const access = await agentCaller(
        ctx,
        req,
        res,
        String(req.params.ani),
        conversationField(query.conversationId),
      );
      const stored = await ctx.store.getCredential(access.ctx, access.e164);
      if (!stored) throw credentialNotFound();
      res.json(credentialView(stored));
    })
    .put(auditAs('credential.store'), ...acceptBody(['json']), noteTarget, ...agent, async (req, res) => {
      const query = parseInput(ConversationQuery, { ...(req.query as object) }, 'query');
      const body = parseInput(PutCredentialBody, req.body, 'body');
      const conversationId = pickConversation(
        conversationField(query.conversationId),
        conversationField(body.conversationId),
      );
      const access = await agentCaller(ctx, req, res, String(req.params.ani), conversationId);
      const result = await ctx.store.putCredential(access.ctx, access.e164, {
        credential: body.credential,
        modelHash: body.modelHash ?? modelHash,
        requireConsent: ctx.requireConsent,
      });
      res.status(result.created ? 201 : 200).json(storedView(result));
    })
    .delete(auditAs('credential.delete'), noteTarget, ...agent, async (req, res) => {
      const query = parseInput(ConversationQuery, { ...(req.query as object) }, 'query');
      const access = await agentCaller(
        ctx,
        req,
        res,
        String(req.params.ani),
        conversationField(query.conversationId),
      );
      if (!(await ctx.store.deleteCredential(access.ctx, access.e164))) throw credentialNotFound();
      res.status(204).end();
    })
    .all(methodNotAllowed(['GET', 'PUT', 'DELETE']));
}

/** A conversation id may come in the query or the body of a PUT, but not two different ones. */
export function pickConversation(
  fromQuery: string | undefined,
  fromBody: string | undefined,
): string | undefined {
  if (fromQuery !== undefined && fromBody !== undefined && fromQuery !== fromBody) {
    throw new ApiError(400, 'conversation.ambiguous', 'the query and the body name different conversations');
  }
  return fromQuery ?? fromBody;
}
