import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Server as IoServer, type Socket as ServerSocket } from 'socket.io';
import {
  API_KEY_HEADER,
  AudioSettingsRequestSchema,
  NAMESPACES,
  REST_PATHS,
  RegisterInitializeSchema,
  RegisterSessionRequestSchema,
  SERVER_EVENTS,
  TOKEN_PATH,
  VerifyInitializeSchema,
  VerifySessionRequestSchema,
  check,
  formatRfc1123,
  type DaspeakConfig,
  type Operation,
  type SessionStatus,
  type SessionStatusBody,
} from '../../src/daspeak/index.js';

/**
 * A small server that speaks the das-Peak Streaming contract (documented parts and our DESIGN) on
 * 127.0.0.1: the OAuth2 token endpoint, the REST channel and the Socket.IO channel, all on one port,
 * as the real service shares one host. Tests script its answers; it records what it received.
 * It is not the emulator (src/sandbox/daspeak): no audio, no VAD, only the signalling contract.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  rawBody: string;
  body: unknown;
}

/** A reply that bypasses the contract (to test error shapes and broken answers). */
export interface RawReply {
  status: number;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent verbatim (wins over json). */
  raw?: string;
}

/** One GET answer of a session; fields not given come from the session. */
export type StatusStep = { status: SessionStatus } & Partial<Omit<SessionStatusBody, 'status'>> &
  Record<string, unknown>;

export interface RestSession {
  id: string;
  operation: Operation;
  request: Record<string, unknown>;
  steps: StatusStep[];
  polls: number;
  cancelled: boolean;
}

export type SioStep =
  | { emit: string; args: unknown[] }
  /** The server ends the connection. */
  | { disconnect: true };

export interface SioContext {
  operation: Operation;
  namespace: string;
  initialize: Record<string, unknown>;
  socket: ServerSocket;
}

export interface SioConnection {
  namespace: string;
  tokenVia: 'auth' | 'query' | 'header' | 'none';
  accepted: boolean;
}

export const TEST_SECRETS = {
  apiKey: 'test-rest-api-key-0123',
  clientId: 'test-sio-client',
  clientSecret: 'test-sio-secret-4567',
} as const;

export const SAMPLE_CREDENTIAL = 'Y3JlZGVudGlhbC1ieXRlcw==';
/** base64 of "RIFF" — stands in for the collected WAV. */
export const SAMPLE_AUDIO = 'UklGRg==';

export class ContractServer {
  origin = '';
  // Token endpoint
  tokenRequests = 0;
  tokenForms: { contentType: string | undefined; form: URLSearchParams }[] = [];
  /** `expires_in` of issued tokens; undefined leaves it out. */
  tokenExpiresIn: number | undefined = 3600;
  /** While set, token answers wait for it. */
  tokenGate: Promise<void> | undefined;
  /** Replaces the next token answers while set. */
  tokenOverride: (() => RawReply | undefined) | undefined;
  readonly validTokens = new Set<string>();
  /** When false, the Socket.IO channel refuses every token. */
  acceptTokens = true;
  /** When true, the WebSocket upgrade is refused with HTTP 401 (as a gateway might), before Socket.IO. */
  refuseHandshake = false;
  // REST
  readonly requests: RecordedRequest[] = [];
  readonly sessions = new Map<string, RestSession>();
  readonly audioSettings = new Map<string, Record<string, unknown>>();
  restOverride: ((request: RecordedRequest) => RawReply | undefined) | undefined;
  /** While true, REST requests get no answer at all (closed when the server closes). */
  hangRest = false;
  statusScript: (operation: Operation, request: Record<string, unknown>) => StatusStep[] =
    defaultStatusScript;
  // Socket.IO
  readonly connections: SioConnection[] = [];
  readonly initializes: { namespace: string; payload: unknown; valid: boolean }[] = [];
  sioScript: (context: SioContext) => SioStep[] = defaultSioScript;

  private readonly http = createServer();
  private readonly io: IoServer;

  constructor() {
    // WebSocket only: a client falling back to long-polling would be refused.
    this.io = new IoServer(this.http, { path: '/socket.io', transports: ['websocket'] });
    // Engine.IO claims every request below /socket.io/; the token endpoint lives there too
    // (documented: `<socket.io base>/oauth2/token`), so route it before Engine.IO sees it.
    const engine = this.http.listeners('request') as RequestListener[];
    this.http.removeAllListeners('request');
    this.http.on('request', (req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path === TOKEN_PATH || path.startsWith('/dpsrest/')) {
        void this.handleHttp(req, res, path);
        return;
      }
      for (const listener of engine) listener.call(this.http, req, res);
    });
    const engineUpgrade = this.http.listeners('upgrade') as ((...args: unknown[]) => void)[];
    this.http.removeAllListeners('upgrade');
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.refuseHandshake) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      for (const listener of engineUpgrade) listener.call(this.http, req, socket, head);
    });
    for (const operation of ['register', 'verify'] as const) {
      for (const namespace of NAMESPACES[operation]) this.serveNamespace(operation, namespace);
    }
  }

  get restBase(): string {
    return `${this.origin}/dpsrest`;
  }

  get tokenUrl(): string {
    return `${this.origin}${TOKEN_PATH}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => {
      void this.io.close(() => resolve());
    });
  }

  /** Makes every token issued so far invalid (as if it expired or was revoked early). */
  revokeTokens(): void {
    this.validTokens.clear();
  }

  /** The REST requests that reached a path (query ignored). */
  requestsTo(method: string, pathPrefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  // ------------------------------------------------------------------------------------------------

  private async handleHttp(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const rawBody = await readBody(req);
    if (path === TOKEN_PATH) {
      await this.handleToken(req, res, rawBody);
      return;
    }
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, rawBody, body };
    this.requests.push(recorded);
    if (this.hangRest) return;
    const override = this.restOverride?.(recorded);
    if (override) return reply(res, override);
    reply(res, this.rest(recorded, path.slice('/dpsrest'.length)));
  }

  private async handleToken(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
    this.tokenRequests += 1;
    const form = new URLSearchParams(rawBody);
    this.tokenForms.push({ contentType: req.headers['content-type'], form });
    if (this.tokenGate) await this.tokenGate;
    const override = this.tokenOverride?.();
    if (override) return reply(res, override);
    if (form.get('grant_type') !== 'client_credentials') {
      return reply(res, { status: 400, json: { error: 'unsupported_grant_type' } });
    }
    if (
      form.get('client_id') !== TEST_SECRETS.clientId ||
      form.get('client_secret') !== TEST_SECRETS.clientSecret
    ) {
      // Echo the submitted secret, as a careless server might: the client must not repeat it.
      return reply(res, {
        status: 401,
        json: {
          error: 'invalid_client',
          error_description: `unknown client or secret ${form.get('client_secret')}`,
        },
      });
    }
    const token = `tok-${this.tokenRequests}-${randomUUID()}`;
    this.validTokens.add(token);
    const json: Record<string, unknown> = { access_token: token, token_type: 'Bearer' };
    if (this.tokenExpiresIn !== undefined) json.expires_in = this.tokenExpiresIn;
    reply(res, { status: 200, json });
  }

  private rest(req: RecordedRequest, path: string): RawReply {
    if (req.headers[API_KEY_HEADER] !== TEST_SECRETS.apiKey) {
      return { status: 401, json: { code: 'unauthorized', message: 'missing or invalid apikey' } };
    }
    if (req.method === 'POST' && path === REST_PATHS.audioSettings) {
      const valid = check(AudioSettingsRequestSchema, req.body);
      if (!valid.ok) return { status: 400, json: { code: 'error-parameters', message: valid.problem } };
      const id = randomUUID();
      this.audioSettings.set(id, valid.value);
      return { status: 201, json: { ...valid.value, id, created_at: formatRfc1123(new Date()) } };
    }
    for (const operation of ['register', 'verify'] as const) {
      const createPath = operation === 'register' ? REST_PATHS.registerSession : REST_PATHS.verifySession;
      if (req.method === 'POST' && path === createPath) {
        const schema = operation === 'register' ? RegisterSessionRequestSchema : VerifySessionRequestSchema;
        const valid = check(schema, req.body);
        if (!valid.ok) return { status: 400, json: { code: 'error-parameters', message: valid.problem } };
        if (!this.audioSettings.has(valid.value.audio_settings_id)) {
          return { status: 400, json: { code: 'error-parameters', message: 'unknown audio_settings_id' } };
        }
        const id = randomUUID();
        const request = valid.value as Record<string, unknown>;
        this.sessions.set(id, {
          id,
          operation,
          request,
          steps: this.statusScript(operation, request),
          polls: 0,
          cancelled: false,
        });
        return {
          status: 201,
          json: { ...request, id, status: 'waiting-consumer', created_at: formatRfc1123(new Date()) },
        };
      }
      const prefix = `${createPath}/`;
      if (path.startsWith(prefix)) {
        const session = this.sessions.get(decodeURIComponent(path.slice(prefix.length)));
        if (!session || session.operation !== operation) {
          return { status: 404, json: { code: 'not_found', message: 'unknown session' } };
        }
        if (req.method === 'DELETE') {
          session.cancelled = true;
          return { status: 204 };
        }
        if (req.method === 'GET') {
          const step = session.steps[Math.min(session.polls, session.steps.length - 1)];
          session.polls += 1;
          return {
            status: 200,
            json: {
              id: session.id,
              net_speech_duration: 0,
              audio_total_duration: session.request.audio_total_duration,
              ...step,
            },
          };
        }
      }
    }
    return { status: 404, json: { code: 'not_found', message: `no route ${req.method} ${path}` } };
  }

  private serveNamespace(operation: Operation, namespace: string): void {
    const nsp = this.io.of(namespace);
    nsp.use((socket, next) => {
      const { tokenVia, token } = presentedToken(socket);
      const accepted = this.acceptTokens && token !== undefined && this.validTokens.has(token);
      this.connections.push({ namespace, tokenVia, accepted });
      next(accepted ? undefined : new Error('unauthorized'));
    });
    nsp.on('connection', (socket) => {
      socket.on('initialize', (payload: unknown) => {
        const schema = operation === 'register' ? RegisterInitializeSchema : VerifyInitializeSchema;
        const valid = check(schema, payload);
        this.initializes.push({ namespace, payload, valid: valid.ok });
        if (!valid.ok) {
          socket.emit(SERVER_EVENTS.errorParameters, { code: 'error-parameters', message: valid.problem });
          return;
        }
        const steps = this.sioScript({
          operation,
          namespace,
          initialize: valid.value,
          socket,
        });
        void play(socket, steps);
      });
    });
  }
}

export async function startContractServer(): Promise<ContractServer> {
  return new ContractServer().listen();
}

/** A `daspeak` config section (defaults applied, as the loader returns it) pointing at the server. */
export function configFor(server: ContractServer, overrides: Partial<DaspeakConfig> = {}): DaspeakConfig {
  return {
    rest: { baseUrl: server.restBase, apiKey: TEST_SECRETS.apiKey },
    socketio: {
      url: server.origin,
      path: '/socket.io',
      registerNamespace: '/socket.io/register',
      verifyNamespace: '/socket.io/verify',
      tokenTransport: 'auth',
    },
    auth: {
      tokenUrl: server.tokenUrl,
      clientId: TEST_SECRETS.clientId,
      clientSecret: TEST_SECRETS.clientSecret,
    },
    audiohook: {
      connectionUri: 'wss://audiohook.invalid/ws',
      apiKey: 'test-audiohook-key',
      clientSecret: 'dGVzdC1hdWRpb2hvb2stc2VjcmV0',
    },
    modelHash: 'test-model-v1',
    authenticityThreshold: 0.8,
    verificationThreshold: 0.5,
    audioTotalDuration: { register: 5, verify: 3 },
    audio: { format: 'raw', codec: 'mulaw', sampleFormat: '', sampleRate: 8000, channels: 1 },
    timeouts: { sessionSeconds: 30, pollIntervalMs: 1000 },
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------

export function defaultStatusScript(operation: Operation, request: Record<string, unknown>): StatusStep[] {
  const total = Number(request.audio_total_duration);
  const result =
    operation === 'register'
      ? { credential: SAMPLE_CREDENTIAL, model_hash: String(request.model_hash), authenticity: 0.97 }
      : { score: 0.91, authenticity: 0.95, threshold: Number(request.verification_threshold) };
  return [
    { status: 'waiting-consumer' },
    { status: 'consumer-ready' },
    { status: 'collecting', net_speech_duration: 1.5 },
    { status: 'collecting', net_speech_duration: 3 },
    { status: 'processing', net_speech_duration: total },
    { status: 'success', net_speech_duration: total, result },
  ];
}

export function defaultSioScript({ operation, initialize }: SioContext): SioStep[] {
  const metadata = initialize.metadata as { call_id: string };
  const request = (initialize.register_request ?? initialize.verify_request) as Record<string, unknown>;
  const ids = { call_id: metadata.call_id, session_id: `sio-${metadata.call_id}` };
  const total = Number(request.audio_total_duration);
  const result: SioStep =
    operation === 'register'
      ? {
          emit: SERVER_EVENTS.success,
          args: [
            { ...ids, credential: SAMPLE_CREDENTIAL, model_hash: request.model_hash, authenticity: 0.97 },
            SAMPLE_AUDIO,
          ],
        }
      : {
          emit: SERVER_EVENTS.success,
          args: [{ ...ids, score: 0.91, authenticity: 0.95, threshold: request.verification_threshold }],
        };
  return [
    { emit: SERVER_EVENTS.consumerReady, args: [ids] },
    {
      emit: SERVER_EVENTS.vadStatus,
      args: [{ ...ids, net_speech_duration: 1.5, audio_total_duration: total }],
    },
    {
      emit: SERVER_EVENTS.vadStatus,
      args: [{ ...ids, net_speech_duration: total, audio_total_duration: total }],
    },
    result,
  ];
}

/** Plays script steps in order, each on its own turn of the event loop. */
async function play(socket: ServerSocket, steps: SioStep[]): Promise<void> {
  for (const step of steps) {
    await new Promise((resolve) => setImmediate(resolve));
    if (!socket.connected) return;
    if ('disconnect' in step) {
      socket.disconnect(true);
      return;
    }
    socket.emit(step.emit, ...step.args);
  }
}

function presentedToken(socket: ServerSocket): { tokenVia: SioConnection['tokenVia']; token?: string } {
  const auth = socket.handshake.auth as Record<string, unknown> | undefined;
  if (typeof auth?.token === 'string') return { tokenVia: 'auth', token: auth.token };
  const query = socket.handshake.query.access_token;
  if (typeof query === 'string') return { tokenVia: 'query', token: query };
  const header = socket.handshake.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer (.+)$/i.exec(header) : null;
  if (bearer?.[1]) return { tokenVia: 'header', token: bearer[1] };
  return { tokenVia: 'none' };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, answer: RawReply): void {
  if (answer.raw !== undefined) {
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(answer.raw);
  } else if (answer.json !== undefined) {
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer.json));
  } else {
    res.writeHead(answer.status);
    res.end();
  }
}

/** A clock for tests: time moves only when `sleep` (or the test) moves it. */
export class FakeClock {
  constructor(public t = Date.UTC(2024, 4, 17, 9, 25, 24)) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
  sleeps: number[] = [];
  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    this.sleeps.push(ms);
    this.t += ms;
    await new Promise((resolve) => setImmediate(resolve));
  };
}

/** Resolves once `condition` holds; fails the test after many event-loop turns without it. */
export async function waitFor(condition: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`waited in vain for ${what}`);
}
