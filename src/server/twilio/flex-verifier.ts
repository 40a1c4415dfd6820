import { ApiError } from '../errors.js';
import type { Clock } from '../clock.js';
import {
  verdictCache,
  type AgentVerifier,
  type CheckOutcome,
  type CheckSource,
  type Verdict,
} from '../auth/verdicts.js';
import { invalidFlexToken, notAWorker } from './errors.js';

/**
 * What Twilio's token check said (POST iam…/v1/Accounts/{AC}/Tokens/validate, the request
 * twilio-flex-token-validator makes): valid or not, and for a valid one the worker and its end.
 */
export interface FlexTokenCheck {
  valid: boolean;
  /** The TaskRouter worker (WK…) of the Flex user; absent for tokens that are not a worker's. */
  workerSid?: string | undefined;
  /** When the token stops being valid (ms since the epoch), when Twilio said. */
  expiresAt?: number | undefined;
}

/**
 * Asks Twilio about one Flex token. Resolves with the verdict, or rejects with an ApiError when
 * Twilio could not say (twilio.unavailable) or refused the backend's own credentials.
 */
export type CheckFlexToken = (token: string) => Promise<FlexTokenCheck>;

const WORKER_SID = /^WK[0-9a-fA-F]{32}$/;

/**
 * The rule on a token check, whether the check is the first one (the verdict cache) or a live one
 * before a write (twilio/calls.ts): a valid token of a TaskRouter worker.
 */
export function flexAgentOf(check: FlexTokenCheck): { workerSid: string } {
  if (!check.valid) throw invalidFlexToken();
  if (check.workerSid === undefined || !WORKER_SID.test(check.workerSid)) throw notAWorker();
  return { workerSid: check.workerSid };
}

export interface FlexVerifierOptions {
  accountSid: string;
  check: CheckFlexToken;
  /** How long a verdict on a token is kept (backend.agentTokenCacheSeconds); never past the token's end. */
  cacheSeconds: number;
  clock: Clock;
  maxEntries?: number;
  onCheck?: (source: CheckSource, outcome: CheckOutcome) => void;
}

/**
 * Checks Flex tokens (the JWE `manager.user.token` the Flex plugin sends as a bearer token) the way
 * twilio-flex-token-validator does, and caches verdicts as Genesys tokens are cached: by token hash,
 * refusals included, concurrent checks of one token sharing one request. The agent is the worker
 * (`userId` = WK…); the organization is the account.
 */
export function createFlexVerifier(options: FlexVerifierOptions): AgentVerifier {
  const ask = async (token: string, tokenHash: string): Promise<Verdict> => {
    const check = await options.check(token);
    try {
      const { workerSid } = flexAgentOf(check);
      return {
        ok: true,
        agent: { userId: workerSid, organizationId: options.accountSid, tokenHash },
        ...(check.expiresAt !== undefined ? { validUntil: check.expiresAt } : {}),
      };
    } catch (err) {
      if (err instanceof ApiError) return { ok: false, error: err };
      throw err;
    }
  };
  return verdictCache(ask, {
    cacheSeconds: options.cacheSeconds,
    clock: options.clock,
    source: 'twilio',
    ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}),
    ...(options.onCheck ? { onCheck: options.onCheck } : {}),
  });
}
