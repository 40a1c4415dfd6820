import type { Logger } from '../../../log.js';
import type { ActionExecutor } from '../actions/executor.js';
import type { VoiceCatalog } from '../calls/audio.js';
import type { AuthorizationCodes } from '../login/codes.js';
import type { SignInSessions } from '../login/sessions.js';
import type { PermissionPolicy } from '../permissions.js';
import type { OAuthClientRecord, RoleRecord, TokenRecord, UserRecord } from '../state/model.js';
import type { SandboxStore } from '../state/store.js';
import type { FaultInjector } from './faults.js';
import type { RateLimiter } from './rate-limit.js';
import type { RequestCounter } from './request-counter.js';

/** Who is calling: the token, its OAuth client, the user (implicit grant) and the roles in force. */
export interface Principal {
  token: TokenRecord;
  client: OAuthClientRecord;
  user?: UserRecord;
  roles: RoleRecord[];
  policies: PermissionPolicy[];
}

/** Settings a sandbox runs with, defaults applied. */
export interface SandboxSettings {
  /** Max instances per integration type id (overrides the catalogue). */
  integrationLimits: Record<string, number>;
  /** Polls of a started Architect job answered `Started` before its outcome. */
  flowJobPolls: number;
  /** Lifetime of a flow job's upload URL. */
  uploadUrlSeconds: number;
}

/** Everything a route needs; one per sandbox, no module state. */
export interface SandboxContext {
  store: SandboxStore;
  logger: Logger;
  faults: FaultInjector;
  limiter: RateLimiter;
  counter: RequestCounter;
  settings: SandboxSettings;
  executor?: ActionExecutor;
  /** Named caller voices for `audio.voice` and the agent desktop; none unless given. */
  voices?: VoiceCatalog;
  /** The login service's short-lived state: authorization codes and sign-in sessions (memory only). */
  login: { codes: AuthorizationCodes; sessions: SignInSessions };
  /** The sandbox's own base URL (known once listening), for upload URLs. */
  baseUrl(): string;
}
