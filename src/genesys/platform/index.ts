export {
  createPlatformClient,
  type CallOptions,
  type GenesysConnection,
  type HttpMethod,
  type PlatformApis,
  type PlatformClient,
  type PlatformClientOptions,
  type RequestOptions,
} from './client.js';
export { type Endpoints, type OrgLocation, resolveLocation } from './endpoints.js';
export {
  GenesysApiError,
  codeForStatus,
  isGenesysApiError,
  toGenesysApiError,
  type GenesysApiErrorOptions,
  type RequestTarget,
} from './errors.js';
export { nextPath, paginate, type EntityListing, type PageSource, type PaginateOptions } from './paging.js';
export {
  DEFAULT_RETRY_POLICY,
  backoffMs,
  decideRetry,
  isIdempotentMethod,
  retryAfterMs,
  type RetryDecision,
  type RetryPolicy,
} from './retry-policy.js';
export { systemClock, systemRandom, systemSleep, type Clock, type Random, type Sleep } from './runtime.js';
export { describeStats, type PlatformStats } from './stats.js';
