import { createHash } from 'node:crypto';
import platformClient from 'purecloud-platform-client-v2';
import { afterEach, expect } from 'vitest';
import {
  listenAudiohook,
  type ListeningAudiohookServer,
  type OpenParameters,
} from '../../../src/audiohook/index.js';
import {
  startGenesysSandbox,
  type GenesysSandbox,
  type GenesysSandboxOptions,
} from '../../../src/sandbox/genesys/index.js';

export type SdkClient = InstanceType<typeof platformClient.ApiClientClass>;

/** A sandbox on 127.0.0.1, a free port. */
export function startSandbox(options: GenesysSandboxOptions = {}): Promise<GenesysSandbox> {
  return startGenesysSandbox({ port: 0, host: '127.0.0.1', ...options });
}

/**
 * Sandboxes for the tests of one file: `start()` starts one on a free port, and every sandbox
 * started in a test (and every Audiohook receiver in `servers`) is stopped after it.
 */
export function useSandboxes(): {
  start: (options?: GenesysSandboxOptions) => Promise<GenesysSandbox>;
  servers: ListeningAudiohookServer[];
} {
  const running: GenesysSandbox[] = [];
  const servers: ListeningAudiohookServer[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    start: async (options = {}) => {
      const s = await startSandbox(options);
      running.push(s);
      return s;
    },
    servers,
  };
}

/** A fresh SDK client pointed at the sandbox (never the SDK singleton), not logged in. */
export function sdkFor(sandbox: GenesysSandbox): SdkClient {
  const client = new platformClient.ApiClientClass();
  client.config.setConfigPath('');
  client.setGateway({ host: '127.0.0.1', port: sandbox.port, protocol: 'http' });
  return client;
}

/** An SDK client logged in with the admin client. */
export async function adminSdk(sandbox: GenesysSandbox): Promise<SdkClient> {
  const client = sdkFor(sandbox);
  await client.loginClientCredentialsGrant(sandbox.adminClient.id, sandbox.adminClient.secret);
  return client;
}

/** A client-credentials token by plain fetch. */
export async function tokenFor(sandbox: GenesysSandbox, id: string, secret: string): Promise<string> {
  const res = await fetch(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  if (res.status !== 200) throw new Error(`token request answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export const adminToken = (sandbox: GenesysSandbox) =>
  tokenFor(sandbox, sandbox.adminClient.id, sandbox.adminClient.secret);

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** A Platform API call by plain fetch, with a bearer token and an optional JSON body. */
export async function call<T = Record<string, unknown>>(
  sandbox: GenesysSandbox,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
}

/** What the SDK rejects with (no extended responses): the Genesys error body itself. */
export interface SdkError {
  code: string;
  message: string;
  status: number;
  contextId: string;
  details: { errorCode?: string; fieldName?: string }[];
  errors: unknown[];
}

export async function sdkFailure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected the SDK call to fail');
}

/** A PKCE verifier and its S256 challenge (RFC 7636 §4.1–4.2). */
export function pkcePair(seed = Math.random().toString(36)): { verifier: string; challenge: string } {
  const verifier = createHash('sha256').update(seed).digest('base64url') + 'x'.repeat(10);
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Creates an authorization-code-with-PKCE client (the widget's, as provisioning makes it). */
export async function createPkceClient(
  sandbox: GenesysSandbox,
  token: string,
  redirects: string[],
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await call<{ id: string }>(sandbox, token, 'POST', '/api/v2/oauth/clients', {
    name: `pkce-${Math.random().toString(36).slice(2)}`,
    authorizedGrantType: 'PKCE',
    registeredRedirectUri: redirects,
    scope: ['conversations:readonly', 'user-basic-info'],
    ...extra,
  });
  if (res.status !== 200) throw new Error(`cannot create the PKCE client: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/**
 * Signs a user in on the org's sign-in form (a POST of the form, as the browser sends it) and returns
 * the authorization code from the redirect, with the redirect URL and the sign-in session cookie.
 */
export async function signInForCode(
  sandbox: GenesysSandbox,
  params: Record<string, string>,
  email: string,
  password = sandbox.agents[0]!.password,
): Promise<{ code: string; location: URL; cookie: string }> {
  const res = await fetch(`${sandbox.url}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ response_type: 'code', ...params, username: email, password }).toString(),
  });
  if (res.status !== 302) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const location = new URL(res.headers.get('location')!);
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`sign-in redirected without a code: ${location.href}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { code, location, cookie };
}

/** `POST /oauth/token` with a form body; answers status and JSON. */
export async function tokenRequest(
  sandbox: GenesysSandbox,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

export const AUDIOHOOK_API_KEY = 'sandbox-audiohook-key';
export const AUDIOHOOK_SECRET = Buffer.from('sandbox-audiohook-client-secret!').toString('base64');

/**
 * A receiving Audiohook endpoint that records each session's `open` and the seconds of audio it
 * received per conversation; closed by whoever owns `servers`.
 */
export async function audiohookReceiver(servers: ListeningAudiohookServer[], secret = AUDIOHOOK_SECRET) {
  const opens: OpenParameters[] = [];
  const received = new Map<string, number>();
  const server = await listenAudiohook({
    auth: { credentials: { [AUDIOHOOK_API_KEY]: secret }, failureDelayMs: 0 },
    hooks: {
      onOpen: (_session, open) => {
        opens.push(open);
      },
      onAudio: (session, frame) => {
        const id = session.openParameters?.conversationId ?? '';
        received.set(id, (received.get(id) ?? 0) + frame.duration);
      },
    },
  });
  servers.push(server);
  return { server, opens, seconds: (conversationId: string) => received.get(conversationId) ?? 0 };
}

/** Provisions an enabled audiohook integration (credential, config, enable) through the API. */
export async function audiohookIntegration(
  s: GenesysSandbox,
  token: string,
  uri: string,
  properties: Record<string, unknown> = {},
) {
  const integration = await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations', {
    name: 'VB AudioHook',
    integrationType: { id: 'audiohook' },
  });
  const cred = await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations/credentials', {
    name: 'hook',
    type: { name: 'audioHook' },
    credentialFields: { apiKey: AUDIOHOOK_API_KEY, clientSecret: AUDIOHOOK_SECRET },
  });
  const put = await call(s, token, 'PUT', `/api/v2/integrations/${integration.body.id}/config/current`, {
    name: 'VB AudioHook',
    version: 1,
    properties: { channel: 'both', connectionUri: uri, ...properties },
    advanced: { tenant: 'demo' },
    credentials: { audioHook: { id: cred.body.id } },
  });
  expect(put.status).toBe(200);
  const enabled = await call<{ reportedState: { code: string } }>(
    s,
    token,
    'PATCH',
    `/api/v2/integrations/${integration.body.id}`,
    {
      intendedState: 'ENABLED',
    },
  );
  expect(enabled.body.reportedState.code).toBe('ACTIVE');
  return integration.body.id;
}

export async function monitorQueue(s: GenesysSandbox, token: string, name: string) {
  const q = s.state.queues.find((x) => x.name === name)!;
  await call(s, token, 'PUT', `/api/v2/routing/queues/${q.id}`, { name, enableAudioMonitoring: true });
}
