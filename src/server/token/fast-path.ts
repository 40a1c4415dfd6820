import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../../log.js';
import { bearerToken } from '../auth/agent.js';
import type { Agent, AgentVerifier } from '../auth/agent-verifier.js';
import { sendError, sendJson, toApiError } from '../errors.js';
import type { ServerMetrics } from '../metrics.js';
import type { RateLimiters } from '../rate-limit.js';
import { observeRequest, requestIdOf } from '../request-log.js';
import type { TokenSource } from './token-source.js';

export interface TokenFastPathDeps {
  /** The same security-header middleware the Express app uses (helmet works on plain node:http). */
  securityHeaders: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  verifier: AgentVerifier;
  limits: RateLimiters;
  tokens: TokenSource;
  metrics: ServerMetrics;
  logger: Logger;
}

/**
 * `GET /token` is what every widget asks for, often; Express's own cost per request is most of the
 * backend's there. This answers it without Express, but only when nothing could be refused on the
 * way: an agent token whose verdict is cached, and no Origin header (so no CORS decision). Anything
 * else — first sight of a token, a bad header, a cross-origin page — goes to the Express app, which
 * owns every refusal and its audit. The answer is the one the Express route gives: same headers,
 * same body, same metrics and log line, same rate-limit budget.
 */
export function tokenFastPath(deps: TokenFastPathDeps, fallback: RequestListener): RequestListener {
  const serve = async (req: IncomingMessage, res: ServerResponse, agent: Agent): Promise<void> => {
    const requestId = requestIdOf(req);
    observeRequest(res, deps.logger, deps.metrics, {
      requestId,
      method: 'GET',
      route: () => '/token',
      actor: () => 'agent',
    });
    deps.securityHeaders(req, res, () => undefined);
    res.setHeader('X-Request-Id', requestId);
    try {
      const limited = await deps.limits.takeAgent(agent.userId);
      if (limited) {
        sendError(res, limited);
        return;
      }
      const token = await deps.tokens.issue();
      deps.metrics.tokensIssued.inc();
      sendJson(
        res,
        200,
        { access_token: token.accessToken, token_type: token.tokenType, expires_in: token.expiresInSeconds },
        { 'Cache-Control': 'no-store' },
      );
    } catch (err) {
      const api = toApiError(err);
      if (api.httpStatus >= 500) deps.logger.error({ code: api.code }, 'request failed');
      sendError(res, api);
    }
  };

  return (req, res) => {
    if (req.method === 'GET' && req.url === '/token' && req.headers.origin === undefined) {
      const token = bearerToken(req.headers.authorization);
      const agent = token === undefined ? undefined : deps.verifier.cached(token);
      if (agent) {
        void serve(req, res, agent);
        return;
      }
    }
    fallback(req, res);
  };
}
