import type { RequestHandler } from 'express';
import type { AuditAction } from '../../store/index.js';
import { CONVERSATION_HEADER } from '../auth/caller.js';
import { stateOf } from '../locals.js';

const CONVERSATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

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
  if (conversation !== undefined && CONVERSATION_ID.test(conversation)) state.conversationId = conversation;
  next();
};

/** Answers holding credentials or tokens must not be kept by browsers or proxies. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
