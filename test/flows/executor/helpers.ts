import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import type { ActionDefinition } from '../../../src/flows/executor/index.js';

export interface Received {
  method: string;
  /** Path and query exactly as sent on the request line. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Handler = (request: Received, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  received: Received[];
}

/** Real HTTP servers on 127.0.0.1, port 0, closed (with their connections) after each test. */
export function useServers(): (handler: Handler) => Promise<TestServer> {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });
  return async (handler) => {
    const received: Received[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        received.push(r);
        Promise.resolve(handler(r, res)).catch((err: unknown) => {
          res.statusCode = 599;
          res.end(String(err));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const { port } = server.address() as AddressInfo;
    return { base: `http://127.0.0.1:${port}`, received };
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function text(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

/** Answers `{}`, JSON-echoing nothing: for tests about what the server received. */
export const okEmptyObject: Handler = (_r, res) => json(res, 200, {});

/** A valid action; `patch` replaces parts of it (config.request and config.response merge). */
export function action(
  patch: {
    name?: string;
    timeoutSeconds?: number;
    request?: Partial<ActionDefinition['config']['request']>;
    response?: ActionDefinition['config']['response'];
    inputSchema?: Record<string, unknown>;
    successSchema?: Record<string, unknown>;
  } = {},
): ActionDefinition {
  return {
    name: patch.name ?? 'VB Test Action',
    category: 'Voice Biometrics',
    integrationId: 'integration-1',
    secure: false,
    config: {
      timeoutSeconds: patch.timeoutSeconds ?? 10,
      request: {
        requestUrlTemplate: 'http://127.0.0.1:1/unused',
        requestType: 'GET',
        headers: {},
        requestTemplate: '${input.rawRequest}',
        ...patch.request,
      },
      response: patch.response ?? { translationMap: {}, translationMapDefaults: {}, successTemplate: '${rawResult}' },
    },
    contract: {
      input: {
        inputSchema: patch.inputSchema ?? {
          type: 'object',
          properties: { ani: { type: 'string' }, conversationId: { type: 'string' } },
        },
      },
      output: { successSchema: patch.successSchema ?? { type: 'object', properties: {} } },
    },
  };
}
