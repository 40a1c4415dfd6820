import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { normaliseAni } from '../identity/ani.js';
import { bearerToken } from './auth/agent.js';
import { hashToken, type Agent, type AgentVerifier } from './auth/agent-verifier.js';
import { API_KEY_HEADER, apiKeyIndex } from './auth/api-key.js';
import {
  checkAgentActive,
  checkConversationCaller,
  CONVERSATION_HEADER,
  conversationIdFrom,
  type CallerAccess,
} from './auth/caller.js';
import { answerError, sendError, sendJson, type ApiError } from './errors.js';
import { observeRequest, requestIdOf } from './request-log.js';
import { readCredential, seedCredentialView } from './routes/agent-credentials.js';
import { queryConversation } from './routes/common.js';
import type { RouteContext } from './routes/context.js';
import { ivrCaller, ivrCredentialRead } from './routes/ivr.js';
import { issueToken } from './routes/token.js';
import { credentialView } from './routes/views.js';
import { CallerIdForm, conversationField } from './schemas.js';
import { parseInput } from './validation.js';

export interface FastPathDeps {
  ctx: RouteContext;
  /** The same security-header middleware the Express app uses (helmet works on plain node:http). */
  securityHeaders: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  verifier: AgentVerifier;
  /** Digests of backend.apiKeys (apiKeyDigests), as the Express app checks them. */
  apiKeys: readonly Buffer[];
}

/**
 * A request the fast path takes: everything that could refuse it without side effects has been
 * checked already. What is left is what the Express route does after its checks: count the
 * request in its rate-limit budget, then answer.
 */
interface Plan {
  /** The route pattern, for metrics and the log line (never the URL). */
  route: string;
  actor: 'agent' | 'ivr';
  take(): Promise<ApiError | undefined>;
  answer(): Promise<unknown>;
}

const IVR_CREDENTIAL = /^\/api\/v1\/ivr\/credentials\/([^/?#]+)$/;
const AGENT_CREDENTIAL = /^\/api\/v1\/credentials\/([^/?#]+)$/;

/** A path segment decoded as the Express router decodes a parameter; undefined when it cannot be. */
function param(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * Runs a pure check or parse; a refusal (or any failure) gives undefined, which means "leave it to
 * Express", which answers it. Checks that return nothing are wrapped to return true.
 */
function attempt<T>(check: () => T): T | undefined {
  try {
    return check();
  } catch {
    return undefined;
  }
}

/**
 * The requests the widget and the data actions send most — `GET /token` and the credential reads
 * (`GET /database/getCredential`, `GET /api/v1/credentials/{ani}`, `GET /api/v1/ivr/credentials/{ani}`)
 * — are answered without Express, whose own cost per request was most of the backend's there.
 *
 * Only when nothing could be refused on the way: a plain GET without Origin (so no CORS decision)
 * and without a body; a valid API key, or an agent token whose positive verdict is cached and a
 * conversation check for it that is cached and passes; a query the route's schema accepts; a
 * number that normalises. Anything else — first sight of a token or a conversation, a bad key, a
 * refusal, an odd header — goes to the Express app, which owns every refusal and its audit. The
 * checks are the very functions the Express routes call (apiKeyIndex, bearerToken and the
 * verifier, conversationIdFrom, checkConversationCaller, parseInput with the route's schema,
 * normaliseAni), and so are the rest: rate limits (takeAgent / takeApiKey, one budget), the store
 * read with its audit row and metrics, the views, the error answers (sendError / answerError) and
 * the request's log line and metrics (observeRequest).
 */
export function fastPath(deps: FastPathDeps, fallback: RequestListener): RequestListener {
  const { ctx, verifier } = deps;
  const defaultCountry = ctx.config.backend.defaultCountry;
  // In relay mode /token and the credential reads refuse (Express answers that), so none is served here.
  const direct = ctx.config.widget.signalling === 'direct';

  /**
   * The agent whose cached verdict covers this request, with the conversation the request names,
   * when that agent's check of it is cached and passes; else undefined.
   */
  const cachedAgentOn = (
    req: IncomingMessage,
    field: string | undefined,
  ): { agent: Agent; conversationId: string } | undefined => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) return undefined;
    const conversationId = attempt(() =>
      conversationIdFrom(ctx.platform.name, req.headers[CONVERSATION_HEADER], field),
    );
    if (conversationId === undefined) return undefined;
    const tokenHash = hashToken(token);
    const facts = ctx.conversations.cached(tokenHash, conversationId);
    if (!facts || !attempt(() => (checkAgentActive(facts), true))) return undefined;
    const agent = verifier.cached(token, tokenHash);
    return agent ? { agent, conversationId } : undefined;
  };

  /** An agent's read of `requestedAni` on the conversation the request names, when all of it is cached. */
  const agentRead = (
    req: IncomingMessage,
    route: string,
    requestedAni: string,
    field: string | undefined,
    view: (access: CallerAccess) => Promise<unknown>,
  ): Plan | undefined => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) return undefined;
    const conversationId = attempt(() =>
      conversationIdFrom(ctx.platform.name, req.headers[CONVERSATION_HEADER], field),
    );
    if (conversationId === undefined) return undefined;
    const e164 = attempt(() => normaliseAni(requestedAni, { defaultCountry }));
    if (e164 === undefined) return undefined;
    const tokenHash = hashToken(token);
    const facts = ctx.conversations.cached(tokenHash, conversationId);
    if (!facts || !attempt(() => (checkConversationCaller(facts, e164, defaultCountry), true)))
      return undefined;
    // Last, so that the cache-hit metric counts only requests this path then serves.
    const agent = verifier.cached(token, tokenHash);
    if (!agent) return undefined;
    const access: CallerAccess = {
      e164,
      ctx: { actor: { type: 'agent', id: agent.userId }, conversationId },
    };
    return {
      route,
      actor: 'agent',
      take: () => ctx.limits.takeAgent(agent.userId),
      answer: () => view(access),
    };
  };

  const planFor = (req: IncomingMessage): Plan | undefined => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = () => parseQuery(q < 0 ? '' : url.slice(q + 1));

    if (path === '/token') {
      if (!direct) return undefined;
      const fromQuery = attempt(() => ({ id: queryConversation(query()) }));
      if (!fromQuery) return undefined;
      const on = cachedAgentOn(req, fromQuery.id);
      if (!on) return undefined;
      const access = {
        actor: { type: 'agent' as const, id: on.agent.userId },
        conversationId: on.conversationId,
      };
      return {
        route: '/token',
        actor: 'agent',
        take: () => ctx.limits.takeAgent(on.agent.userId),
        answer: () => issueToken(ctx, access),
      };
    }

    let match = IVR_CREDENTIAL.exec(path);
    if (match) {
      const ani = param(match[1]!);
      if (ani === undefined) return undefined;
      const index = attempt(() => apiKeyIndex(deps.apiKeys, req.headers[API_KEY_HEADER]));
      if (index === undefined) return undefined;
      const caller = attempt(() =>
        ivrCaller(ctx, { type: 'ivr', id: `api-key-${index}` }, ani, queryConversation(query())),
      );
      if (!caller) return undefined;
      return {
        route: '/api/v1/ivr/credentials/:ani',
        actor: 'ivr',
        take: () => ctx.limits.takeApiKey(index),
        answer: () => ivrCredentialRead(ctx, caller),
      };
    }

    if (path === '/database/getCredential') {
      if (!direct) return undefined;
      const fields = attempt(() => parseInput(CallerIdForm, { ...query() }, 'query'));
      if (!fields) return undefined;
      return agentRead(
        req,
        '/database/getCredential',
        fields.id,
        conversationField(fields.conversationId),
        async (a) => seedCredentialView(await readCredential(ctx, a)),
      );
    }

    match = AGENT_CREDENTIAL.exec(path);
    if (match && direct) {
      const ani = param(match[1]!);
      if (ani === undefined) return undefined;
      const fromQuery = attempt(() => ({ id: queryConversation(query()) }));
      if (!fromQuery) return undefined;
      return agentRead(req, '/api/v1/credentials/:ani', ani, fromQuery.id, async (a) =>
        credentialView(await readCredential(ctx, a)),
      );
    }
    return undefined;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, plan: Plan): Promise<void> => {
    const requestId = requestIdOf(req);
    observeRequest(res, ctx.logger, ctx.metrics, {
      requestId,
      method: 'GET',
      route: () => plan.route,
      actor: () => plan.actor,
    });
    deps.securityHeaders(req, res, () => undefined);
    res.setHeader('X-Request-Id', requestId);
    try {
      const limited = await plan.take();
      if (limited) {
        sendError(res, limited);
        return;
      }
      sendJson(res, 200, await plan.answer(), { 'Cache-Control': 'no-store' });
    } catch (err) {
      answerError(res, err, ctx.logger);
    }
  };

  return (req, res) => {
    const h = req.headers;
    const plain =
      req.method === 'GET' &&
      h.origin === undefined &&
      h['content-length'] === undefined &&
      h['transfer-encoding'] === undefined &&
      h['content-type'] === undefined;
    const plan = plain ? planFor(req) : undefined;
    if (plan) void serve(req, res, plan);
    else fallback(req, res);
  };
}
