import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { parseConfigText, SANDBOX, type KitConfig } from '../../../src/config/index.js';
import { startDaspeakSandbox, type DaspeakSandbox } from '../../../src/sandbox/daspeak/index.js';
import { startTwilioSandbox, type TwilioSandbox } from '../../../src/sandbox/twilio/index.js';
import { kitVoiceCatalog } from '../../../src/sandbox/voices.js';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { createDatabase, type TestDatabase } from './databases.js';

export const ENCRYPTION_KEY = { id: 'k1', key: randomBytes(32).toString('base64') };
export const PUBLIC_URL = 'http://127.0.0.1:18081/';

/** The Twilio side of the local stack: the stand-in and the das-Peak emulator it streams calls to. */
export interface TwilioWorld {
  twilio: TwilioSandbox;
  daspeak: DaspeakSandbox;
  close(): Promise<void>;
}

export async function startTwilioWorld(): Promise<TwilioWorld> {
  const daspeak = await startDaspeakSandbox({ port: 0, host: '127.0.0.1', analysisWorkers: 0 });
  try {
    const twilio = await startTwilioSandbox({
      port: 0,
      host: '127.0.0.1',
      voices: kitVoiceCatalog(),
      mediaStreamUrl: daspeak.urls.twilio,
    });
    return {
      twilio,
      daspeak,
      close: async () => {
        await twilio.close();
        await daspeak.stop();
      },
    };
  } catch (err) {
    await daspeak.stop();
    throw err;
  }
}

/** A config file's content (before defaults) for a backend of Flex agents on the local world. */
export function twilioConfigObject(
  world: TwilioWorld,
  databaseUrl: string,
  extra: { backend?: Record<string, unknown>; widget?: Record<string, unknown> } = {},
  twilioSection: Record<string, unknown> = {},
): Record<string, unknown> {
  const { twilio, daspeak } = world;
  return {
    platform: 'twilio',
    twilio: {
      accountSid: twilio.accountSid,
      authToken: twilio.authToken,
      workspaceSid: twilio.workspaceSid,
      apiBaseUrl: twilio.url,
      mediaStreamUrl: daspeak.urls.twilio,
      ...twilioSection,
    },
    daspeak: {
      rest: { baseUrl: daspeak.urls.rest, apiKey: SANDBOX.daspeak.apiKey },
      socketio: { url: daspeak.urls.socketio },
      auth: {
        tokenUrl: daspeak.urls.token,
        clientId: SANDBOX.daspeak.clientId,
        clientSecret: SANDBOX.daspeak.clientSecret,
      },
      audiohook: {
        connectionUri: daspeak.urls.audiohook,
        apiKey: SANDBOX.daspeak.audiohookApiKey,
        clientSecret: SANDBOX.daspeak.audiohookClientSecret,
      },
      modelHash: SANDBOX.daspeak.modelHash,
    },
    backend: {
      publicUrl: PUBLIC_URL,
      databaseUrl,
      encryptionKeys: [ENCRYPTION_KEY],
      apiKeys: [`twilio-test-key-${randomBytes(8).toString('hex')}`],
      defaultCountry: 'ES',
      ...extra.backend,
    },
    widget: { signalling: 'direct', ...extra.widget },
  };
}

export function twilioConfig(
  world: TwilioWorld,
  databaseUrl: string,
  extra: { backend?: Record<string, unknown>; widget?: Record<string, unknown> } = {},
  twilioSection: Record<string, unknown> = {},
): KitConfig {
  return parseConfigText(
    stringify(twilioConfigObject(world, databaseUrl, extra, twilioSection)),
    'twilio-test.yaml',
    {
      env: {},
    },
  ).config;
}

/** A backend of Flex agents on its own database. */
export interface TwilioBackend {
  server: RunningServer;
  base: string;
  db: TestDatabase;
  config: KitConfig;
  close(): Promise<void>;
}

export async function startTwilioBackend(
  world: TwilioWorld,
  extra: { backend?: Record<string, unknown>; widget?: Record<string, unknown> } = {},
  twilioSection: Record<string, unknown> = {},
  database: 'sqlite' | 'postgres' = 'sqlite',
): Promise<TwilioBackend> {
  const db = await createDatabase(database);
  try {
    const config = twilioConfig(world, db.url, extra, twilioSection);
    const server = await startServer(config, { host: '127.0.0.1', port: 0 });
    return {
      server,
      base: server.url,
      db,
      config,
      close: async () => {
        await server.close();
        await db.drop();
      },
    };
  } catch (err) {
    await db.drop();
    throw err;
  }
}

async function control<T = Record<string, unknown>>(
  twilio: TwilioSandbox,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${twilio.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new Error(`stand-in answered ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A Flex token of a worker (identity or WK SID), as Flex gives `manager.user.token`. */
export async function flexToken(
  twilio: TwilioSandbox,
  worker?: string,
): Promise<{ token: string; workerSid: string }> {
  return control(twilio, 'POST', '/sandbox/flex/tokens', worker === undefined ? {} : { worker });
}

export async function expireFlexToken(twilio: TwilioSandbox, token: string): Promise<void> {
  await control(twilio, 'POST', '/sandbox/flex/tokens/expire', { token });
}

let callers = 0;
/** A new caller number for each call, so tests never share a caller (nor the emulator's replay memory). */
export const nextCaller = () => `+3467${String(++callers).padStart(7, '0')}`;

/**
 * An inbound call from `from` to the sandbox number: a voice task reserved to `worker` (default the
 * first worker), accepted unless `accept` is false. With `voice`, the caller speaks it (paced at
 * `speed`) over Media Streams to das-Peak; else the caller is silent.
 */
export async function placeCall(
  twilio: TwilioSandbox,
  from: string,
  o: { worker?: string; accept?: boolean; voice?: string; speed?: number } = {},
): Promise<{ callSid: string; taskSid: string; workerSid: string }> {
  return control(twilio, 'POST', '/sandbox/calls', {
    from,
    accept: o.accept ?? true,
    ...(o.worker !== undefined ? { worker: o.worker } : {}),
    ...(o.voice !== undefined ? { voice: o.voice, speed: o.speed ?? 20 } : { silent: true }),
  });
}

export async function hangUp(twilio: TwilioSandbox, callSid: string): Promise<void> {
  await control(twilio, 'POST', `/sandbox/calls/${callSid}/hangup`);
}

export async function acceptTask(twilio: TwilioSandbox, taskSid: string): Promise<void> {
  await control(twilio, 'POST', `/sandbox/tasks/${taskSid}/accept`);
}

/** The next `count` requests under `pathPrefix` answer `status` (the stand-in's faults). */
export async function fault(
  twilio: TwilioSandbox,
  rule: {
    status?: 429 | 500 | 503;
    count?: number;
    retryAfter?: number;
    delayMs?: number;
    pathPrefix?: string;
  },
): Promise<void> {
  await control(twilio, 'POST', '/sandbox/faults', rule);
}

export async function clearFaults(twilio: TwilioSandbox): Promise<void> {
  await control(twilio, 'DELETE', '/sandbox/faults');
}
