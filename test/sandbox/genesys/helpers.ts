import platformClient from 'purecloud-platform-client-v2';
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
