import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type { TwilioConfig } from '../config/schema.js';
import { errorFromNetwork, errorFromResponse } from './errors.js';

/**
 * The `twilio` helper library's client, as the kit uses it: every request goes through
 * {@link KitRequestClient}, which sends it to `twilio.apiBaseUrl` when one is set (the local
 * stand-in), retries 429 and 503 answers as Twilio asks (Retry-After), within bounds, and turns
 * every failure into a {@link TwilioError} carrying Twilio's code, message and more_info.
 */
export type TwilioClient = twilio.Twilio;

type RequestOptions<T> = RequestClient.RequestOptions<T>;
type HelperResponse<T> = Awaited<ReturnType<RequestClient['request']>> & { body: T };

export interface RetryInfo {
  method: string;
  path: string;
  status: number;
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
}

export interface TwilioClientOptions {
  /** Retries of a 429 or 503 answer (default 3). */
  maxRetries?: number;
  /**
   * Longest wait before one retry (default 10 s). A Retry-After asking for longer is not waited
   * for: the request fails at once and says how long Twilio asked to wait.
   */
  maxRetryDelayMs?: number;
  /** Wait before the first retry when Twilio gives no Retry-After; doubles each time (default 500 ms). */
  baseRetryDelayMs?: number;
  /** Deadline of one HTTP request (default 15 s). */
  timeoutMs?: number;
  /** Called before each retry (progress lines, logs). */
  onRetry?: (info: RetryInfo) => void;
  /** Injected for tests; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

const TWILIO_ORIGIN = /^https:\/\/[a-z0-9.-]+\.twilio\.com(?=[/?]|$)/i;
const RETRIED = new Set([429, 503]);

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if absent or unreadable. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
  const text: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof text !== 'string' && typeof text !== 'number') return undefined;
  const s = String(text).trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const date = Date.parse(s);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class KitRequestClient extends twilio.RequestClient {
  private readonly origin: string | undefined;
  private readonly retries: number;
  private readonly maxRetryDelayMs: number;
  private readonly baseRetryDelayMs: number;
  private readonly timeoutMs: number;
  private readonly onRetry: ((info: RetryInfo) => void) | undefined;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(apiBaseUrl: string | undefined, options: TwilioClientOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 15_000;
    // The helper's own retry (autoRetry) stays off: it ignores Retry-After and 503.
    super({ timeout: timeoutMs, autoRetry: false });
    this.origin = apiBaseUrl?.replace(/\/+$/, '');
    this.retries = options.maxRetries ?? 3;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 10_000;
    this.baseRetryDelayMs = options.baseRetryDelayMs ?? 500;
    this.timeoutMs = timeoutMs;
    this.onRetry = options.onRetry;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Where a Twilio URL is really sent: the same path on apiBaseUrl, when one is set. */
  target(uri: string): string {
    return this.origin ? uri.replace(TWILIO_ORIGIN, this.origin) : uri;
  }

  override async request<T>(opts: RequestOptions<T>): Promise<HelperResponse<T>> {
    const uri = this.target(opts.uri);
    const url = new URL(uri);
    const path = url.pathname;
    for (let attempt = 0; ; attempt++) {
      let res: HelperResponse<T>;
      try {
        res = await super.request<T>({ ...opts, uri });
      } catch (err) {
        throw errorFromNetwork(opts.method, `${url.origin}${path}`, err, this.timeoutMs);
      }
      const status = res.statusCode;
      if (status < 400) return res;
      if (RETRIED.has(status) && attempt < this.retries) {
        const asked = retryAfterMs((res.headers as Record<string, unknown> | undefined)?.['retry-after']);
        const delayMs = asked ?? Math.min(this.maxRetryDelayMs, this.baseRetryDelayMs * 2 ** attempt);
        if (delayMs <= this.maxRetryDelayMs) {
          this.onRetry?.({ method: opts.method, path, status, attempt: attempt + 1, delayMs });
          await this.sleep(delayMs);
          continue;
        }
        const error = errorFromResponse(opts.method, path, status, res.body);
        throw Object.assign(error, {
          message: `${error.message}; Twilio asked to retry after ${Math.ceil(delayMs / 1000)} s, longer than the ${this.maxRetryDelayMs / 1000} s the kit waits`,
        });
      }
      throw errorFromResponse(opts.method, path, status, res.body);
    }
  }
}

/**
 * A client of the helper library for this account: Basic auth with AccountSid:AuthToken, every
 * Twilio host replaced by `apiBaseUrl` when the config sets one.
 */
export function createTwilioClient(
  cfg: Pick<TwilioConfig, 'accountSid' | 'authToken' | 'apiBaseUrl'>,
  options: TwilioClientOptions = {},
): TwilioClient {
  return twilio(cfg.accountSid, cfg.authToken, {
    httpClient: new KitRequestClient(cfg.apiBaseUrl, options),
  });
}

/** https://<product>.twilio.com URL for a raw request with `client.request` (IAM has no helper resource). */
export function twilioUrl(product: 'api' | 'iam' | 'taskrouter', path: string): string {
  return `https://${product}.twilio.com${path.startsWith('/') ? path : `/${path}`}`;
}
