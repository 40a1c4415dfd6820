import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import {
  startTwilioSandbox,
  type TwilioSandbox,
  type TwilioSandboxOptions,
} from '../../src/sandbox/twilio/index.js';
import { kitVoiceCatalog } from '../../src/sandbox/voices.js';
import { createTwilioClient, type TwilioClientOptions } from '../../src/twilio/client.js';

/*
 * The src/twilio tests talk to the local Twilio stand-in (src/sandbox/twilio) over HTTP on 127.0.0.1
 * with the real `twilio` helper library; only where the stand-in cannot say something (an HTTP-date
 * Retry-After, an answer that is not JSON) a few lines of node:http do.
 */

/** One stand-in per test file, closed after it. */
export function useStandIn(options: TwilioSandboxOptions = {}): () => Promise<TwilioSandbox> {
  let running: Promise<TwilioSandbox> | undefined;
  afterAll(async () => {
    if (running) await (await running).close();
  });
  return () => (running ??= startTwilioSandbox({ port: 0, voices: kitVoiceCatalog(), ...options }));
}

export function twilioConfigOf(s: TwilioSandbox, overrides: { authToken?: string } = {}) {
  return {
    accountSid: s.accountSid,
    authToken: overrides.authToken ?? s.authToken,
    workspaceSid: s.workspaceSid,
    apiBaseUrl: s.url,
  };
}

/** A kit client on the stand-in; retries are recorded and not waited for unless `wait`. */
export function clientOn(s: TwilioSandbox, options: TwilioClientOptions & { authToken?: string } = {}) {
  const delays: number[] = [];
  const client = createTwilioClient(twilioConfigOf(s, options), {
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
  return { client, delays };
}

/** A control route of the stand-in (JSON, not Twilio's). */
export async function control<T = Record<string, unknown>>(
  s: TwilioSandbox,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface PlacedCall {
  callSid: string;
  taskSid: string;
  reservationSid: string;
  workerSid: string;
}

/** An inbound call from `from` (silent: nobody streams or speaks), its task reserved to the first worker. */
export function placeCall(s: TwilioSandbox, from = '+34600000001', extra: Record<string, unknown> = {}) {
  return control<PlacedCall>(s, 'POST', '/sandbox/calls', { from, silent: true, ...extra });
}

/** A tiny HTTP server answering each request with `handler`; closed after the file. */
export function useRawServer(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): () => Promise<{ url: string; requests: { method: string; url: string; body: string }[] }> {
  let started:
    Promise<{ url: string; requests: { method: string; url: string; body: string }[] }> | undefined;
  const server = createServer();
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return () =>
    (started ??= new Promise((resolve) => {
      const requests: { method: string; url: string; body: string }[] = [];
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          requests.push({ method: req.method ?? '', url: req.url ?? '', body });
          handler(req, res, body);
        });
      });
      server.listen(0, '127.0.0.1', () =>
        resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }),
      );
    }));
}

/** The rejection of a promise that must fail. */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
