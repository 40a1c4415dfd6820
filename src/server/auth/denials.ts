import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../../log.js';
import { isKitError } from '../../errors.js';
import { toApiError, type ApiError } from '../errors.js';
import { stateOf } from '../locals.js';
import type { ServerMetrics } from '../metrics.js';
import type { RouteStore } from '../store-metrics.js';

/**
 * Refusals that are about who asks, not about what was sent. A route closed by the signalling mode
 * (`*.relay_mode`) refuses everyone alike, before anyone is identified: nothing to audit.
 */
export function isDenial(err: ApiError): boolean {
  if (err.code.endsWith('.relay_mode')) return false;
  return err.httpStatus === 401 || err.httpStatus === 403 || err.code === 'conversation.not_found';
}

/**
 * An error middleware in front of the generic one: every denied access is counted and, where the
 * store has an audit action for the route, written to the audit log (who, which conversation, the
 * caller number as a hash, why). A failing audit write is logged; it never turns the refusal into a
 * different answer.
 */
export function auditDenials(store: RouteStore, metrics: ServerMetrics, logger: Logger): ErrorRequestHandler {
  return async (err: unknown, _req, res, next) => {
    const api = toApiError(err);
    if (!isDenial(api)) {
      next(api);
      return;
    }
    const state = stateOf(res);
    const kind = state.actor?.type === 'ivr' ? 'api_key' : 'agent';
    metrics.authFailures.inc({ kind, code: api.code });
    logger.warn(
      {
        code: api.code,
        actor: state.actor,
        conversationId: state.conversationId,
        requestId: state.requestId,
      },
      'access denied',
    );
    if (state.audit && state.actor) {
      try {
        await store.recordDenied(
          { actor: state.actor, conversationId: state.conversationId ?? null },
          { ani: state.requestedAni ?? null, action: state.audit, reason: api.code },
        );
      } catch (auditErr) {
        logger.error(
          { code: isKitError(auditErr) ? auditErr.code : 'unknown', denied: api.code },
          'could not write a denied access to the audit log',
        );
      }
    }
    next(api);
  };
}
