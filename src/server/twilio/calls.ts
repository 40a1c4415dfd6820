import type { Clock } from '../clock.js';
import { ApiError } from '../errors.js';
import { cachedCallReader, type ConversationReader } from '../platform/calls.js';
import { checkCallId } from '../platform/platform.js';
import { flexAgentOf, type CheckFlexToken } from './flex-verifier.js';

/** A voice call a worker is on: an accepted reservation of an assigned voice task (TaskRouter). */
export interface WorkerCall {
  /** The customer leg's call SID (CA…). */
  callSid: string;
  /** The caller's number as the task gives it (`from`), or undefined. */
  from: string | undefined;
}

export interface FlexCallReaderOptions {
  /** The Flex token check, made again before every live answer (a write, a relay session). */
  checkToken: CheckFlexToken;
  /** The calls of the worker's accepted reservations (src/twilio liveCallsOfWorker). */
  callsOfWorker: (workerSid: string) => Promise<WorkerCall[]>;
  /** The call's status (Call resource `status`: in-progress, completed…), undefined when Twilio knows no such call. */
  callStatus: (callSid: string) => Promise<string | undefined>;
  clock: Clock;
  /** A positive answer is reused this long for the same token and call (0: never). */
  cacheSeconds: number;
}

/**
 * The facts of a call for a Flex agent. TaskRouter says which calls the worker is on (accepted
 * reservations of assigned voice tasks; the task's `from` is the caller), and the Call resource
 * says the call is still in progress. These are read with the account's credentials, not with the
 * agent's token, so a live answer (writes, deletes, consent changes, relay sessions) first checks
 * the Flex token again: a token that expired or was revoked is refused at once, as on Genesys
 * where the conversation is read with the agent's own token.
 */
export function createFlexCallReader(options: FlexCallReaderOptions): ConversationReader {
  const check = (callSid: string) => checkCallId('twilio', callSid);
  const ask = async (token: string, callSid: string, workerSid: string, freshness: 'live' | 'cached') => {
    if (freshness === 'live') {
      const now = flexAgentOf(await options.checkToken(token));
      if (now.workerSid !== workerSid) {
        throw new ApiError(401, 'auth.invalid_token', 'the Flex token no longer names the same worker');
      }
    }
    const calls = await options.callsOfWorker(workerSid);
    const call = calls.find((c) => c.callSid === callSid);
    if (call === undefined) return { customerAni: undefined, agentActive: false };
    // The reservation may outlive the call for a moment (wrap-up): the call itself must be live.
    const status = await options.callStatus(callSid);
    return { customerAni: call.from, agentActive: status === 'in-progress' };
  };
  return cachedCallReader(check, ask, { clock: options.clock, cacheSeconds: options.cacheSeconds });
}
