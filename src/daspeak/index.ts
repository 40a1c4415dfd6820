/** das-Peak Streaming client: contract types, token cache, REST and Socket.IO channels, one outcome. */
export * from './contract.js';
export * from './errors.js';
export * from './outcome.js';
export { check, matches, parseResponse, describeErrors, type CheckResult } from './validate.js';
export { systemClock, realSleep, type Clock, type Sleep } from './timing.js';
export {
  createTokenProvider,
  TOKEN_DEFAULTS,
  type AccessToken,
  type TokenProvider,
  type TokenProviderOptions,
} from './token.js';
export { httpCall, joinUrl, type HttpCall, type HttpAnswer } from './http.js';
export {
  createRestClient,
  REST_DEFAULT_TIMEOUT_MS,
  type RestClient,
  type RestClientOptions,
  type RestCallOptions,
} from './rest.js';
export { pollSession, POLL_INTERVAL_BOUNDS, type PollOptions, type PolledSession } from './poller.js';
export * from './socketio/session.js';
export { createSocketSession, namespaceUrl } from './socketio/session-impl.js';
export {
  createDaspeakClient,
  socketInitialize,
  type InitializeParams,
  type DaspeakClient,
  type DaspeakClientOptions,
  type DaspeakConfig,
  type SessionRequest,
  type VerifySessionRequest,
} from './client.js';
