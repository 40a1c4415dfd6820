import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';
import platformClient from 'purecloud-platform-client-v2';
import type { RequestTarget } from './errors.js';
import type { Semaphore } from './semaphore.js';
import type { StatsCounter } from './stats.js';

/** What one attempt of a call sent, filled in by the transport while the SDK call runs. */
export interface AttemptRecord {
  target?: RequestTarget;
}

/** The axios response fields the SDK reads. */
export interface TransportResponse {
  status: number;
  statusText?: string;
  headers: unknown;
  data: unknown;
}

interface AxiosLike {
  request(config: Record<string, unknown>): Promise<TransportResponse>;
}

export interface TransportOptions {
  timeoutMs: number;
  semaphore: Semaphore;
  stats: StatsCounter;
}

/** Method and URL path (no query: nothing secret goes there, but listings make it noisy). */
export function targetOf(options: platformClient.HttpRequestOptions): RequestTarget {
  let path = options.url;
  try {
    path = new URL(options.url).pathname;
  } catch {
    // Not absolute: keep what the SDK built.
  }
  return { method: options.method.toUpperCase(), path };
}

/**
 * The HTTP client every SDK call of one org goes through (installed with `setHttpClient`). It sends
 * with the SDK's own axios instance, and adds what the kit needs around each request:
 * - the semaphore bounding requests in flight (held only while a request is on the wire, never
 *   during a retry pause);
 * - the record of the method and path of the attempt running in the current async context, so the
 *   retry loop knows whether the SDK method it called was a GET or a POST;
 * - per-client keep-alive agents (closed by destroy()) instead of Node's global ones;
 * - no redirects, so a bearer token is never replayed to another host.
 */
export class InstrumentedHttpClient extends platformClient.AbstractHttpClient {
  readonly attempts = new AsyncLocalStorage<AttemptRecord>();
  private readonly axios: AxiosLike;
  private readonly ownHttpAgent = new http.Agent({ keepAlive: true });
  private readonly ownHttpsAgent = new https.Agent({ keepAlive: true });

  constructor(private readonly options: TransportOptions) {
    super();
    this.setTimeout(options.timeoutMs);
    this.axios = new platformClient.DefaultHttpClient(options.timeoutMs)._axiosInstance as AxiosLike;
  }

  /** Called by the SDK for every API request. */
  override request(options: platformClient.HttpRequestOptions): Promise<TransportResponse> {
    const target = targetOf(options);
    const record = this.attempts.getStore();
    if (record) record.target = target;
    this.options.stats.request(target.method);
    return this.send(options);
  }

  /** Token requests: sent the same way but counted as logins, not API requests. */
  sendLogin(options: platformClient.HttpRequestOptions): Promise<TransportResponse> {
    this.options.stats.add('logins');
    return this.send(options);
  }

  override enableHooks(): void {
    // Pre- and post-hooks are not offered: the kit's retry loop is the only place that rewrites.
  }

  destroy(): void {
    this.ownHttpAgent.destroy();
    this.ownHttpsAgent.destroy();
  }

  private async send(options: platformClient.HttpRequestOptions): Promise<TransportResponse> {
    const config: Record<string, unknown> = {
      url: options.url,
      method: options.method,
      timeout: this.timeout,
      maxRedirects: 0,
      httpAgent: this.ownHttpAgent,
      // An agent set through the SDK (setProxyAgent, setMTLSCertificates) wins over ours.
      httpsAgent: (this.httpsAgent as https.Agent | undefined) ?? this.ownHttpsAgent,
    };
    if (options.params) config.params = options.params;
    if (options.headers) config.headers = options.headers;
    if (options.data !== undefined) config.data = options.data;
    await this.options.semaphore.acquire();
    try {
      return await this.axios.request(config);
    } finally {
      this.options.semaphore.release();
    }
  }
}
