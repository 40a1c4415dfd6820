import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SANDBOX } from '../../config/defaults.js';
import { KitError } from '../../errors.js';
import { listenOn } from '../listen.js';
import { silentLogger, type Logger } from '../../log.js';
import type { ActionExecutor } from './actions/executor.js';
import { systemClock, type Clock } from './clock.js';
import { createApp, type RouteModule } from './http/app.js';
import type { SandboxContext, SandboxSettings } from './http/context.js';
import { FaultInjector, type FaultSettings } from './http/faults.js';
import { RateLimiter } from './http/rate-limit.js';
import { RequestCounter, type RequestCounts } from './http/request-counter.js';
import { actionRoutes } from './routes/actions.js';
import { assetRoutes } from './routes/assets.js';
import { desktopRoutes } from './routes/desktop.js';
import {
  adminGrantRoutes,
  subjectGrantRoutes,
  applyAdminGrant,
  type AdminGrantRequest,
  type AdminGrantResult,
} from './routes/admin-grants.js';
import { authorizationRoutes } from './routes/authorization.js';
import {
  answerCall,
  callRoutes,
  CallRequestSchema,
  ConversationRequestSchema,
  resolveRouting,
  type CallRequestBody,
} from './routes/calls.js';
import { conversationRoutes, conversationView } from './routes/conversations.js';
import { CallManager, type CallReport } from './calls/calls.js';
import type { VoiceCatalog } from './calls/audio.js';
import { parseBody } from './body.js';
import { controlRoutes } from './routes/control.js';
import { credentialRoutes } from './routes/credentials.js';
import { flowRoutes } from './routes/flows.js';
import { identityRoutes } from './routes/identity.js';
import { integrationRoutes } from './routes/integrations.js';
import { loginRoutes } from './routes/login.js';
import { oauthClientRoutes } from './routes/oauth-clients.js';
import { routingRoutes } from './routes/routing.js';
import type { OrgState } from './state/model.js';
import { loadStateFile, saveStateFile } from './state/persist.js';
import { defaultSeedOptions, SANDBOX_AGENT_PASSWORD, SEED_AGENTS, seedState } from './state/seed.js';
import { AuthorizationCodes } from './login/codes.js';
import { SignInSessions } from './login/sessions.js';
import { expireUserTokens } from './routes/control.js';
import { SandboxStore } from './state/store.js';

export interface GenesysSandboxOptions {
  /** Port to listen on; 0 picks a free one. Default SANDBOX.genesysPort (4010). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Persist the org to this JSON file (written atomically, mode 0600) so it survives a restart. */
  stateFile?: string;
  /** Requests per token per minute before 429 (Genesys: 300). */
  rateLimitPerMinute?: number;
  faults?: FaultSettings;
  clock?: Clock;
  /** Source of randomness for `faults.errorRatio`. */
  random?: () => number;
  /** Runs data actions for `…/test` and `…/execute`; without one those routes answer 501. */
  actionExecutor?: ActionExecutor;
  logger?: Logger;
  /** Max instances per integration type id, e.g. `{ audiohook: 2 }` (default audiohook 5). */
  integrationLimits?: Record<string, number>;
  /** Polls of a started Architect job that still answer `Started` (default 1). */
  flowJobPolls?: number;
  /** Caller voices for `audio.voice` and the agent desktop's voice picker (the local stack gives the kit's). */
  voices?: VoiceCatalog;
  /** Lifetime of an authorization code (default 60 s). */
  authorizationCodeSeconds?: number;
  /** How long the login page remembers a signed-in user (default 8 h). */
  signInSessionSeconds?: number;
}

export interface SandboxAgent {
  id: string;
  name: string;
  email: string;
  /** What the user types on the org's sign-in page (the same sandbox-only password for every agent). */
  password: string;
}

export interface GenesysSandbox {
  /** Base URL, e.g. http://127.0.0.1:4010 (the SDK's gateway). */
  url: string;
  port: number;
  host: string;
  organizationId: string;
  adminClient: { id: string; secret: string };
  agents: SandboxAgent[];
  /** The live org records (read them; change them only through the API, `grant` or `revoke`). */
  state: OrgState;
  requestCounts(): RequestCounts;
  resetRequestCounts(): void;
  setFaults(settings: FaultSettings): void;
  /**
   * Same as `POST /sandbox/tokens/expire`: user tokens (all, or one user's) expire now, so their next
   * Platform API call answers 401 `bad.credentials`. Returns how many expired.
   */
  expireTokens(userId?: string): number;
  /**
   * Same as `POST /sandbox/grants`: the org admin gives an OAuth client or a user a role by hand, as
   * in the Genesys UI; throws a GenesysApiError (400 bad body, 404 unknown subject, role or division).
   */
  grant(request: AdminGrantRequest): AdminGrantResult;
  /** Same as `DELETE /sandbox/grants`: the admin takes a role back (404 when it is not held). */
  revoke(request: AdminGrantRequest): AdminGrantResult;
  /** Same as `POST /sandbox/calls`: creates the conversation and starts streaming; throws a GenesysApiError for a bad request. */
  startCall(request: CallRequestBody): CallReport;
  /** Resolves when the call has ended (all Audiohook sessions finished). */
  waitForCall(callId: string): Promise<CallReport>;
  hangUp(callId: string): Promise<CallReport>;
  /** Same as `POST /sandbox/calls/{id}/answer`: the agent (id or email) answers a call waiting in its queue. */
  answerCall(callId: string, agent: string): CallReport;
  /** Same as `POST /sandbox/calls/{id}/speak`: the caller of a continuous call says more. */
  speak(callId: string, audio: CallRequestBody['audio']): CallReport;
  /** Same as `POST /sandbox/conversations`: a connected conversation without audio; returns its API view. */
  createConversation(request: {
    ani: string;
    queue?: string;
    flow?: string;
    agent?: string | null;
    aniName?: string;
    dnis?: string;
  }): ReturnType<typeof conversationView>;
  stop(): Promise<void>;
}

/** The route modules, in registration order. */
function routeModules(calls: CallManager): RouteModule[] {
  // Fixed paths under /api/v2/integrations/ (credentials, actions, types) come before /:integrationId.
  return [
    loginRoutes,
    assetRoutes,
    desktopRoutes,
    controlRoutes,
    adminGrantRoutes,
    subjectGrantRoutes,
    identityRoutes,
    oauthClientRoutes,
    authorizationRoutes,
    routingRoutes,
    credentialRoutes,
    actionRoutes,
    integrationRoutes,
    flowRoutes,
    conversationRoutes,
    (app, ctx) => callRoutes(app, ctx, calls),
  ];
}

/**
 * Starts a local Genesys Cloud org on 127.0.0.1: the Platform API subset the kit uses, with
 * Genesys' refusals, rate limits and (on demand) faults. Several can run in one process.
 */
export async function startGenesysSandbox(options: GenesysSandboxOptions = {}): Promise<GenesysSandbox> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? SANDBOX.host;
  const seed = defaultSeedOptions(clock.now());
  const loaded = options.stateFile ? loadStateFile(options.stateFile) : undefined;
  const state = loaded ?? seedState(seed);
  if (options.stateFile && !loaded) saveStateFile(options.stateFile, state);
  const store = new SandboxStore(state, clock, options.stateFile, logger);

  let baseUrl = '';
  const settings: SandboxSettings = {
    integrationLimits: { ...(options.integrationLimits ?? {}) },
    flowJobPolls: options.flowJobPolls ?? 1,
    uploadUrlSeconds: 900,
  };
  const ctx: SandboxContext = {
    store,
    logger,
    faults: new FaultInjector(options.faults, options.random),
    limiter: new RateLimiter(options.rateLimitPerMinute ?? 300, clock),
    counter: new RequestCounter(),
    settings,
    ...(options.actionExecutor ? { executor: options.actionExecutor } : {}),
    ...(options.voices ? { voices: options.voices } : {}),
    login: {
      codes: new AuthorizationCodes(clock, options.authorizationCodeSeconds ?? 60),
      sessions: new SignInSessions(clock, options.signInSessionSeconds ?? 8 * 3600),
    },
    baseUrl: () => baseUrl,
  };
  const calls = new CallManager(ctx);
  const app = createApp(ctx, routeModules(calls));
  const server = createServer(app);
  await listenOn(server, {
    host,
    port: options.port ?? SANDBOX.genesysPort,
    what: 'the Genesys sandbox org',
    portHint: 'pick another with --genesys-port',
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}`;
  logger.info({ url: baseUrl }, 'Genesys sandbox listening');

  // No response ends an in-process change, so it is written to the state file here.
  const adminGrant = (request: AdminGrantRequest, action: 'grant' | 'revoke') => {
    const result = applyAdminGrant(state, request, action, () => store.iso());
    if (result.changed) {
      store.changed();
      store.flush();
    }
    return result;
  };

  let stopped: Promise<void> | undefined;
  return {
    url: baseUrl,
    port,
    host,
    organizationId: state.organization.id,
    adminClient: { id: seed.adminClientId, secret: seed.adminClientSecret },
    agents: SEED_AGENTS.flatMap((a) => {
      const u = state.users.find((x) => x.email === a.email);
      return u ? [{ id: u.id, name: u.name, email: u.email, password: SANDBOX_AGENT_PASSWORD }] : [];
    }),
    state,
    requestCounts: () => ctx.counter.snapshot(),
    resetRequestCounts: () => ctx.counter.reset(),
    setFaults: (f) => ctx.faults.set(f),
    expireTokens: (userId) => {
      const n = expireUserTokens(ctx, userId);
      store.flush();
      return n;
    },
    grant: (request) => adminGrant(request, 'grant'),
    revoke: (request) => adminGrant(request, 'revoke'),
    startCall: (request) => {
      const body = parseBody(CallRequestSchema, request);
      return calls.start(body, resolveRouting(state, body));
    },
    waitForCall: (id) =>
      calls.wait(id) ?? Promise.reject(new KitError('sandbox.no_such_call', `call ${id} not found`)),
    answerCall: (id, agent) => answerCall(state, calls, id, agent),
    speak: (id, audio) => {
      const report = calls.speak(
        id,
        audio === undefined ? undefined : parseBody(CallRequestSchema.properties.audio, audio),
      );
      if (!report) throw new KitError('sandbox.no_such_call', `call ${id} not found`);
      return report;
    },
    hangUp: (id) =>
      calls.hangup(id) ?? Promise.reject(new KitError('sandbox.no_such_call', `call ${id} not found`)),
    createConversation: (request) => {
      const body = parseBody(ConversationRequestSchema, request);
      return conversationView(state, calls.createConversation(body, resolveRouting(state, body)));
    },
    stop: () => {
      stopped ??= calls
        .stopAll()
        .then(
          () =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        )
        .then(() => {
          store.changed();
          store.flush();
        });
      return stopped;
    },
  };
}
