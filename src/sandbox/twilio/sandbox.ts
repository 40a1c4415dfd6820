import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { SANDBOX } from '../../config/defaults.js';
import { KitError } from '../../errors.js';
import { listenOn } from '../listen.js';
import { streamTwiml } from '../../twilio/twiml.js';
import { silentLogger, type Logger } from '../../log.js';
import type { VoiceCatalog } from '../genesys/calls/audio.js';
import { CallManager } from './calls/calls.js';
import { createApp, type RouteModule } from './http/app.js';
import type { TwilioContext } from './http/context.js';
import { TwilioFaults, type FaultRule } from './http/faults.js';
import { flexDesktopRoutes, type FlexDesktopOptions } from './desktop/index.js';
import { controlRoutes } from './routes/control.js';
import { iamRoutes } from './routes/iam.js';
import { taskRouterRoutes } from './routes/taskrouter.js';
import { voiceRoutes } from './routes/voice.js';
import { newSid } from './sids.js';
import type { TwilioState, WorkerRecord } from './state.js';
import { TaskBoard } from './tasks.js';

export interface TwilioSandboxWorker {
  /** Default: a SID derived from the position. */
  sid?: string;
  /** The Flex identity a token is issued to. */
  identity: string;
  friendlyName?: string;
}

export interface TwilioSandboxOptions {
  /** Port to listen on; 0 picks a free one. Default SANDBOX.twilioPort (4030). */
  port?: number;
  host?: string;
  accountSid?: string;
  authToken?: string;
  workspaceSid?: string;
  workers?: TwilioSandboxWorker[];
  /** The Twilio number callers dial. */
  phoneNumber?: string;
  /**
   * The das-Peak Twilio Media Streams consumer (`wss://…/twilio/ws`) that the number's TwiML streams
   * the caller to. Without it (and without `incomingTwiml`) calls are not streamed anywhere.
   */
  mediaStreamUrl?: string;
  /** The number's TwiML for an inbound call (its voice webhook); default `<Start><Stream url=mediaStreamUrl>`. */
  incomingTwiml?: (call: { from: string; to: string }) => string;
  /** Caller voices for `voice` (the local stack gives the kit's). */
  voices?: VoiceCatalog;
  /** Lifetime of a Flex token (default 1 h). */
  flexTokenSeconds?: number;
  faults?: FaultRule[];
  /** The Flex desktop at /flex (T4): the backend the plugin uses, where the built plugin is. */
  flexDesktop?: FlexDesktopOptions;
  now?: () => number;
  logger?: Logger;
}

export interface TwilioSandbox {
  /** Base URL, e.g. http://127.0.0.1:4030: the one origin that stands in for api., iam. and taskrouter.twilio.com. */
  url: string;
  port: number;
  host: string;
  accountSid: string;
  authToken: string;
  workspaceSid: string;
  phoneNumber: string;
  workers: { sid: string; identity: string; friendlyName: string }[];
  /** The live records (read them; change them through the routes). */
  state: TwilioState;
  calls: CallManager;
  tasks: TaskBoard;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  close(): Promise<void>;
}

/**
 * The default TwiML of the sandbox number: the kit's own `streamTwiml` (src/twilio/twiml.ts), which
 * streams the caller to das-Peak with their number as the `from` parameter, then keeps the line open.
 */
export function defaultIncomingTwiml(mediaStreamUrl: string | undefined) {
  return (call: { from: string }) => {
    if (!mediaStreamUrl) {
      const silent = new twilio.twiml.VoiceResponse();
      silent.pause({ length: 3600 });
      return silent.toString();
    }
    return streamTwiml({
      url: mediaStreamUrl,
      parameters: { from: call.from },
      then: { pauseSeconds: 3600 },
    });
  };
}

function checkSid(prefix: string, value: string, option: string): string {
  if (!new RegExp(`^${prefix}[0-9a-f]{32}$`).test(value)) {
    throw new KitError(
      'sandbox.bad_option',
      `${option} must be ${prefix} followed by 32 hex digits, got "${value}"`,
    );
  }
  return value;
}

/**
 * Starts a local Twilio stand-in on 127.0.0.1: the REST subset the kit uses (Calls, Streams, IAM's
 * Flex token check, TaskRouter reads), with Twilio's refusals and error bodies, calls that stream
 * Media Streams to das-Peak, and /sandbox control routes. Several can run in one process.
 */
export async function startTwilioSandbox(options: TwilioSandboxOptions = {}): Promise<TwilioSandbox> {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => Date.now());
  const host = options.host ?? SANDBOX.host;
  const created = now();
  const workers: WorkerRecord[] = (options.workers ?? SANDBOX.twilio.workers).map((w) => ({
    sid: checkSid('WK', w.sid ?? newSid('WK'), 'a worker sid'),
    identity: w.identity,
    friendlyName: w.friendlyName ?? w.identity,
    activityName: 'Available',
    createdAt: created,
    updatedAt: created,
  }));
  const state: TwilioState = {
    accountSid: checkSid('AC', options.accountSid ?? SANDBOX.twilio.accountSid, 'accountSid'),
    authToken: options.authToken ?? SANDBOX.twilio.authToken,
    workspaceSid: checkSid('WS', options.workspaceSid ?? SANDBOX.twilio.workspaceSid, 'workspaceSid'),
    phoneNumber: options.phoneNumber ?? SANDBOX.twilio.phoneNumber,
    calls: new Map(),
    streams: new Map(),
    workers,
    tasks: new Map(),
    reservations: new Map(),
    flexTokens: new Map(),
  };
  const tasks = new TaskBoard(state, now);
  const calls = new CallManager({ state, logger, now, onCallEnded: (call) => tasks.callEnded(call) });
  const faults = new TwilioFaults();
  for (const rule of options.faults ?? []) faults.add(rule);
  let baseUrl = '';
  const ctx: TwilioContext = {
    state,
    faults,
    logger,
    calls,
    ...(options.voices ? { voices: options.voices } : {}),
    flexTokenSeconds: options.flexTokenSeconds ?? 3600,
    now,
    baseUrl: () => baseUrl,
  };
  const incomingTwiml = options.incomingTwiml ?? defaultIncomingTwiml(options.mediaStreamUrl);
  const modules: RouteModule[] = [
    (app) => controlRoutes(app, ctx, { tasks, incomingTwiml }),
    flexDesktopRoutes(options.flexDesktop),
    voiceRoutes,
    iamRoutes,
    taskRouterRoutes,
  ];
  const server = createServer(createApp(ctx, modules));
  await listenOn(server, {
    host,
    port: options.port ?? SANDBOX.twilioPort,
    what: 'the Twilio stand-in',
    portHint: 'pick another with --twilio-port',
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url: baseUrl }, 'Twilio stand-in listening');

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    port,
    host,
    accountSid: state.accountSid,
    authToken: state.authToken,
    workspaceSid: state.workspaceSid,
    phoneNumber: state.phoneNumber,
    workers: workers.map((w) => ({ sid: w.sid, identity: w.identity, friendlyName: w.friendlyName })),
    state,
    calls,
    tasks,
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    close: () => {
      closing ??= calls.stopAll().then(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      );
      return closing;
    },
  };
}
