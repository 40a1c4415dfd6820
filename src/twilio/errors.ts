import { KitError } from '../errors.js';

/**
 * A Twilio request that failed, carrying what Twilio said: its error `code` (20404, 20003 …),
 * `message` and `more_info` link, and the HTTP status. The kit `code` is stable and says what kind
 * of failure it was, so callers branch on it without knowing Twilio's numbers.
 */
export type TwilioErrorKind =
  | 'twilio.auth_failed'
  | 'twilio.not_found'
  | 'twilio.refused'
  | 'twilio.rate_limited'
  | 'twilio.unavailable'
  | 'twilio.unreachable'
  | 'twilio.timeout'
  | 'twilio.bad_sid'
  | 'twilio.bad_response';

export interface TwilioErrorFields {
  /** HTTP status of Twilio's answer (absent when there was none). */
  httpStatus?: number;
  /** Twilio's error code (https://www.twilio.com/docs/api/errors). */
  twilioCode?: number;
  /** Twilio's `more_info` link. */
  moreInfo?: string;
  /** Twilio's answer body, parsed (for callers that read more than code and message). */
  body?: unknown;
  hint?: string;
}

export class TwilioError extends KitError {
  declare readonly code: TwilioErrorKind;
  readonly httpStatus: number | undefined;
  readonly twilioCode: number | undefined;
  readonly moreInfo: string | undefined;
  readonly body: unknown;

  constructor(code: TwilioErrorKind, message: string, fields: TwilioErrorFields = {}) {
    // A failure of Twilio is a failure of an upstream service to whoever called the kit (502).
    super(code, message, {
      status: 502,
      ...(fields.hint !== undefined ? { hint: fields.hint } : {}),
      details: {
        ...(fields.httpStatus !== undefined ? { httpStatus: fields.httpStatus } : {}),
        ...(fields.twilioCode !== undefined ? { twilioCode: fields.twilioCode } : {}),
        ...(fields.moreInfo !== undefined ? { moreInfo: fields.moreInfo } : {}),
      },
    });
    this.name = 'TwilioError';
    this.httpStatus = fields.httpStatus;
    this.twilioCode = fields.twilioCode;
    this.moreInfo = fields.moreInfo;
    // Not enumerable: kept out of JSON and logs, which already get code and message.
    Object.defineProperty(this, 'body', { value: fields.body, enumerable: false });
  }
}

export function isTwilioError(value: unknown, code?: TwilioErrorKind): value is TwilioError {
  return value instanceof TwilioError && (code === undefined || value.code === code);
}

/** Twilio's error body: `{"code": 20404, "message": "…", "more_info": "https://…", "status": 404}`. */
interface TwilioErrorBody {
  code?: unknown;
  message?: unknown;
  more_info?: unknown;
}

function parseBody(body: unknown): TwilioErrorBody {
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      return parsed && typeof parsed === 'object' ? parsed : {};
    } catch {
      return {};
    }
  }
  return body && typeof body === 'object' ? body : {};
}

/** The one-line hint for a Twilio refusal, by status and Twilio code. */
function hintFor(status: number, code: number | undefined, moreInfo: string | undefined): string | undefined {
  const see = moreInfo ? ` (${moreInfo})` : '';
  if (status === 401 || code === 20003)
    return `check twilio.accountSid and twilio.authToken (TWILIO_AUTH_TOKEN): Twilio Console → Account info${see}`;
  if (status === 404 || code === 20404) return `check the SID: it must belong to twilio.accountSid${see}`;
  if (status === 429) return 'Twilio limits requests per account; wait and run it again';
  if (status >= 500)
    return 'Twilio did not answer this time; run it again (status.twilio.com lists incidents)';
  return moreInfo ? `see ${moreInfo}` : undefined;
}

function kindFor(status: number, code: number | undefined): TwilioErrorKind {
  if (status === 401 || code === 20003) return 'twilio.auth_failed';
  if (status === 404 || code === 20404) return 'twilio.not_found';
  if (status === 429) return 'twilio.rate_limited';
  if (status >= 500) return 'twilio.unavailable';
  return 'twilio.refused';
}

/** The TwilioError for an HTTP answer of status ≥ 400 to `method path`. */
export function errorFromResponse(method: string, path: string, status: number, body: unknown): TwilioError {
  const b = parseBody(body);
  const twilioCode = typeof b.code === 'number' ? b.code : undefined;
  const moreInfo = typeof b.more_info === 'string' ? b.more_info : undefined;
  const said = typeof b.message === 'string' && b.message ? b.message : undefined;
  const tag = twilioCode !== undefined ? `Twilio error ${twilioCode}, HTTP ${status}` : `HTTP ${status}`;
  const hint = hintFor(status, twilioCode, moreInfo);
  const text = said ? `${said} (${tag})` : tag;
  return new TwilioError(kindFor(status, twilioCode), `${method.toUpperCase()} ${path}: ${text}`, {
    httpStatus: status,
    ...(twilioCode !== undefined ? { twilioCode } : {}),
    ...(moreInfo !== undefined ? { moreInfo } : {}),
    ...(hint !== undefined ? { hint } : {}),
    body: b,
  });
}

/** The TwilioError for a request that got no answer (refused connection, DNS, timeout). */
export function errorFromNetwork(method: string, url: string, err: unknown, timeoutMs: number): TwilioError {
  const code = (err as { code?: unknown } | null)?.code;
  const where = `${method.toUpperCase()} ${url}`;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return new TwilioError('twilio.timeout', `${where}: no answer within ${timeoutMs} ms`, {
      hint: 'Twilio (or twilio.apiBaseUrl) is slow or unreachable; run it again',
    });
  }
  const reason = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  return new TwilioError('twilio.unreachable', `${where}: cannot reach Twilio (${reason})`, {
    hint:
      code === 'ECONNREFUSED'
        ? 'nothing listens there: is the local stand-in running (daspeak-genesys sandbox), or is twilio.apiBaseUrl wrong?'
        : 'check the network and twilio.apiBaseUrl',
  });
}
