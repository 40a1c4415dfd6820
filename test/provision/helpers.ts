import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { exampleValues } from '../../src/config/example.js';
import { isKitError } from '../../src/errors.js';
import {
  provisionDeployment,
  type ProvisionOptions,
  type ProvisionOutcome,
} from '../../src/provision/index.js';
import { loadConfigFile } from '../../src/config/loader.js';
import type { KitConfig } from '../../src/config/schema.js';
import { createOfflineExecutor } from '../../src/sandbox/offline-executor.js';
import type { PlatformClientOptions } from '../../src/genesys/platform/index.js';
import {
  startGenesysSandbox,
  type GenesysSandbox,
  type GenesysSandboxOptions,
} from '../../src/sandbox/genesys/index.js';
import { genesysOf } from '../../src/config/platform.js';

/** The offline executor as the sandbox's data-action runner (short timeouts for tests). */
export const executor = createOfflineExecutor({ maxTimeoutMs: 5000 });

export async function startOrg(options: GenesysSandboxOptions = {}): Promise<GenesysSandbox> {
  return startGenesysSandbox({ port: 0, actionExecutor: executor, ...options });
}

export interface Workspace {
  dir: string;
  configPath: string;
  config: KitConfig;
  stateDir: string;
}

/**
 * A config file for the sandbox org (as `init --sandbox` writes it), pointed at this sandbox, in
 * `dir`; `patch` edits the values before they are written and loaded (defaults applied).
 */
export function workspace(
  sandbox: GenesysSandbox,
  dir: string,
  patch: (values: Record<string, unknown>) => void = () => undefined,
): Workspace {
  const values = exampleValues({ sandbox: true, queues: ['Support'] }) as Record<
    string,
    Record<string, unknown>
  >;
  values.genesys!.baseUrl = sandbox.url;
  values.widget = { queues: ['Support'], groups: ['Sandbox Agents'] };
  patch(values);
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'daspeak-genesys.yaml');
  writeFileSync(configPath, stringify(values), { mode: 0o600 });
  const { config } = loadConfigFile(configPath, { env: {} });
  return { dir, configPath, config, stateDir: join(dir, '.daspeak-genesys') };
}

/**
 * The one step a Genesys admin does by hand in Admin > OAuth: giving the provisioning client the
 * kit's role, so it may assign that role to the client it creates (Genesys lets a caller assign only
 * roles it holds). The Platform API refuses that grant to the provisioner itself, so the test takes
 * the admin's place through the sandbox's control route for that UI step (`POST /sandbox/grants`).
 */
export async function adminGrantsRole(
  sandbox: GenesysSandbox,
  clientId: string,
  roleName: string,
): Promise<void> {
  const role = sandbox.state.roles.find((r) => r.name === roleName);
  if (!role) throw new Error(`cannot grant ${roleName} to ${clientId}: no such role`);
  const res = await fetch(`${sandbox.url}/sandbox/grants`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ subject: { type: 'client', id: clientId }, roleId: role.id }),
  });
  if (res.status !== 200) {
    throw new Error(`cannot grant ${roleName} to ${clientId}: ${res.status} ${await res.text()}`);
  }
}

/** Options for a platform client whose waits move a manual clock instead of sleeping. */
export function fastPlatform(
  clock: { now(): number; advance(ms: number): void },
  delays: number[] = [],
): PlatformClientOptions {
  return {
    clock: () => clock.now(),
    sleep: async (ms) => {
      delays.push(ms);
      clock.advance(ms);
    },
    random: () => 0.5,
  };
}

export const opts = (ws: Workspace, extra: Partial<ProvisionOptions> = {}): ProvisionOptions => ({
  config: ws.config,
  configPath: ws.configPath,
  stateDir: ws.stateDir,
  ...extra,
});

/** Whether an error is the stop Genesys' role rule causes (the provisioning client lacks the kit role). */
export function isRoleNotHeld(err: unknown): boolean {
  return isKitError(err) && (err.code === 'provision.role_not_held' || err.message.includes('does not hold'));
}

/**
 * A provision as a new user lives it: the first run creates everything but the client-credentials
 * client and stops with the admin step; the admin gives the provisioning client the kit role; the
 * next run completes.
 */
export async function provisionReady(
  sandbox: GenesysSandbox,
  ws: Workspace,
  extra: Partial<ProvisionOptions> = {},
): Promise<ProvisionOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await provisionDeployment(opts(ws, extra));
    } catch (err) {
      if (!isRoleNotHeld(err) || attempt > 2) throw err;
      await adminGrantsRole(sandbox, genesysOf(ws.config).clientId, `${ws.config.prefix} Integration`);
    }
  }
}

/** Raw Platform API calls as the sandbox admin (what a person editing the org by hand does). */
export async function adminApi(sandbox: GenesysSandbox) {
  const basic = Buffer.from(`${sandbox.adminClient.id}:${sandbox.adminClient.secret}`).toString('base64');
  const login = await fetch(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  return async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

/** Names of the org's objects in the kit's namespace, by kind, from the sandbox's records. */
export function kitObjects(sandbox: GenesysSandbox, prefix = 'daspeak') {
  const mine = (n: string | undefined) => typeof n === 'string' && n.startsWith(`${prefix} `);
  const st = sandbox.state;
  return {
    roles: st.roles.filter((r) => mine(r.name)),
    clients: st.oauthClients.filter((c) => mine(c.name)),
    credentials: st.credentials.filter((c) => mine(c.name)),
    integrations: st.integrations.filter((i) => mine(i.config.name)),
    actions: st.actions.filter((a) => mine(a.published?.name ?? a.draft?.name)),
  };
}
