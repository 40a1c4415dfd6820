import type { RequestHandler } from 'express';
import type { KitConfig } from '../../config/index.js';
import type { Logger } from '../../log.js';
import type { Clock } from '../clock.js';
import type { ConversationReader } from '../platform/calls.js';
import type { AgentPlatform } from '../platform/platform.js';
import type { ServerMetrics } from '../metrics.js';
import type { RateLimiters } from '../rate-limit.js';
import type { RouteStore } from '../store-metrics.js';
import type { TokenSource } from '../token/token-source.js';

/** What route modules are built from; one per app, nothing shared between apps. */
export interface RouteContext {
  config: KitConfig;
  store: RouteStore;
  metrics: ServerMetrics;
  logger: Logger;
  clock: Clock;
  /** Requires a verified agent token (sets res.locals agent, agentToken, actor). */
  agentAuth: RequestHandler;
  /** Requires one of the configured API keys. */
  apiKeyAuth: RequestHandler;
  limits: RateLimiters;
  /** The contact-center platform of the agents (config `platform`): token check and call facts. */
  platform: AgentPlatform;
  /** The platform's call facts (`platform.calls`). */
  conversations: ConversationReader;
  tokens: TokenSource;
  /** Refuse to store a credential unless the caller's consent is on record. */
  requireConsent: boolean;
}
