import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The backend's Prometheus metrics, in a registry of its own (never prom-client's global one), so
 * several backends in one process count apart.
 */
export interface ServerMetrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  httpDuration: Histogram<'route' | 'method'>;
  upstreamTokenRequests: Counter<'outcome'>;
  tokensIssued: Counter;
  storeOperations: Counter<'operation' | 'outcome'>;
  storeDuration: Histogram<'operation'>;
  authFailures: Counter<'kind' | 'code'>;
  agentTokenChecks: Counter<'source' | 'outcome'>;
  rateLimited: Counter<'kind'>;
  relaySessions: Counter<'operation' | 'outcome'>;
}

export function createMetrics(): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'daspeak_backend_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'daspeak_backend_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route pattern and method.',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    upstreamTokenRequests: new Counter({
      name: 'daspeak_backend_upstream_token_requests_total',
      help: 'Client-credentials requests to the das-Peak authentication server, by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
    tokensIssued: new Counter({
      name: 'daspeak_backend_tokens_issued_total',
      help: 'das-Peak access tokens handed to widgets.',
      registers,
    }),
    storeOperations: new Counter({
      name: 'daspeak_backend_store_operations_total',
      help: 'Credential store operations, by operation and outcome (ok, not_found, or an error code).',
      labelNames: ['operation', 'outcome'],
      registers,
    }),
    storeDuration: new Histogram({
      name: 'daspeak_backend_store_operation_duration_seconds',
      help: 'Time of credential store operations.',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 15],
      registers,
    }),
    authFailures: new Counter({
      name: 'daspeak_backend_auth_failures_total',
      help: 'Refused requests (401, 403 and unknown conversations), by kind of caller and error code.',
      labelNames: ['kind', 'code'],
      registers,
    }),
    agentTokenChecks: new Counter({
      name: 'daspeak_backend_agent_token_checks_total',
      help: 'Agent token verifications, answered from the cache or by Genesys Cloud, by outcome.',
      labelNames: ['source', 'outcome'],
      registers,
    }),
    rateLimited: new Counter({
      name: 'daspeak_backend_rate_limited_total',
      help: 'Requests refused with 429, by kind of caller.',
      labelNames: ['kind'],
      registers,
    }),
    relaySessions: new Counter({
      name: 'daspeak_backend_relay_sessions_total',
      help: 'Relay connections, by operation and how they ended (the terminal event sent, aborted, or the handshake refusal code).',
      labelNames: ['operation', 'outcome'],
      registers,
    }),
  };
}
