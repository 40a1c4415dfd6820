import { KitError } from '../../errors.js';

/** Twilio's error body: every REST refusal carries these four fields (`more_info` links the code's page). */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/** A refusal the way Twilio's REST APIs answer it: HTTP status, numeric code, sentence, link. */
export class TwilioApiError extends KitError {
  readonly httpStatus: number;
  readonly twilioCode: number;
  readonly headers: Record<string, string>;

  constructor(status: number, code: number, message: string, headers: Record<string, string> = {}) {
    super(`twilio.${code}`, message, { status });
    this.name = 'TwilioApiError';
    this.httpStatus = status;
    this.twilioCode = code;
    this.headers = headers;
  }

  body(): TwilioErrorBody {
    return {
      code: this.twilioCode,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.twilioCode}`,
      status: this.httpStatus,
    };
  }
}

/** 20003 with 401: no or wrong Basic credentials (Twilio's message is the one word `Authenticate`). */
export const authenticate = () =>
  new TwilioApiError(401, 20003, 'Authenticate', { 'WWW-Authenticate': 'Basic realm="Twilio API"' });

/** 20404: an unknown SID or path; Twilio names the path it could not find. */
export const notFound = (path: string) =>
  new TwilioApiError(404, 20404, `The requested resource ${path} was not found`);

/**
 * 21220 Invalid call state: "a realtime operation on a Call that was not in-progress" (Twilio's error
 * dictionary). That the Streams endpoint answers exactly this code for a completed call is inferred
 * from that description (UNCONFIRMED; see docs/twilio.md).
 */
export const invalidCallState = (callSid: string, status: string) =>
  new TwilioApiError(400, 21220, `Call ${callSid} is not in-progress (status ${status}): Invalid call state`);

/**
 * A missing or bad parameter. Twilio's newer resources answer 20001 ("Missing required parameter X in
 * the post body"); the exact code per resource is UNCONFIRMED, the shape is Twilio's.
 */
export const badParameter = (message: string) => new TwilioApiError(400, 20001, message);

/** 20429 with Retry-After (Twilio's REST concurrency refusal). */
export const tooManyRequests = (retryAfterSeconds: number) =>
  new TwilioApiError(429, 20429, 'Too Many Requests', { 'Retry-After': String(retryAfterSeconds) });

/** 20503: the service is temporarily unavailable. */
export const serviceUnavailable = () =>
  new TwilioApiError(503, 20503, 'Service unavailable (injected by the stand-in)');

/** 20500: anything the stand-in did not expect; logged, never a crash. */
export const internalError = () => new TwilioApiError(500, 20500, 'Internal Server Error');
