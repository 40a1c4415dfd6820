import { Type, type Static } from '@sinclair/typebox';
import type { TwilioConfig } from '../config/schema.js';
import { createValidators } from '../validation.js';
import { createTwilioClient, twilioUrl, type TwilioClient } from './client.js';
import { isTwilioError, TwilioError } from './errors.js';

/**
 * The Flex token check, done the way npm `twilio-flex-token-validator` does it: POST
 * `https://iam.twilio.com/v1/Accounts/{AccountSid}/Tokens/validate` with HTTP Basic
 * AccountSid:AuthToken and the JSON body `{"token": "<Flex JWE>"}`; the answer's `valid` decides,
 * its `message` says why not. The token itself is opaque to the kit (a JWE only Twilio can read).
 */

/** What IAM answers; only `valid` is relied on, the rest is read when present. */
export const FlexTokenAnswerSchema = Type.Object({
  valid: Type.Boolean(),
  code: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  message: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  worker_sid: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  identity: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  roles: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
  expiration: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  realm_user_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type FlexTokenAnswer = Static<typeof FlexTokenAnswerSchema>;

export type FlexTokenVerdict =
  | {
      valid: true;
      /** The agent's TaskRouter worker (WK…); absent for a user who is no worker. */
      workerSid?: string;
      identity?: string;
      roles: string[];
      /** ISO 8601, when Twilio gives it. */
      expiration?: string;
      realmUserId?: string;
    }
  | {
      valid: false;
      /** Twilio's reason, e.g. "Access Token expired or expiration date invalid". */
      message: string;
      code?: number;
    };

const validatorFor = createValidators();

function verdictOf(answer: FlexTokenAnswer): FlexTokenVerdict {
  if (!answer.valid) {
    return {
      valid: false,
      message: answer.message || 'Twilio did not accept the Flex token',
      ...(typeof answer.code === 'number' ? { code: answer.code } : {}),
    };
  }
  return {
    valid: true,
    ...(answer.worker_sid ? { workerSid: answer.worker_sid } : {}),
    ...(answer.identity ? { identity: answer.identity } : {}),
    roles: answer.roles ?? [],
    ...(answer.expiration ? { expiration: answer.expiration } : {}),
    ...(answer.realm_user_id ? { realmUserId: answer.realm_user_id } : {}),
  };
}

function isAnswer(body: unknown): body is FlexTokenAnswer {
  return validatorFor(FlexTokenAnswerSchema)(body) === true;
}

/**
 * Asks Twilio whether a Flex token is valid. Resolves with the verdict (a refusal is a value, not an
 * error); rejects with a TwilioError only when Twilio could not judge: our own credentials refused
 * (twilio.auth_failed), Twilio unreachable, slow or failing (after the client's retries).
 */
export async function validateFlexToken(
  cfg: Pick<TwilioConfig, 'accountSid' | 'authToken' | 'apiBaseUrl'>,
  token: string,
  options: { client?: TwilioClient } = {},
): Promise<FlexTokenVerdict> {
  if (!token) return { valid: false, message: 'Token was not provided' };
  const client = options.client ?? createTwilioClient(cfg);
  let body: unknown;
  try {
    // BaseTwilio.request is typed Promise<any>; our KitRequestClient answers {statusCode, body, headers}.
    const res = (await client.request({
      method: 'post',
      uri: twilioUrl('iam', `/v1/Accounts/${cfg.accountSid}/Tokens/validate`),
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' },
      data: { token },
    })) as { body: unknown };
    body = res.body;
  } catch (err) {
    // A refusal may come with an error status; it is still a verdict on the token when it says so.
    if (isTwilioError(err) && err.code !== 'twilio.auth_failed' && isAnswer(err.body) && !err.body.valid) {
      return verdictOf(err.body);
    }
    throw err;
  }
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // reported below
    }
  }
  if (!isAnswer(body)) {
    throw new TwilioError(
      'twilio.bad_response',
      "Twilio's token check answered something other than {valid, …}",
      {
        hint: 'is twilio.apiBaseUrl pointing at Twilio (or the stand-in)?',
      },
    );
  }
  return verdictOf(body);
}
