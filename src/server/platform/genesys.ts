import type { GenesysConfig, KitConfig } from '../../config/index.js';
import { createAgentVerifier } from '../auth/agent-verifier.js';
import type { CheckOutcome, CheckSource } from '../auth/verdicts.js';
import type { Clock } from '../clock.js';
import { createConversationReader } from '../genesys/conversation.js';
import { fixedOrganization, organizationOfClient } from '../genesys/organization.js';
import { genesysOrigins } from '../genesys/origins.js';
import type { AgentPlatform } from './platform.js';

export interface GenesysPlatformOptions {
  /** Where the org's Platform API, login and agent UI are, instead of genesys.region / baseUrl. */
  baseUrl?: string | undefined;
  /** The org agent tokens must belong to, instead of genesys.organizationId or the kit client's org. */
  organizationId?: string | undefined;
  clock: Clock;
  /** How long a positive conversation check is reused for one token. */
  conversationCacheSeconds: number;
  /** Timeout of each request to Genesys Cloud. */
  timeoutMs: number;
  onCheck?: (source: CheckSource, outcome: CheckOutcome) => void;
}

/**
 * Genesys Cloud agents: the agent's own token is checked with `tokens/me` and `users/me` of the org
 * (auth/agent-verifier.ts), and a conversation is read with that token (genesys/conversation.ts),
 * so Genesys itself refuses one the agent has no part in. Call ids are conversation ids (UUIDs);
 * the call audio reaches das-Peak over Audiohook.
 */
export function genesysPlatform(
  genesys: GenesysConfig,
  config: KitConfig,
  options: GenesysPlatformOptions,
): AgentPlatform {
  const origins = genesysOrigins(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : genesys);
  const organizationId = options.organizationId ?? genesys.organizationId;
  const organization =
    organizationId !== undefined
      ? fixedOrganization(organizationId)
      : organizationOfClient(origins, genesys, options.timeoutMs);
  return {
    name: 'genesys',
    verifier: createAgentVerifier({
      apiUrl: origins.apiUrl,
      organization,
      cacheSeconds: config.backend.agentTokenCacheSeconds,
      clock: options.clock,
      timeoutMs: options.timeoutMs,
      ...(options.onCheck ? { onCheck: options.onCheck } : {}),
    }),
    calls: createConversationReader({
      apiUrl: origins.apiUrl,
      clock: options.clock,
      cacheSeconds: options.conversationCacheSeconds,
      timeoutMs: options.timeoutMs,
    }),
    audioProtocol: 'audiohook',
    appsOrigin: origins.appsOrigin,
    apiOrigin: origins.apiOrigin,
    tokenName: 'Genesys Cloud token',
  };
}
