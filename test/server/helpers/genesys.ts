import {
  startGenesysSandbox,
  type GenesysSandbox,
  type GenesysSandboxOptions,
} from '../../../src/sandbox/genesys/index.js';

export const AGENT = 'agent@sandbox.example';
export const AGENT_2 = 'agent2@sandbox.example';
export const WIDGET_REDIRECT = 'http://127.0.0.1:18080/';

export function startGenesys(options: GenesysSandboxOptions = {}): Promise<GenesysSandbox> {
  return startGenesysSandbox({ port: 0, host: '127.0.0.1', rateLimitPerMinute: 100_000, ...options });
}

async function json(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new Error(`sandbox answered ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

/** A client-credentials token of the sandbox admin client (an org token, not an agent's). */
export async function adminToken(sandbox: GenesysSandbox): Promise<string> {
  const basic = Buffer.from(`${sandbox.adminClient.id}:${sandbox.adminClient.secret}`).toString('base64');
  const res = await fetch(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return (await json(res)).access_token as string;
}

/** Creates the widget's implicit-grant OAuth client, as provisioning would. */
export async function createWidgetClient(sandbox: GenesysSandbox, validitySeconds = 86_400): Promise<string> {
  const token = await adminToken(sandbox);
  const res = await fetch(`${sandbox.url}/api/v2/oauth/clients`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name: `widget-${Math.random().toString(36).slice(2)}`,
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: [WIDGET_REDIRECT],
      scope: ['conversations:readonly', 'users:readonly'],
      accessTokenValiditySeconds: validitySeconds,
    }),
  });
  return (await json(res)).id as string;
}

/** An agent's token through the implicit grant: the authorize redirect's fragment. */
export async function agentToken(sandbox: GenesysSandbox, clientId: string, email = AGENT): Promise<string> {
  const url = new URL(`${sandbox.url}/oauth/authorize`);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: WIDGET_REDIRECT,
    response_type: 'token',
    login_hint: email,
    state: 'test',
  }).toString();
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location)
    throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
  const fragment = new URLSearchParams(new URL(location).hash.slice(1));
  const token = fragment.get('access_token');
  if (!token) throw new Error(`authorize redirected without a token: ${location}`);
  return token;
}

/** A connected conversation of `ani` answered by `agent` (an email); returns its id. */
export async function startConversation(
  sandbox: GenesysSandbox,
  ani: string,
  agent: string | null = AGENT,
): Promise<string> {
  const res = await fetch(`${sandbox.url}/sandbox/conversations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ani, queue: 'Support', agent }),
  });
  return (await json(res)).id as string;
}

export async function disconnectConversation(sandbox: GenesysSandbox, conversationId: string): Promise<void> {
  const res = await fetch(`${sandbox.url}/sandbox/conversations/${conversationId}/disconnect`, {
    method: 'POST',
  });
  await json(res);
}
