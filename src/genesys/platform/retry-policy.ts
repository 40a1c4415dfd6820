import type { GenesysApiError } from './errors.js';
import type { Clock, Random } from './runtime.js';

export interface RetryPolicy {
  /** Retries after the first attempt; a call makes at most maxRetries + 1 attempts. */
  maxRetries: number;
  /** First backoff step; doubles each retry. */
  baseDelayMs: number;
  /** Ceiling of one backoff step. */
  maxDelayMs: number;
  /** Ceiling of one honoured Retry-After, so a confused server cannot park the kit for hours. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/** Methods that may be repeated without changing the outcome (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export function isIdempotentMethod(method: string | undefined): boolean {
  return method !== undefined && IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/**
 * Retry-After in milliseconds, capped. Genesys sends integer seconds (the Terraform provider relies
 * on it); an HTTP date is accepted too. Undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | undefined, cap: number, clock: Clock): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - clock();
  }
  return Math.min(Math.max(0, Math.round(ms)), cap);
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so retries of many
 * callers spread out but none retries immediately. `retry` counts from 1.
 */
export function backoffMs(retry: number, policy: RetryPolicy, random: Random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

export interface RetryDecision {
  delayMs: number;
  reason: 'rate-limited' | 'server-error' | 'transport';
}

/**
 * Whether a failed attempt is worth repeating, and after how long. 429 is always retried (the
 * request was refused, not processed); 5xx and failures without a response only when the call is
 * idempotent, because a POST that timed out may well have created something.
 */
export function decideRetry(
  error: GenesysApiError,
  retry: number,
  idempotent: boolean,
  policy: RetryPolicy,
  clock: Clock,
  random: Random,
): RetryDecision | undefined {
  if (retry > policy.maxRetries) return undefined;
  const status = error.status;
  if (status === 429) {
    const delayMs =
      retryAfterMs(error.retryAfter, policy.maxRetryAfterMs, clock) ?? backoffMs(retry, policy, random);
    return { delayMs, reason: 'rate-limited' };
  }
  if (!idempotent) return undefined;
  if (status !== undefined && status >= 500) {
    const delayMs =
      retryAfterMs(error.retryAfter, policy.maxRetryAfterMs, clock) ?? backoffMs(retry, policy, random);
    return { delayMs, reason: 'server-error' };
  }
  if (error.isTransportFailure) return { delayMs: backoffMs(retry, policy, random), reason: 'transport' };
  return undefined;
}
