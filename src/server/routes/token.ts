import type { RequestHandler, Router } from 'express';
import type { AccessContext } from '../../store/index.js';
import { authorizeAgentOnConversation, conversationIdOf } from '../auth/caller.js';
import { ApiError, methodNotAllowed } from '../errors.js';
import { auditAs, noStore, noteTarget, queryConversation } from './common.js';
import type { RouteContext } from './context.js';

/**
 * The answer of `GET /token` for an agent on the conversation it names; the route and the fast path
 * both issue here. The hand-out is audited (token.issue, the agent and the conversation) before the
 * token leaves.
 */
export async function issueToken(ctx: RouteContext, access: AccessContext) {
  // The widget asks for a token right before each session (direct mode): the call's audio goes to
  // das-Peak for it where the platform needs asking (Twilio Media Streams).
  if (access.conversationId) await ctx.platform.prepareAudio?.(access.conversationId);
  const token = await ctx.tokens.issue();
  await ctx.store.recordEvent(access, { action: 'token.issue', outcome: 'ok' });
  ctx.metrics.tokensIssued.inc();
  return {
    access_token: token.accessToken,
    token_type: token.tokenType,
    expires_in: token.expiresInSeconds,
  };
}

/** In relay mode the browser holds no das-Peak token at all. */
export const tokenRelayModeRefusal = () =>
  new ApiError(
    403,
    'token.relay_mode',
    'in relay mode the browser gets no das-Peak token: the backend relays the das-Peak session (widget.signalling)',
  );

const notInRelay =
  (ctx: RouteContext): RequestHandler =>
  (_req, _res, next) => {
    if (ctx.config.widget.signalling === 'relay') throw tokenRelayModeRefusal();
    next();
  };

/**
 * `GET /token`: the URL the widget's getTemporaryToken(authenticationServerUrl) calls (direct mode).
 * An agent who is on the conversation it names (X-Conversation-Id or `?conversationId=`) gets a
 * das-Peak access token for the Socket.IO channel; the client secret stays here.
 */
export function tokenRoutes(router: Router, ctx: RouteContext): void {
  router
    .route('/token')
    .get(
      noStore,
      notInRelay(ctx),
      auditAs('token.issue'),
      noteTarget,
      ctx.agentAuth,
      ctx.limits.agent,
      async (req, res) => {
        const conversationId = conversationIdOf(ctx.platform.name, req, res, queryConversation(req.query));
        const access = await authorizeAgentOnConversation(res, ctx.conversations, conversationId, 'cached');
        res.json(await issueToken(ctx, access));
      },
    )
    .all(methodNotAllowed(['GET']));
}
