import platformClient from 'purecloud-platform-client-v2';
import { silentLogger, type Logger } from '../../log.js';
import type { OnProgress } from '../../progress.js';
import { applyLocation, resolveLocation, sdkEndpoints, type Endpoints } from './endpoints.js';
import { GenesysApiError, toGenesysApiError } from './errors.js';
import { ignoreHomeConfig, stopSingletonConfigWatch } from './home-config.js';
import { paginate, type EntityListing, type PaginateOptions } from './paging.js';
import { closedError, FinalFailure, withRetries, type RetryContext } from './retry-loop.js';
import { DEFAULT_RETRY_POLICY, isIdempotentMethod, type RetryPolicy } from './retry-policy.js';
import { systemClock, systemRandom, systemSleep, type Clock, type Random, type Sleep } from './runtime.js';
import { Semaphore } from './semaphore.js';
import { StatsCounter, type PlatformStats } from './stats.js';
import { TokenManager } from './token.js';
import { InstrumentedHttpClient, type AttemptRecord } from './transport.js';

/** The `genesys` section of the kit config, as far as the platform client needs it. */
export interface GenesysConnection {
  region?: string | undefined;
  baseUrl?: string | undefined;
  clientId: string;
  clientSecret: string;
}

export interface PlatformClientOptions {
  logger?: Logger;
  /** Requests in flight at once to this org (login included). Default 4. */
  maxConcurrency?: number;
  /** Retries after the first attempt. Default 5. */
  maxRetries?: number;
  /** First exponential backoff step. Default 500 ms. */
  baseDelayMs?: number;
  /** Ceiling of one backoff step. Default 30 s. */
  maxDelayMs?: number;
  /** Ceiling of one honoured Retry-After. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Per-request timeout. Default 16 s (the SDK's own default). */
  timeoutMs?: number;
  /** Refresh the token this long before it expires (at most half its lifetime). Default 60 s. */
  refreshMarginMs?: number;
  clock?: Clock;
  sleep?: Sleep;
  random?: Random;
  /** Told of each retry pause (a 429 waited out, a 5xx or a timeout retried). */
  onProgress?: OnProgress;
}

/** SDK API classes bound to this org's client. Call their methods only through `call()`. */
export interface PlatformApis {
  oauth: platformClient.OAuthApi;
  authorization: platformClient.AuthorizationApi;
  integrations: platformClient.IntegrationsApi;
  architect: platformClient.ArchitectApi;
  routing: platformClient.RoutingApi;
  users: platformClient.UsersApi;
  groups: platformClient.GroupsApi;
  conversations: platformClient.ConversationsApi;
  tokens: platformClient.TokensApi;
  organization: platformClient.OrganizationApi;
}

export interface CallOptions {
  /**
   * Whether the call may be repeated after a 5xx or a failure without a response. Defaults to what
   * its HTTP method says: GET, HEAD, PUT, DELETE, OPTIONS yes; POST, PATCH no.
   */
  idempotent?: boolean;
  /** Said in retry logs, e.g. "create data action". */
  description?: string;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions extends CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
}

export interface PlatformClient {
  /** SDK API classes bound to this org. Their promises resolve to extended responses; use call(). */
  readonly api: PlatformApis;
  /** Base URLs of login and API requests, as the SDK computes them. */
  readonly endpoints: Endpoints;
  /** The underlying SDK client, for what `api` lacks. Calls through it bypass retries and limits. */
  readonly sdk: platformClient.ApiClientClass;
  /**
   * Runs one SDK call (`() => api.routing.getRoutingQueue(id)`) with a valid token, the concurrency
   * limit and retries, and resolves to the response body. Rejects with a GenesysApiError.
   */
  call<T>(fn: () => Promise<T>, options?: CallOptions): Promise<T>;
  /**
   * A Platform API request the SDK models badly (e.g. data-action contracts with array roots),
   * through the same token, limits and retries. `path` starts with `/api/v2/`.
   */
  request<T = unknown>(
    method: HttpMethod,
    path: string,
    body?: unknown,
    options?: RequestOptions,
  ): Promise<T>;
  /**
   * Every entity of a listing: `paginate((pageNumber) => api.routing.getRoutingQueues({ pageSize: 100,
   * pageNumber }))`. Follows `nextUri` (see paging.ts).
   */
  paginate<T>(
    fetchPage: (pageNumber: number) => Promise<EntityListing<T>>,
    options?: PaginateOptions,
  ): AsyncGenerator<T>;
  /** Logs in now (otherwise the first call does), to fail early on bad credentials. */
  login(): Promise<void>;
  stats(): PlatformStats;
  /** Refuses further calls, stops waiting retries, forgets the token and closes connections. */
  close(): void;
}

function isExtendedResponse(value: unknown): value is { status: number; body: unknown } {
  return (
    typeof value === 'object' && value !== null && 'status' in value && 'body' in value && 'headers' in value
  );
}

/** The body of an extended response; an empty body (204) is undefined. */
function bodyOf(value: unknown): unknown {
  if (!isExtendedResponse(value)) return value;
  return value.body === '' ? undefined : value.body;
}

/**
 * A Platform API client for one org: its own SDK `ApiClientClass` (never the SDK singleton),
 * pointed at `region` or `baseUrl`, unaffected by `~/.genesyscloudjavascript/config`, with
 * client-credentials login and refresh, bounded concurrency, retries, typed errors and counters.
 */
export function createPlatformClient(
  connection: GenesysConnection,
  options: PlatformClientOptions = {},
): PlatformClient {
  const location = resolveLocation(connection);
  stopSingletonConfigWatch();

  const logger = (options.logger ?? silentLogger).child({ component: 'genesys.platform' });
  const timeoutMs = options.timeoutMs ?? 16_000;
  const stats = new StatsCounter();
  const semaphore = new Semaphore(options.maxConcurrency ?? 4);
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
    baseDelayMs: options.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
  };
  let closed = false;
  const closing = new AbortController();
  const retry: RetryContext = {
    policy,
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
    sleep: options.sleep ?? systemSleep,
    logger,
    stats,
    isClosed: () => closed,
    closing: closing.signal,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };

  const sdk = new platformClient.ApiClientClass();
  ignoreHomeConfig(sdk);
  applyLocation(sdk, location);
  // Headers (Retry-After, inin-correlation-id) are only visible in extended responses.
  sdk.setReturnExtendedResponses(true);
  const transport = new InstrumentedHttpClient({ timeoutMs, semaphore, stats });
  sdk.setHttpClient(transport);

  const tokens = new TokenManager({
    sdk,
    transport,
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
    refreshMarginMs: options.refreshMarginMs ?? 60_000,
    timeoutMs,
    retry,
  });

  const api: PlatformApis = {
    oauth: new platformClient.OAuthApi(sdk),
    authorization: new platformClient.AuthorizationApi(sdk),
    integrations: new platformClient.IntegrationsApi(sdk),
    architect: new platformClient.ArchitectApi(sdk),
    routing: new platformClient.RoutingApi(sdk),
    users: new platformClient.UsersApi(sdk),
    groups: new platformClient.GroupsApi(sdk),
    conversations: new platformClient.ConversationsApi(sdk),
    tokens: new platformClient.TokensApi(sdk),
    organization: new platformClient.OrganizationApi(sdk),
  };

  async function call<T>(fn: () => Promise<T>, callOptions: CallOptions = {}): Promise<T> {
    if (closed) throw closedError();
    stats.add('calls');
    let record: AttemptRecord = {};
    let generation = 0;
    let reloggedIn = false;
    try {
      return await withRetries(
        retry,
        async () => {
          try {
            generation = await tokens.current();
          } catch (error) {
            // The login has had its own retries; repeating them here would multiply them.
            throw error instanceof GenesysApiError ? new FinalFailure(error) : error;
          }
          record = {};
          try {
            return bodyOf(await transport.attempts.run(record, fn)) as T;
          } catch (raw) {
            throw toGenesysApiError(raw, record.target);
          }
        },
        {
          idempotent: () => callOptions.idempotent ?? isIdempotentMethod(record.target?.method),
          recover: (error) => {
            // One fresh login per call: the token may have been revoked or expired early.
            if (error.status !== 401 || reloggedIn || record.target === undefined) return false;
            reloggedIn = true;
            tokens.invalidate(generation);
            logger.debug(
              {
                method: record.target.method,
                path: record.target.path,
                description: callOptions.description,
              },
              'token refused with 401; logging in again',
            );
            return true;
          },
          description: callOptions.description,
        },
      );
    } catch (error) {
      stats.add('failures');
      throw error;
    }
  }

  function request<T = unknown>(
    method: HttpMethod,
    path: string,
    body?: unknown,
    requestOptions: RequestOptions = {},
  ): Promise<T> {
    if (!path.startsWith('/')) {
      return Promise.reject(toGenesysApiError(`request path must start with /, got "${path}"`));
    }
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries(requestOptions.query ?? {})) {
      if (value !== undefined) query[key] = String(value);
    }
    return call<T>(
      () =>
        sdk.callApi(
          path,
          method,
          {},
          query as unknown as Record<string, object>,
          {},
          {},
          body ?? null,
          ['PureCloud OAuth'],
          ['application/json'],
          ['application/json'],
        ) as Promise<T>,
      {
        idempotent: requestOptions.idempotent,
        description: requestOptions.description ?? `${method} ${path}`,
      },
    );
  }

  return {
    api,
    endpoints: sdkEndpoints(sdk),
    sdk,
    call,
    request,
    paginate: <T>(
      fetchPage: (pageNumber: number) => Promise<EntityListing<T>>,
      paginateOptions: PaginateOptions = {},
    ) =>
      paginate<T>(
        {
          byNumber: (pageNumber) =>
            call(() => fetchPage(pageNumber), { idempotent: true, description: paginateOptions.description }),
          byUri: (uri) =>
            request<EntityListing<T>>('GET', uri, undefined, { description: paginateOptions.description }),
        },
        paginateOptions,
      ),
    login: async () => {
      if (closed) throw closedError();
      await tokens.current();
    },
    stats: () => stats.snapshot(),
    close: () => {
      if (closed) return;
      closed = true;
      closing.abort();
      sdk.clearAccessToken();
      transport.destroy();
    },
  };
}
