import { ApiError } from '../errors.js';

/** Twilio could not be asked, or answered in a way that says nothing about the agent (5xx, 429, timeout). */
export function twilioUnavailable(what: string, cause?: unknown): ApiError {
  return new ApiError(503, 'twilio.unavailable', `Twilio could not be asked ${what}; try again shortly`, {
    retryAfterSeconds: 5,
    cause,
  });
}

/** Twilio refused the backend's own account credentials: the operator must fix the config. */
export function twilioClientRefused(cause?: unknown): ApiError {
  return new ApiError(
    500,
    'twilio.client_refused',
    'Twilio refused the account credentials of this backend; the operator must check twilio.accountSid and twilio.authToken',
    { cause },
  );
}

export const invalidFlexToken = () =>
  new ApiError(
    401,
    'auth.invalid_token',
    'Twilio refused the Flex token: it is expired, invalid or not a token of this account',
  );

export const notAWorker = () =>
  new ApiError(
    403,
    'auth.not_an_agent',
    "the Flex token is not a worker's token (no TaskRouter worker); the widget routes need an agent signed in to Flex",
  );
