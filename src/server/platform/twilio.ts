import { randomBytes } from 'node:crypto';
import { twilioMediaStreamUrl, twilioOf, type KitConfig } from '../../config/index.js';
import { createTwilioClient } from '../../twilio/client.js';
import { isTwilioError } from '../../twilio/errors.js';
import { validateFlexToken } from '../../twilio/flex-token.js';
import { startStream } from '../../twilio/streams.js';
import { liveCallsOfWorker } from '../../twilio/tasks.js';
import type { CheckOutcome, CheckSource } from '../auth/verdicts.js';
import type { Clock } from '../clock.js';
import { ApiError } from '../errors.js';
import { originOf } from '../security.js';
import { createFlexCallReader } from '../twilio/calls.js';
import { twilioClientRefused, twilioUnavailable } from '../twilio/errors.js';
import { createFlexVerifier, type CheckFlexToken } from '../twilio/flex-verifier.js';
import type { AgentPlatform } from './platform.js';

/** Where Flex runs: the agent UI the plugin (and so the widget) lives in. */
export const FLEX_ORIGIN = 'https://flex.twilio.com';

export interface TwilioPlatformOptions {
  clock: Clock;
  /** How long a positive call check is reused for one token. */
  conversationCacheSeconds: number;
  onCheck?: (source: CheckSource, outcome: CheckOutcome) => void;
}

/**
 * The client's retries are short: an agent is waiting for the answer (and may simply ask again), so
 * a 429 or 503 is retried twice, at most 2 s apart, and no request waits more than 10 s.
 */
const CLIENT_OPTIONS = { timeoutMs: 10_000, maxRetries: 2, maxRetryDelayMs: 2_000, baseRetryDelayMs: 250 };

/**
 * What a failed request to Twilio means for the agent's request: Twilio refusing the backend's own
 * account credentials is the operator's to fix (500); anything else that says nothing about the
 * agent — a timeout, a 5xx, a 429 still there after the client's retries — is 503 twilio.unavailable.
 */
function twilioFailure(what: string) {
  return (err: unknown): never => {
    if (err instanceof ApiError) throw err;
    if (isTwilioError(err, 'twilio.auth_failed')) throw twilioClientRefused(err);
    throw twilioUnavailable(what, err);
  };
}

/**
 * Twilio Flex agents. The agent's bearer token is the Flex token (`manager.user.token`), checked
 * as twilio-flex-token-validator checks it (IAM Tokens/validate with the account's credentials);
 * the agent is its TaskRouter worker. A call is one the worker has an accepted reservation for
 * (TaskRouter, src/twilio/tasks.ts) whose Call resource is in progress; its caller is the task's
 * `from`. Call ids are call SIDs (CA…); the call audio reaches das-Peak over Media Streams.
 */
export function twilioPlatform(config: KitConfig, options: TwilioPlatformOptions): AgentPlatform {
  const twilio = twilioOf(config);
  const client = createTwilioClient(twilio, CLIENT_OPTIONS);

  const checkToken: CheckFlexToken = async (token) => {
    const verdict = await validateFlexToken(twilio, token, { client }).catch(
      twilioFailure('about the Flex token'),
    );
    if (!verdict.valid) return { valid: false };
    const expiresAt = verdict.expiration !== undefined ? Date.parse(verdict.expiration) : Number.NaN;
    return {
      valid: true,
      workerSid: verdict.workerSid,
      ...(Number.isFinite(expiresAt) ? { expiresAt } : {}),
    };
  };

  const callsOfWorker = async (workerSid: string) => {
    const calls = await liveCallsOfWorker(client, twilio.workspaceSid, workerSid).catch((err: unknown) => {
      // A worker TaskRouter does not know in this workspace is on no call of it.
      if (isTwilioError(err, 'twilio.not_found')) return [];
      return twilioFailure('about the calls of the agent')(err);
    });
    return calls.map((c) => ({ callSid: c.callSid, from: c.from }));
  };

  const callStatus = async (callSid: string) => {
    try {
      const call = await client.calls(callSid).fetch();
      return call.status;
    } catch (err) {
      if (isTwilioError(err, 'twilio.not_found')) return undefined;
      return twilioFailure('about the call')(err);
    }
  };

  // A new Media Stream for each session: das-Peak closes the call's stream once a session has
  // heard enough ("it closes the websocket connection"), so Re-Authenticate on the same call would
  // otherwise wait for audio that never comes. A stream that is still open (the TwiML's, for the
  // first session) is kept by das-Peak and the new one is turned away.
  const streamUrl = twilioMediaStreamUrl(config);
  const prepareAudio = async (callSid: string): Promise<void> => {
    await startStream(client, callSid, {
      url: streamUrl,
      name: `daspeak-${randomBytes(6).toString('hex')}`,
    }).catch(twilioFailure('to stream the call to das-Peak'));
  };

  const appsOrigin = twilio.apiBaseUrl !== undefined ? originOf(twilio.apiBaseUrl) : FLEX_ORIGIN;
  return {
    name: 'twilio',
    verifier: createFlexVerifier({
      accountSid: twilio.accountSid,
      check: checkToken,
      cacheSeconds: config.backend.agentTokenCacheSeconds,
      clock: options.clock,
      ...(options.onCheck ? { onCheck: options.onCheck } : {}),
    }),
    calls: createFlexCallReader({
      checkToken,
      callsOfWorker,
      callStatus,
      clock: options.clock,
      cacheSeconds: options.conversationCacheSeconds,
    }),
    audioProtocol: 'twilio',
    // A local stand-in (twilio.apiBaseUrl) also serves the page that plays Flex's agent desktop.
    appsOrigin,
    apiOrigin: appsOrigin,
    tokenName: 'Flex token',
    prepareAudio,
  };
}
