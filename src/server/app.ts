import type { RequestListener, Server as HttpServer } from 'node:http';
import express, { type Express } from 'express';
import type { KitConfig } from '../config/index.js';
import type { TokenProvider } from '../daspeak/index.js';
import { silentLogger, type Logger } from '../log.js';
import type { CredentialStore } from '../store/index.js';
import { requireAgent } from './auth/agent.js';
import type { CheckOutcome, CheckSource } from './auth/verdicts.js';
import { apiKeyDigests, requireApiKey } from './auth/api-key.js';
import { auditDenials } from './auth/denials.js';
import { systemClock, type Clock } from './clock.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { genesysOf } from '../config/index.js';
import { genesysPlatform } from './platform/genesys.js';
import { twilioPlatform } from './platform/twilio.js';
import type { AgentPlatform } from './platform/platform.js';
import { createMetrics, type ServerMetrics } from './metrics.js';
import { createRateLimiters, type RedisCommand } from './rate-limit.js';
import { requestLog } from './request-log.js';
import { agentConsentRoutes } from './routes/agent-consent.js';
import { agentCredentialRoutes } from './routes/agent-credentials.js';
import type { RouteContext } from './routes/context.js';
import { healthRoutes } from './routes/health.js';
import { ivrRoutes } from './routes/ivr.js';
import { tokenRoutes } from './routes/token.js';
import { widgetFileRoutes } from './routes/widget-files.js';
import { allowedOrigins, corsFor, publicFileCors, securityHeaders } from './security.js';
import { measuredStore } from './store-metrics.js';
import { fastPath } from './fast-path.js';
import { attachRelay, type Relay } from './relay/relay.js';
import { createTokenSource } from './token/token-source.js';
import { renderConfigJs, widgetConfig } from './widget/config-js.js';
import { widgetFiles } from './widget/files.js';

export interface AppDeps {
  config: KitConfig;
  /** The credential store (opened and migrated by the caller, who also closes it). */
  store: CredentialStore;
  /** das-Peak client-credentials tokens (src/daspeak createTokenProvider). */
  tokenProvider: TokenProvider;
  clock?: Clock;
  logger?: Logger;
  /**
   * Where the org's Platform API, login and agent UI are, instead of genesys.region / baseUrl (a
   * sandbox org in tests).
   */
  genesysBaseUrl?: string;
  /** The org agent tokens must belong to, instead of genesys.organizationId or the kit client's org. */
  organizationId?: string;
  /** The package's widget/ folder (utils.js, dist/). */
  widgetDir?: string;
  /** The widget's OAuth client id (PKCE), when it is not in widget.clientId (e.g. from provisioning). */
  widgetClientId?: string;
  /** Refuse to store a credential unless the caller's consent is on record (default false). */
  requireConsent?: boolean;
  /** How long a positive conversation check is reused for one token (default: backend.conversationCacheSeconds). */
  conversationCacheSeconds?: number;
  /**
   * Runs one Redis command (node-redis `sendCommand`): the rate limits are then counted in Redis,
   * shared by every instance. startServer makes it from backend.rateLimit.redisUrl.
   */
  redis?: RedisCommand;
  /** Timeout of each request to Genesys Cloud (default 10 s). */
  genesysTimeoutMs?: number;
}

export interface PlatformOrigins {
  appsOrigin: string;
  apiOrigin: string;
}

/** The agents' platform the config names, with this app's clock, caches and metrics. */
function agentPlatform(deps: AppDeps, clock: Clock, metrics: ServerMetrics): AgentPlatform {
  const { config } = deps;
  const onCheck = (source: CheckSource, outcome: CheckOutcome) =>
    metrics.agentTokenChecks.inc({ source, outcome });
  const conversationCacheSeconds = deps.conversationCacheSeconds ?? config.backend.conversationCacheSeconds;
  if (config.platform === 'twilio') {
    return twilioPlatform(config, { clock, conversationCacheSeconds, onCheck });
  }
  return genesysPlatform(genesysOf(config), config, {
    baseUrl: deps.genesysBaseUrl,
    organizationId: deps.organizationId,
    clock,
    conversationCacheSeconds,
    timeoutMs: deps.genesysTimeoutMs ?? 10_000,
    onCheck,
  });
}

export interface BackendApp {
  /**
   * Attaches what needs the HTTP server itself: the Socket.IO relay in relay mode (undefined in
   * direct mode). Call once, with the server that serves `handler`.
   */
  attach(server: HttpServer): Relay | undefined;
  /** What to give node:http: the fast path (token, credential reads) in front of the Express app. */
  handler: RequestListener;
  /** The Express application (every route; without the fast path). */
  app: Express;
  metrics: ServerMetrics;
  /** The agents' platform (config `platform`): token check, call facts, audio channel. */
  platform: AgentPlatform;
  /** Origins of the platform's agent UI (CORS, frame-ancestors) and API (CSP connect-src). */
  origins: PlatformOrigins;
  /** Stops the app's timers (rate-limit windows). Does not close the store. */
  close(): void;
}

/**
 * Composes the backend: security headers and CORS, the token proxy, the credential and consent
 * routes for the widget (agent token) and for data actions (API key), the widget files, health and
 * metrics. Everything it keeps (caches, limits, metrics) belongs to this one app.
 */
export function createApp(deps: AppDeps): BackendApp {
  const { config } = deps;
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? systemClock;
  const metrics = createMetrics();
  const platform = agentPlatform(deps, clock, metrics);
  const origins: PlatformOrigins = { appsOrigin: platform.appsOrigin, apiOrigin: platform.apiOrigin };
  const verifier = platform.verifier;
  const limits = createRateLimiters(config.backend.rateLimit, metrics, logger, deps.redis);
  const trustProxy = config.backend.trustProxy;
  const tokens = createTokenSource({
    provider: deps.tokenProvider,
    clock,
    logger,
    onUpstream: (outcome) => metrics.upstreamTokenRequests.inc({ outcome }),
  });
  const store = measuredStore(deps.store, metrics);
  const apiKeys = apiKeyDigests(config.backend.apiKeys);
  const ctx: RouteContext = {
    config,
    store,
    metrics,
    logger,
    clock,
    agentAuth: requireAgent(verifier, limits, trustProxy, platform.tokenName),
    apiKeyAuth: requireApiKey(apiKeys, limits, trustProxy),
    limits,
    platform,
    conversations: platform.calls,
    tokens,
    requireConsent: deps.requireConsent ?? deps.config.backend.requireConsent,
  };

  const security = {
    selfOrigin: config.backend.publicUrl,
    genesysAppsOrigin: origins.appsOrigin,
    genesysApiOrigin: origins.apiOrigin,
    daspeakSocketOrigin: config.daspeak.socketio.url,
    extraOrigins: config.backend.allowedOrigins,
  };
  const configJs = renderConfigJs(
    widgetConfig(config, {
      genesysAppsOrigin: origins.appsOrigin,
      widgetClientId: deps.widgetClientId,
      requireConsent: ctx.requireConsent,
    }),
  );

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('etag', false);
  app.use(requestLog(logger, metrics));
  const headers = securityHeaders(security);
  app.use(headers);
  const allowed = allowedOrigins(security);
  app.use(['/token', '/database', '/api'], ...corsFor(allowed));
  app.use(['/config.js', '/utils.js'], publicFileCors(allowed));

  const router = express.Router({ caseSensitive: true, strict: false });
  healthRoutes(router, ctx);
  tokenRoutes(router, ctx);
  agentCredentialRoutes(router, ctx);
  agentConsentRoutes(router, ctx);
  ivrRoutes(router, ctx);
  widgetFileRoutes(router, widgetFiles(deps.widgetDir), configJs);
  app.use(router);

  app.use(notFoundHandler);
  app.use(auditDenials(store, metrics, logger));
  app.use(errorHandler(logger));

  const handler = fastPath({ ctx, securityHeaders: headers, verifier, apiKeys }, app);
  let relay: Relay | undefined;
  return {
    handler,
    app,
    metrics,
    platform,
    origins,
    attach(server) {
      if (config.widget.signalling !== 'relay') return undefined;
      relay ??= attachRelay(server, {
        ctx,
        verifier,
        tokenProvider: deps.tokenProvider,
        allowedOrigins: allowed,
      });
      return relay;
    },
    close: () => {
      relay?.close();
      limits.close();
    },
  };
}
