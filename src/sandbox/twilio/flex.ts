/**
 * Flex tokens of the stand-in: opaque strings shaped like the JWE Flex gives `manager.user.token`
 * (five base64url parts), issued by the sandbox control route to a worker and accepted by the IAM
 * validate route until they expire. Only the stand-in can read them: it keeps each one it issued.
 */
import { randomBytes } from 'node:crypto';
import { iso8601 } from './sids.js';
import { trim, type FlexTokenRecord, type TwilioState, type WorkerRecord } from './state.js';

const HEADER = Buffer.from(
  JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid: 'twilio-stand-in', cty: 'twilio-fpa;v=1' }),
).toString('base64url');

function newJweLookingToken(): string {
  const part = (n: number) => randomBytes(n).toString('base64url');
  return `${HEADER}..${part(12)}.${part(96)}.${part(16)}`;
}

export function issueFlexToken(
  state: TwilioState,
  worker: WorkerRecord,
  now: number,
  seconds: number,
): FlexTokenRecord {
  const record: FlexTokenRecord = {
    token: newJweLookingToken(),
    workerSid: worker.sid,
    identity: worker.identity,
    issuedAt: now,
    expiresAt: now + seconds * 1000,
  };
  state.flexTokens.set(record.token, record);
  trim(state.flexTokens, 10_000);
  return record;
}

/** Expires one token, or every token, now; the count expired. */
export function expireFlexTokens(state: TwilioState, now: number, token?: string): number {
  let n = 0;
  for (const t of state.flexTokens.values()) {
    if (token !== undefined && t.token !== token) continue;
    if (t.expiresAt > now) {
      t.expiresAt = now;
      n += 1;
    }
  }
  return n;
}

/**
 * What IAM's `Tokens/validate` answers: `valid: true` with the worker's identity, roles and
 * worker_sid (the fields twilio-flex-token-validator hands on), or `valid: false` with a message.
 */
export function validateFlexToken(state: TwilioState, token: string, now: number) {
  const t = state.flexTokens.get(token);
  if (!t) return { valid: false, code: 20101, message: 'Invalid Access Token' };
  if (t.expiresAt <= now)
    return { valid: false, code: 20104, message: 'Access Token expired or expiration date invalid' };
  return {
    valid: true,
    account_sid: state.accountSid,
    realm_user_id: `${t.identity}@sandbox.invalid`,
    identity: t.identity,
    roles: ['agent'],
    worker_sid: t.workerSid,
    expiration: iso8601(t.expiresAt),
  };
}
