import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { AudiohookClientOptions } from '../../src/audiohook/client/index.js';
import { listenAudiohook, type ListenAudiohookOptions } from '../../src/audiohook/server/index.js';

export const ORG = 'd7934305-0972-4844-938e-9060eef73d05';
export const CONVERSATION = '090eaa2f-72fa-480a-83e0-8667ff89c0ec';
export const API_KEY = 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh';
export const SECRET = 'TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=';
export const UNSIGNED_KEY = 'open-key';

/** Generous for normal paths (no flakes under load); failure tests set tiny ones. Pings off unless a test drives them. */
export const TEST_CLIENT_TIMEOUTS = {
  connect: 5000,
  open: 5000,
  close: 5000,
  initialPingDelay: 60_000,
  pingInterval: 60_000,
};

export function clientOptions(
  url: string,
  extra: Partial<AudiohookClientOptions> = {},
): AudiohookClientOptions {
  return {
    uri: url,
    organizationId: ORG,
    conversationId: CONVERSATION,
    participant: { ani: '+34600000000', aniName: 'Caller', dnis: '+34900000000' },
    apiKey: API_KEY,
    clientSecret: SECRET,
    ...extra,
    timeouts: { ...TEST_CLIENT_TIMEOUTS, ...extra.timeouts },
  };
}

export async function startServer(extra: Partial<ListenAudiohookOptions> = {}) {
  return listenAudiohook({
    ...extra,
    auth: { credentials: { [API_KEY]: SECRET, [UNSIGNED_KEY]: '' }, failureDelayMs: 0, ...extra.auth },
    timeouts: { open: 5000, close: 5000, ...extra.timeouts },
  });
}

/** n frames of µ-law silence, `bytes` each (1600 bytes = 200 ms mono at 8 kHz). */
export function frames(n: number, bytes = 1600, fill = 0xff): Uint8Array[] {
  return Array.from({ length: n }, () => new Uint8Array(bytes).fill(fill));
}

/** An audio source the test feeds by hand, so pauses land between known frames. */
export class FrameQueue implements AsyncIterable<Uint8Array> {
  private readonly items: Array<Uint8Array | null> = [];
  private wake: (() => void) | null = null;

  push(...frames: Uint8Array[]): void {
    this.items.push(...frames);
    this.wake?.();
  }

  end(): void {
    this.items.push(null);
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      while (this.items.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
      const item = this.items.shift()!;
      if (item === null) return;
      yield item;
    }
  }
}

export type Json = Record<string, unknown>;

/** Collects parsed JSON messages from a socket and hands them out in order. */
export class Inbox {
  private readonly queue: Json[] = [];
  private readonly waiters: Array<(m: Json) => void> = [];
  readonly binary: Buffer[] = [];

  constructor(ws: WebSocket) {
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        this.binary.push(buf);
        return;
      }
      const msg = JSON.parse(buf.toString('utf8')) as Json;
      const waiter = this.waiters.shift();
      if (waiter) waiter(msg);
      else this.queue.push(msg);
    });
  }

  next(): Promise<Json> {
    const msg = this.queue.shift();
    if (msg) return Promise.resolve(msg);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Next message of a type, skipping others (e.g. pongs). */
  async nextOf(type: string): Promise<Json> {
    for (;;) {
      const msg = await this.next();
      if (msg.type === type) return msg;
    }
  }
}

/** A bare WebSocket client speaking as Genesys would, with full control over every field. */
export class RawClient {
  seq = 0;
  serverseq = 0;
  readonly inbox: Inbox;
  readonly closed: Promise<number>;

  private constructor(
    readonly ws: WebSocket,
    readonly sessionId: string,
  ) {
    this.inbox = new Inbox(ws);
    this.closed = new Promise((resolve) => ws.once('close', (code: number) => resolve(code)));
    ws.on('error', () => undefined);
  }

  static async connect(url: string, headers: Record<string, string> = {}, sessionId = crypto.randomUUID()) {
    const ws = new WebSocket(url, {
      headers: {
        'Audiohook-Organization-Id': ORG,
        'Audiohook-Session-Id': sessionId,
        'Audiohook-Correlation-Id': crypto.randomUUID(),
        'X-API-KEY': UNSIGNED_KEY,
        ...headers,
      },
    });
    const client = new RawClient(ws, sessionId);
    await once(ws, 'open');
    return client;
  }

  message(type: string, parameters: Json = {}, overrides: Json = {}): Json {
    return {
      version: '2',
      id: this.sessionId,
      type,
      seq: ++this.seq,
      serverseq: this.serverseq,
      position: 'PT0S',
      parameters,
      ...overrides,
    };
  }

  send(type: string, parameters: Json = {}, overrides: Json = {}): void {
    this.ws.send(JSON.stringify(this.message(type, parameters, overrides)));
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  async next(): Promise<Json> {
    const msg = await this.inbox.next();
    if (typeof msg.seq === 'number') this.serverseq = msg.seq;
    return msg;
  }

  async nextOf(type: string): Promise<Json> {
    for (;;) {
      const msg = await this.next();
      if (msg.type === type) return msg;
    }
  }

  open(
    media: Json[] = [{ type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 }],
    extra: Json = {},
  ): void {
    this.send('open', {
      organizationId: ORG,
      conversationId: CONVERSATION,
      participant: { id: crypto.randomUUID(), ani: '+34600000000', aniName: '', dnis: '' },
      media,
      ...extra,
    });
  }

  /** Close transaction as Genesys runs it, then the socket. */
  async closeSession(reason = 'end'): Promise<Json> {
    this.send('close', { reason });
    const closed = await this.nextOf('closed');
    this.ws.close();
    await this.closed;
    return closed;
  }
}

/** A hand-scripted Audiohook server for client failure paths. */
export class ScriptedServer {
  readonly url: string;
  readonly connections: ScriptedConnection[] = [];
  private readonly waiters: Array<(c: ScriptedConnection) => void> = [];
  private taken = 0;

  private constructor(readonly wss: WebSocketServer) {
    const { port } = wss.address() as AddressInfo;
    this.url = `ws://127.0.0.1:${port}/ah`;
    wss.on('connection', (ws, req) => {
      const conn = new ScriptedConnection(ws, req.headers);
      this.connections.push(conn);
      const waiter = this.waiters.shift();
      if (waiter) {
        this.taken++;
        waiter(conn);
      }
    });
  }

  static async start(options: { maxPayload?: number } = {}): Promise<ScriptedServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
    await once(wss, 'listening');
    return new ScriptedServer(wss);
  }

  /** The next connection not yet handed out. */
  connection(): Promise<ScriptedConnection> {
    const existing = this.connections[this.taken];
    if (existing) {
      this.taken++;
      return Promise.resolve(existing);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

export class ScriptedConnection {
  seq = 0;
  clientseq = 0;
  id = '';
  readonly inbox: Inbox;
  readonly closed: Promise<number>;

  constructor(
    readonly ws: WebSocket,
    readonly headers: Record<string, string | string[] | undefined>,
  ) {
    this.inbox = new Inbox(ws);
    this.closed = new Promise((resolve) => ws.once('close', (code: number) => resolve(code)));
    ws.on('error', () => undefined);
  }

  async next(): Promise<Json> {
    const msg = await this.inbox.next();
    if (typeof msg.seq === 'number') this.clientseq = msg.seq;
    if (typeof msg.id === 'string') this.id = msg.id;
    return msg;
  }

  async nextOf(type: string): Promise<Json> {
    for (;;) {
      const msg = await this.next();
      if (msg.type === type) return msg;
    }
  }

  message(type: string, parameters: Json = {}, overrides: Json = {}): Json {
    return {
      version: '2',
      id: this.id,
      type,
      seq: ++this.seq,
      clientseq: this.clientseq,
      parameters,
      ...overrides,
    };
  }

  send(type: string, parameters: Json = {}, overrides: Json = {}): void {
    this.ws.send(JSON.stringify(this.message(type, parameters, overrides)));
  }

  /** Reads `open` and answers `opened` selecting the given media (default: the first offer). */
  async acceptOpen(select?: (offers: Json[]) => Json[], extra: Json = {}): Promise<Json> {
    const open = await this.nextOf('open');
    const offers = (open.parameters as { media: Json[] }).media;
    this.send('opened', { media: select ? select(offers) : offers.slice(0, 1), ...extra });
    return open;
  }
}

/** Timers the test fires by hand (by their delay), so ping schedules run deterministically. */
export class ManualTimers {
  private next = 1;
  private readonly pending = new Map<number, { fn: () => void; ms: number }>();

  readonly timers = {
    setTimeout: (fn: () => void, ms: number) => {
      const id = this.next++;
      this.pending.set(id, { fn, ms });
      return id;
    },
    clearTimeout: (handle: unknown) => {
      this.pending.delete(handle as number);
    },
  };

  /** Runs every pending timer set with this delay; returns how many ran. */
  fire(ms: number): number {
    const due = [...this.pending].filter(([, t]) => t.ms === ms);
    for (const [id, t] of due) {
      this.pending.delete(id);
      t.fn();
    }
    return due.length;
  }

  has(ms: number): boolean {
    return [...this.pending.values()].some((t) => t.ms === ms);
  }
}
