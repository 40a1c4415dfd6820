import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

type RequestOptions<T> = RequestClient.RequestOptions<T>;
import { kitVoiceCatalog } from '../../../src/sandbox/voices.js';
import {
  startTwilioSandbox,
  type TwilioSandbox,
  type TwilioSandboxOptions,
} from '../../../src/sandbox/twilio/index.js';

/*
 * Shared by the stand-in's tests: each test starts its own stand-in on 127.0.0.1 (port 0) and talks to
 * it with the real `twilio` helper library, whose only change is where its requests go.
 */

const running = new Set<TwilioSandbox>();

export async function startStandIn(options: TwilioSandboxOptions = {}): Promise<TwilioSandbox> {
  const s = await startTwilioSandbox({ port: 0, voices: kitVoiceCatalog(), ...options });
  running.add(s);
  return s;
}

export async function stopAll(): Promise<void> {
  const all = [...running];
  running.clear();
  await Promise.all(all.map((s) => s.close()));
}

/**
 * The helper library's own HTTP client with every `https://<product>.twilio.com` origin replaced by
 * the stand-in's (what src/twilio/client.ts does for `twilio.apiBaseUrl`). Retries stay off so a
 * test sees each answer; autoRetry (429) is turned on where a test wants it.
 */
export class StandInRequestClient extends twilio.RequestClient {
  constructor(
    private readonly origin: string,
    opts: ConstructorParameters<typeof twilio.RequestClient>[0] = {},
  ) {
    super(opts);
  }

  override request<T>(opts: RequestOptions<T>) {
    const uri = opts.uri.replace(/^https:\/\/[a-z0-9.-]+\.twilio\.com/i, this.origin);
    return super.request<T>({ ...opts, uri });
  }
}

export function helperClient(
  s: TwilioSandbox,
  auth: { accountSid?: string; authToken?: string } = {},
  retry = false,
) {
  return twilio(auth.accountSid ?? s.accountSid, auth.authToken ?? s.authToken, {
    httpClient: new StandInRequestClient(
      s.url,
      retry ? { autoRetry: true, maxRetries: 3, maxRetryDelay: 100 } : {},
    ),
  });
}

/** A control route of the stand-in (JSON). */
export async function control<T = Record<string, unknown>>(
  s: TwilioSandbox,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface RestError {
  status: number;
  code: number;
  message: string;
  moreInfo: string;
}

/** The helper library's RestException for a call that must fail. */
export async function restError(p: Promise<unknown>): Promise<RestError> {
  try {
    await p;
  } catch (err) {
    const e = err as RestError;
    return { status: e.status, code: e.code, message: e.message, moreInfo: e.moreInfo };
  }
  throw new Error('expected the request to be refused');
}

export async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
