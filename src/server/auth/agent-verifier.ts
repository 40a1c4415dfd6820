import type { Clock } from '../clock.js';
import { ApiError } from '../errors.js';
import { expectShape, genesysRequest, genesysUnavailable } from '../genesys/http.js';
import type { OrganizationSource } from '../genesys/organization.js';
import { TokenInfo, UserMe } from '../schemas.js';
import {
  verdictCache,
  type AgentVerifier,
  type CheckOutcome,
  type CheckSource,
  type Verdict,
} from './verdicts.js';

export { hashToken, type Agent, type AgentVerifier } from './verdicts.js';

export interface AgentVerifierOptions {
  /** Platform API prefix of the org. */
  apiUrl: string;
  organization: OrganizationSource;
  /** How long a verdict on a token is kept (backend.agentTokenCacheSeconds); 0 asks every time. */
  cacheSeconds: number;
  clock: Clock;
  timeoutMs?: number;
  /** Verdicts kept at most; the oldest go first. */
  maxEntries?: number;
  /** Told whether each verification was answered from the cache or asked of Genesys. */
  onCheck?: (source: CheckSource, outcome: CheckOutcome) => void;
}

export const invalidToken = () =>
  new ApiError(
    401,
    'auth.invalid_token',
    'Genesys Cloud refused the bearer token: it is expired, revoked or not a token of this org',
  );

/**
 * Checks agent tokens against the org's Platform API: `GET /api/v2/tokens/me` for the organization,
 * then `GET /api/v2/users/me` for the user. Verdicts, refusals included, are cached by token hash
 * for `cacheSeconds`; concurrent checks of one token share one pair of requests.
 */
export function createAgentVerifier(options: AgentVerifierOptions): AgentVerifier {
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function ask(token: string, tokenHash: string): Promise<Verdict> {
    const what = 'about the agent token';
    // One request after the other: a token Genesys does not know costs one call, not two.
    const info = await genesysRequest(`${options.apiUrl}/api/v2/tokens/me`, { token, timeoutMs, what });
    if (info.status === 401) return { ok: false, error: invalidToken() };
    if (info.status < 200 || info.status > 299) throw genesysUnavailable(what);
    const organizationId = expectShape(TokenInfo, info.body, 'tokens/me').organization.id.toLowerCase();
    const user = await genesysRequest(`${options.apiUrl}/api/v2/users/me`, { token, timeoutMs, what });
    if (user.status === 401) return { ok: false, error: invalidToken() };
    if (user.status === 400 || user.status === 403 || user.status === 404) {
      return {
        ok: false,
        error: new ApiError(
          403,
          'auth.not_an_agent',
          "the bearer token is not a user's token; the widget routes need the agent's own Genesys login",
        ),
      };
    }
    if (user.status < 200 || user.status > 299) throw genesysUnavailable(what);
    const userId = expectShape(UserMe, user.body, 'users/me').id;
    const expected = await options.organization();
    if (organizationId !== expected) {
      return {
        ok: false,
        error: new ApiError(
          403,
          'auth.wrong_org',
          'the bearer token belongs to another Genesys Cloud organization than the one this backend serves',
        ),
      };
    }
    return { ok: true, agent: { userId, organizationId, tokenHash } };
  }

  return verdictCache(ask, {
    cacheSeconds: options.cacheSeconds,
    clock: options.clock,
    source: 'genesys',
    ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}),
    ...(options.onCheck ? { onCheck: options.onCheck } : {}),
  });
}
