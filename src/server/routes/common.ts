import type { Static, TSchema } from '@sinclair/typebox';
import type { Request, RequestHandler } from 'express';
import type { AccessContext, AuditAction, PutCredentialResult } from '../../store/index.js';
import { CONVERSATION_HEADER } from '../auth/caller.js';
import { ApiError } from '../errors.js';
import { stateOf } from '../locals.js';
import { CALL_ID, conversationField, ConversationQuery } from '../schemas.js';
import { parseInput } from '../validation.js';
import type { RouteContext } from './context.js';

/** Names the audit action a refusal of this route is recorded under. */
export function auditAs(action: AuditAction): RequestHandler {
  return (_req, res, next) => {
    stateOf(res).audit = action;
    next();
  };
}

const text = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;

/**
 * Notes which caller and conversation a request is about before it is authenticated, so that a
 * refusal can be audited with them. Nothing is checked here; the route's own schema does that.
 */
export const noteTarget: RequestHandler = (req, res, next) => {
  const state = stateOf(res);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const query = req.query as Record<string, unknown>;
  const params = req.params as Record<string, unknown>;
  state.requestedAni = text(params.ani, 256) ?? text(body.id, 256) ?? text(query.id, 256);
  const conversation =
    text(req.headers[CONVERSATION_HEADER], 128) ??
    text(body.conversationId, 128) ??
    text(query.conversationId, 128);
  if (conversation !== undefined && CALL_ID.test(conversation)) state.conversationId = conversation;
  next();
};

/** Answers holding credentials or tokens must not be kept by browsers or proxies. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

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

/**
 * The conversation id of a `…/{ani}` route's query (a plain object of query fields), checked
 * against ConversationQuery; an empty value counts as none. A plain function, so the fast path
 * (outside Express) reads a query exactly as the routes do.
 */
export function queryConversation(query: object): string | undefined {
  return conversationField(parseInput(ConversationQuery, { ...query }, 'query').conversationId);
}

export interface RouteInput<B> {
  /** From the query or the body (which must agree); undefined when neither names one. */
  conversationId: string | undefined;
  body: B;
}

/**
 * What every `…/{ani}` route (widget and data action) reads besides the number: the query, then
 * the body when the route takes one, each against its schema, and the conversation either names.
 */
export function routeInput(req: Request): RouteInput<undefined>;
export function routeInput<S extends TSchema>(req: Request, bodySchema: S): RouteInput<Static<S>>;
export function routeInput(req: Request, bodySchema?: TSchema): RouteInput<unknown> {
  const fromQuery = queryConversation(req.query);
  if (bodySchema === undefined) return { conversationId: fromQuery, body: undefined };
  const body = parseInput(bodySchema, req.body, 'body') as { conversationId?: string };
  return { conversationId: pickConversation(fromQuery, conversationField(body.conversationId)), body };
}

/** Stores a credential the same way for the widget and the data actions (default model hash, consent rule). */
export function storeCredential(
  ctx: RouteContext,
  access: AccessContext,
  e164: string,
  body: { credential: string; modelHash?: string | undefined },
): Promise<PutCredentialResult> {
  return ctx.store.putCredential(access, e164, {
    credential: body.credential,
    modelHash: body.modelHash ?? ctx.config.daspeak.modelHash,
    requireConsent: ctx.requireConsent,
  });
}
