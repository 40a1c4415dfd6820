import type platformClient from 'purecloud-platform-client-v2';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../../../src/log.js';

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, when it was JSON. */
  json: unknown;
}

/** How to answer: a status with JSON (or text) body, or a scripted misbehaviour. */
export type Reply =
  | { status?: number; headers?: Record<string, string>; body?: unknown }
  /** Never answer (the client's timeout must fire). */
  | 'hang'
  /** Drop the connection without an answer (a network error on the client side). */
  | 'destroy';

export type Handler = (request: SeenRequest) => Reply | Promise<Reply>;

export interface ScriptedServer {
  url: string;
  port: number;
  requests: SeenRequest[];
  /** Requests being handled right now, and the most seen at once. */
  inFlight: { now: number; max: number };
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1, port 0, answering as `handler` says and recording everything. */
export async function startScriptedServer(handler: Handler): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const inFlight = { now: 0, max: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      inFlight.now += 1;
      inFlight.max = Math.max(inFlight.max, inFlight.now);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        json,
      };
      requests.push(seen);
      void Promise.resolve(handler(seen)).then(
        (reply) => {
          if (reply === 'hang') return;
          inFlight.now -= 1;
          if (reply === 'destroy') {
            req.socket.destroy();
            return;
          }
          const status = reply.status ?? 200;
          const headers: Record<string, string> = { ...reply.headers };
          let payload = '';
          if (reply.body !== undefined) {
            if (typeof reply.body === 'string') {
              payload = reply.body;
              headers['content-type'] ??= 'text/plain';
            } else {
              payload = JSON.stringify(reply.body);
              headers['content-type'] ??= 'application/json';
            }
          }
          res.writeHead(status, headers).end(payload);
        },
        (error: unknown) => {
          inFlight.now -= 1;
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const CLIENT_ID = 'kit-client';
export const CLIENT_SECRET = 's3cr3t-value-never-logged';

export interface FakeOrgOptions {
  /** Token lifetime in seconds. Default 86400. */
  expiresIn?: number;
  /** Answers a token request instead of the default (return undefined for the default). */
  onToken?: (request: SeenRequest, count: number) => Reply | undefined | Promise<Reply | undefined>;
  /** Path prefix of a gateway, e.g. '/genesys'. */
  prefix?: string;
}

export interface FakeOrg extends ScriptedServer {
  /** Token requests and API requests, apart. */
  tokenRequests: SeenRequest[];
  apiRequests: SeenRequest[];
  /** Tokens handed out so far, in order. */
  issued: string[];
  /** Makes the server refuse a token from now on (401). */
  revoke(token: string): void;
  /** Makes the server refuse every bearer token, also those it issues later. */
  refuseAllTokens(): void;
}

/**
 * A scripted org: `POST {prefix}/oauth/token` hands out `token-1`, `token-2`… for the right Basic
 * credentials; `{prefix}/api/v2/…` requests need a live bearer token (else 401) and are answered by
 * `api`.
 */
export async function startFakeOrg(api: Handler, options: FakeOrgOptions = {}): Promise<FakeOrg> {
  const prefix = options.prefix ?? '';
  const tokenRequests: SeenRequest[] = [];
  const apiRequests: SeenRequest[] = [];
  const issued: string[] = [];
  const revoked = new Set<string>();
  let refuseAll = false;
  const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
  const server = await startScriptedServer(async (request) => {
    if (request.path === `${prefix}/oauth/token`) {
      tokenRequests.push(request);
      const scripted = await options.onToken?.(request, tokenRequests.length);
      if (scripted !== undefined) return scripted;
      if (request.method !== 'POST' || request.headers.authorization !== basic) {
        return { status: 401, body: { error: 'invalid_client', description: 'authentication failed' } };
      }
      const token = `token-${issued.length + 1}`;
      issued.push(token);
      return { body: { access_token: token, token_type: 'bearer', expires_in: options.expiresIn ?? 86_400 } };
    }
    if (request.path.startsWith(`${prefix}/api/v2/`)) {
      apiRequests.push(request);
      const bearer = request.headers.authorization?.replace(/^Bearer /, '');
      if (bearer === undefined || !issued.includes(bearer) || revoked.has(bearer) || refuseAll) {
        return {
          status: 401,
          body: { status: 401, code: 'bad.credentials', message: 'Invalid login credentials.' },
        };
      }
      return api({ ...request, path: request.path.slice(prefix.length) });
    }
    return { status: 404, body: { status: 404, code: 'not.found', message: `no route ${request.path}` } };
  });
  return Object.assign(server, {
    tokenRequests,
    apiRequests,
    issued,
    revoke: (t: string) => void revoked.add(t),
    refuseAllTokens: () => {
      refuseAll = true;
    },
  });
}

/** A sleep that returns at once and remembers what it was asked to wait. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

/** A pino logger at debug that keeps its lines (parsed) and raw text in memory. */
export function memoryLogger(): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  text: () => string;
} {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  return {
    logger,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Answers every request with the same reply. */
export const always =
  (reply: Reply): Handler =>
  () =>
    reply;

/** Answers with the replies in order, then the last one forever. */
export function sequence(...replies: Reply[]): Handler {
  let i = 0;
  return () => replies[Math.min(i++, replies.length - 1)]!;
}

/** A data action create body the SDK accepts (the server never looks at it). */
export const ACTION_INPUT: platformClient.Models.PostActionInput = {
  name: 'n',
  category: 'c',
  integrationId: 'i',
  config: {},
  contract: { input: { inputSchema: {} }, output: { successSchema: {} } },
};
