import { io, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { probeAudiohook } from '../audiohook/client/index.js';
import type { KitConfig } from '../config/schema.js';
import { createTokenProvider, namespaceUrl, type AccessToken } from '../daspeak/index.js';
import { isKitError, KitError } from '../errors.js';
import { isGenesysApiError } from '../genesys/platform/index.js';
import {
  INTEGRATION_TYPES,
  listIntegrations,
  listRoles,
  maxInstances,
  names,
  widgetPageUrl,
} from '../genesys/resources/index.js';
import { openDeployment, type Deployment } from './deployment.js';
import { grantInstructions } from './grant.js';
import { codeInText, describeRequestFailure, networkProblem } from './network.js';
import { planOn, type Options } from './operations.js';
import { audiohookOf, genesysOf } from '../config/platform.js';
import { twilioChecks } from './doctor-twilio.js';

/**
 * `doctor`: one line per check, a fix for each failure. Checks never throw; a check that depends on
 * another that failed is skipped and says which.
 */

import type { CheckResult, CheckStatus } from './check-result.js';

export type { CheckResult, CheckStatus } from './check-result.js';

export interface DoctorOptions extends Options {
  /** Per-check time limit for network checks. Default 10 s. */
  timeoutMs?: number;
}

/** What the provisioning client must be allowed to do (its roles' permissions). */
export const PROVISIONER_PERMISSIONS: readonly string[] = [
  'authorization:division:view',
  'authorization:role:add',
  'authorization:role:delete',
  'authorization:role:edit',
  'authorization:role:view',
  'directory:group:view',
  'integrations:action:add',
  'integrations:action:delete',
  'integrations:action:edit',
  'integrations:action:view',
  'integrations:integration:add',
  'integrations:integration:delete',
  'integrations:integration:edit',
  'integrations:integration:view',
  'oauth:client:add',
  'oauth:client:delete',
  'oauth:client:edit',
  'oauth:client:view',
  'routing:queue:edit',
  'routing:queue:view',
];

/** Whether `held` (domain:entity:action, `*` allowed in entity and action) grants `wanted`. */
export function grants(held: string[], wanted: string): boolean {
  const [d, e, a] = wanted.split(':');
  return held.some((h) => {
    const [hd, he, ha] = h.split(':');
    return (hd === d || hd === '*') && (he === e || he === '*') && (ha === a || ha === '*');
  });
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const hintOf = (err: unknown) => (isKitError(err) ? err.hint : undefined);

async function attempt(id: string, fn: () => Promise<CheckResult>, fix?: string): Promise<CheckResult> {
  try {
    return await fn();
  } catch (err) {
    const hint = hintOf(err) ?? fix;
    return { id, status: 'fail', detail: message(err), ...(hint ? { fix: hint } : {}) };
  }
}

const skip = (id: string, because: string): CheckResult => ({
  id,
  status: 'skip',
  detail: `needs ${because}`,
});

/** fetch with a time limit; a failure names the URL and the likely cause, never just "fetch failed". */
async function fetchWithin(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new KitError('doctor.unreachable', describeRequestFailure(url, err, timeoutMs), { cause: err });
  }
}

// --- Genesys ----------------------------------------------------------------------------------------

async function genesysChecks(d: Deployment): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const me = await d.org.lookups.identity();
  out.push({
    id: 'genesys.login',
    status: 'ok',
    detail: `logged in as client ${me.clientId ?? genesysOf(d.config).clientId} to organization ${d.organizationId ?? '(unknown)'}`,
  });

  out.push(
    await attempt('genesys.permissions', async () => {
      if (me.grantType !== 'CLIENT-CREDENTIALS') {
        return {
          id: 'genesys.permissions',
          status: 'warn',
          detail: `the token is not a client-credentials token (${me.grantType ?? 'unknown grant'}); its permissions cannot be read here`,
        };
      }
      let all;
      try {
        all = await listRoles(d.org);
      } catch (err) {
        if (!(isGenesysApiError(err) && err.status === 403)) throw err;
        // Without authorization:role:view the client cannot even see its own roles.
        return {
          id: 'genesys.permissions',
          status: 'fail',
          detail: `client ${genesysOf(d.config).clientId} may not read roles (${err.genesysMessage ?? 'HTTP 403'})`,
          fix: `give a role of client ${genesysOf(d.config).clientId} these permissions: ${PROVISIONER_PERMISSIONS.join(', ')}`,
        };
      }
      const roles = all.filter((r) => me.roleIds.includes(r.id));
      const held = roles.flatMap((r) => r.permissions);
      const missing = PROVISIONER_PERMISSIONS.filter((p) => !grants(held, p));
      if (missing.length > 0) {
        return {
          id: 'genesys.permissions',
          status: 'fail',
          detail: `client ${genesysOf(d.config).clientId} lacks ${missing.join(', ')}`,
          fix: `add them to one of its roles (${roles.map((r) => `"${r.name}"`).join(', ') || 'none'}) in Admin > Roles / Permissions`,
        };
      }
      return {
        id: 'genesys.permissions',
        status: 'ok',
        detail: `${PROVISIONER_PERMISSIONS.length} permissions the kit needs, through ${roles.map((r) => `"${r.name}"`).join(', ')}`,
      };
    }),
  );

  out.push(
    await attempt('genesys.kit_role', async () => {
      const n = names(d.config);
      const role = (await listRoles(d.org)).find((r) => r.name === n.role);
      if (!role) {
        return {
          id: 'genesys.kit_role',
          status: 'skip',
          detail: `the role "${n.role}" does not exist yet (provision creates it)`,
        };
      }
      if (me.grantType === 'CLIENT-CREDENTIALS' && !me.roleIds.includes(role.id)) {
        return {
          id: 'genesys.kit_role',
          status: 'warn',
          detail: `client ${genesysOf(d.config).clientId} does not hold "${n.role}", so it cannot create "${n.backendClient}"`,
          fix: `add "${n.role}" to client ${genesysOf(d.config).clientId} in Admin > OAuth > Roles (Home division)`,
        };
      }
      return {
        id: 'genesys.kit_role',
        status: 'ok',
        detail: `client ${genesysOf(d.config).clientId} holds "${n.role}"`,
      };
    }),
  );

  out.push(
    await attempt('genesys.audiohook_capacity', async () => {
      const max = await maxInstances(d.org, INTEGRATION_TYPES.audiohook);
      const all = (await listIntegrations(d.org)).filter((i) => i.typeId === INTEGRATION_TYPES.audiohook);
      const ours = all.some((i) => i.name === names(d.config).audiohook);
      const shown = `${all.length} of ${max ?? 'unlimited'} Audiohook integrations in use`;
      if (ours)
        return { id: 'genesys.audiohook_capacity', status: 'ok', detail: `${shown}, one of them the kit's` };
      if (max !== undefined && all.length >= max) {
        return {
          id: 'genesys.audiohook_capacity',
          status: 'fail',
          detail: `${shown}: no room for the kit's (${all.map((i) => `"${i.name}"`).join(', ')})`,
          fix: 'delete an Audiohook integration you no longer use, or ask Genesys to raise the limit',
        };
      }
      return { id: 'genesys.audiohook_capacity', status: 'ok', detail: `${shown}; room for the kit's` };
    }),
  );
  return out;
}

async function planCheck(d: Deployment): Promise<CheckResult> {
  return attempt('provision.plan', async () => {
    if (d.isNew) {
      return {
        id: 'provision.plan',
        status: 'fail',
        detail: `nothing provisioned from ${d.paths.stateDir} yet`,
        fix: 'run daspeak-genesys provision',
      };
    }
    const { report } = await planOn(d);
    const c = report.counts;
    const grant = report.adminGrant;
    if (grant?.roleId && c.create + c.update > 0) {
      // A first provision that stopped at the admin grant: running it again alone changes nothing.
      const how = grantInstructions(grant);
      return {
        id: 'provision.plan',
        status: 'fail',
        detail: `provision stopped at the admin grant: "${grant.blocks}" and ${c.create + c.update - 1} more change(s) wait for it`,
        fix: `give client ${grant.clientId} the role "${grant.roleName}" (${how.ui}; or ${how.kit}), then run daspeak-genesys provision`,
      };
    }
    const pending = c.create + c.update + c.delete + c.conflict;
    if (pending === 0) {
      return {
        id: 'provision.plan',
        status: 'ok',
        detail: `nothing to do: ${c.noop} objects as the config says`,
      };
    }
    return {
      id: 'provision.plan',
      status: 'fail',
      detail: `plan is not empty: ${c.create} to create, ${c.update} to update, ${c.delete} to delete, ${c.conflict} conflicts`,
      fix: c.conflict > 0 ? 'run daspeak-genesys plan to see the conflicts' : 'run daspeak-genesys provision',
    };
  });
}

// --- das-Peak ---------------------------------------------------------------------------------------

function socketCheck(config: KitConfig, token: AccessToken, timeoutMs: number): Promise<CheckResult> {
  const s = config.daspeak.socketio;
  const url = namespaceUrl(s.url, s.verifyNamespace);
  const opts: Partial<ManagerOptions & SocketOptions> = {
    path: s.path,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: timeoutMs,
  };
  if (s.tokenTransport === 'auth') opts.auth = { token: token.accessToken };
  else if (s.tokenTransport === 'query') opts.query = { access_token: token.accessToken };
  else opts.extraHeaders = { Authorization: `${token.tokenType} ${token.accessToken}` };
  return new Promise((resolve) => {
    const socket = io(url, opts);
    const done = (r: CheckResult) => {
      socket.disconnect();
      resolve(r);
    };
    socket.on('connect', () =>
      done({ id: 'daspeak.socketio', status: 'ok', detail: `connected to ${url} with a token` }),
    );
    socket.on('connect_error', (err: Error & { description?: unknown }) => {
      const network = networkProblem(url, err.description ?? err, timeoutMs);
      done({
        id: 'daspeak.socketio',
        status: 'fail',
        detail: network
          ? `${url}: ${network.what} (${network.likely})`
          : `${url} refused the connection: ${err.message}`,
        fix: 'check daspeak.socketio.url, path, namespaces and tokenTransport',
      });
    });
  });
}

async function daspeakChecks(
  config: KitConfig,
  organizationId: string | undefined,
  timeoutMs: number,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const d = config.daspeak;
  let token: AccessToken | undefined;
  out.push(
    await attempt(
      'daspeak.token',
      async () => {
        try {
          token = await createTokenProvider({ ...d.auth, timeoutMs }).getToken();
        } catch (err) {
          if (!networkProblem(d.auth.tokenUrl, err, timeoutMs)) throw err;
          throw new KitError('doctor.unreachable', describeRequestFailure(d.auth.tokenUrl, err, timeoutMs), {
            cause: err,
            hint: 'check daspeak.auth.tokenUrl and that das-Peak (or the sandbox) runs there',
          });
        }
        const seconds = Math.round((token.expiresAt - Date.now()) / 1000);
        return {
          id: 'daspeak.token',
          status: 'ok',
          detail: `${d.auth.tokenUrl} issued a token (valid ${seconds} s)`,
        };
      },
      'check daspeak.auth.tokenUrl, clientId and clientSecret',
    ),
  );

  out.push(
    await attempt(
      'daspeak.rest',
      async () => {
        // A session that cannot exist: a 404 says the API is there and took the key.
        const url = `${d.rest.baseUrl.replace(/\/+$/, '')}/v1/verify_session/daspeak-genesys-doctor`;
        const res = await fetchWithin(
          url,
          { headers: { apikey: d.rest.apiKey, Accept: 'application/json' } },
          timeoutMs,
        );
        if (res.status === 401 || res.status === 403) {
          return {
            id: 'daspeak.rest',
            status: 'fail',
            detail: `${d.rest.baseUrl} refused the API key (HTTP ${res.status})`,
            fix: 'check daspeak.rest.apiKey',
          };
        }
        if (res.status === 404 || res.ok) {
          return {
            id: 'daspeak.rest',
            status: 'ok',
            detail: `${d.rest.baseUrl} answers and accepts the API key`,
          };
        }
        return {
          id: 'daspeak.rest',
          status: 'fail',
          detail: `${d.rest.baseUrl} answered HTTP ${res.status}`,
          fix: 'check daspeak.rest.baseUrl',
        };
      },
      'check daspeak.rest.baseUrl and the network path to it',
    ),
  );

  out.push(
    token
      ? await attempt('daspeak.socketio', () => socketCheck(config, token!, timeoutMs))
      : skip('daspeak.socketio', 'daspeak.token'),
  );

  // Audiohook is how Genesys streams; a Twilio deployment streams through Media Streams instead.
  if (config.platform === 'twilio') return out;
  const audiohook = audiohookOf(config);
  out.push(
    await attempt(
      'daspeak.audiohook',
      async () => {
        // Genesys' own connection probe, signed with the credential the integration carries.
        const result = await probeAudiohook({
          uri: audiohook.connectionUri,
          apiKey: audiohook.apiKey,
          clientSecret: audiohook.clientSecret,
          organizationId: organizationId ?? '00000000-0000-0000-0000-000000000000',
          timeouts: { connect: timeoutMs, open: timeoutMs, close: timeoutMs },
        });
        if (result.opened) {
          return {
            id: 'daspeak.audiohook',
            status: 'ok',
            detail: `${audiohook.connectionUri} accepted a signed probe`,
          };
        }
        const why =
          result.httpStatus !== null
            ? `HTTP ${result.httpStatus}`
            : result.disconnect
              ? `disconnect ${result.disconnect.reason}${result.disconnect.info ? ` (${result.disconnect.info})` : ''}`
              : (result.errors[0]?.message ?? `ended in state ${result.state}`);
        const auth = result.httpStatus === 401 || result.disconnect?.reason === 'unauthorized';
        const network =
          result.httpStatus === null && !result.disconnect
            ? networkProblem(audiohook.connectionUri, codeInText(result.errors[0]?.message), timeoutMs)
            : undefined;
        if (network) {
          return {
            id: 'daspeak.audiohook',
            status: 'fail',
            detail: `${audiohook.connectionUri}: ${network.what} (${network.likely})`,
            fix: 'check daspeak.audiohook.connectionUri',
          };
        }
        return {
          id: 'daspeak.audiohook',
          status: 'fail',
          detail: `${audiohook.connectionUri} refused the probe: ${why}`,
          fix: auth
            ? 'check daspeak.audiohook.apiKey and clientSecret'
            : 'check daspeak.audiohook.connectionUri',
        };
      },
      'check daspeak.audiohook.connectionUri and the network path to it',
    ),
  );
  return out;
}

// --- backend ----------------------------------------------------------------------------------------

async function backendChecks(config: KitConfig, timeoutMs: number): Promise<CheckResult[]> {
  const base = config.backend.publicUrl.endsWith('/')
    ? config.backend.publicUrl
    : `${config.backend.publicUrl}/`;
  const health = await attempt(
    'backend.health',
    async () => {
      const res = await fetchWithin(`${base}healthz`, {}, timeoutMs);
      if (res.status === 200) return { id: 'backend.health', status: 'ok', detail: `${base}healthz answers` };
      return {
        id: 'backend.health',
        status: 'fail',
        detail: `${base}healthz answered HTTP ${res.status}`,
        fix: 'check that daspeak-genesys serve runs behind backend.publicUrl',
      };
    },
    'start the backend (daspeak-genesys serve) and check backend.publicUrl',
  );
  if (health.status !== 'ok') return [health, skip('backend.widget', 'backend.health')];
  const widget = await attempt('backend.widget', async () => {
    const url = widgetPageUrl(config);
    const res = await fetchWithin(url, {}, timeoutMs);
    if (res.status === 200)
      return { id: 'backend.widget', status: 'ok', detail: `${url} serves the widget page` };
    const body = await res.text().catch(() => '');
    if (res.status === 404 && /widget\.not_built/.test(body)) {
      // A backend without the bundle works for the IVR; only the agent widget is missing.
      return {
        id: 'backend.widget',
        status: 'warn',
        detail: `${url}: the widget bundle is not built (widget/dist is missing), so agents see no widget`,
        fix: 'run npm run build (it builds widget/dist), then restart the backend',
      };
    }
    return {
      id: 'backend.widget',
      status: 'fail',
      detail: `${url} answered HTTP ${res.status}`,
      fix: 'check backend.publicUrl and that daspeak-genesys serve runs behind it',
    };
  });
  return [health, widget];
}

/** Runs every check; the config itself was checked by loading it. */
export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (options.config.platform === 'twilio') {
    return [
      ...(await twilioChecks(options.config, timeoutMs)),
      ...(await daspeakChecks(options.config, undefined, timeoutMs)),
      ...(await backendChecks(options.config, timeoutMs)),
    ];
  }
  const results: CheckResult[] = [];
  let deployment: Deployment | undefined;
  try {
    deployment = await openDeployment({ ...options, mode: 'read' });
  } catch (err) {
    const where =
      genesysOf(options.config).baseUrl ?? `https://login.${genesysOf(options.config).region ?? ''}`;
    const network =
      networkProblem(where, err, timeoutMs) ?? networkProblem(where, codeInText(message(err)), timeoutMs);
    results.push({
      id: 'genesys.login',
      status: 'fail',
      detail: network ? `${message(err)} (${network.likely})` : message(err),
      fix: hintOf(err) ?? 'check genesys.region or genesys.baseUrl, clientId and clientSecret',
    });
  }
  try {
    if (deployment) results.push(...(await genesysChecks(deployment)));
    else {
      for (const id of ['genesys.permissions', 'genesys.kit_role', 'genesys.audiohook_capacity'])
        results.push(skip(id, 'genesys.login'));
    }
    results.push(...(await daspeakChecks(options.config, deployment?.organizationId, timeoutMs)));
    results.push(...(await backendChecks(options.config, timeoutMs)));
    results.push(deployment ? await planCheck(deployment) : skip('provision.plan', 'genesys.login'));
  } finally {
    deployment?.close();
  }
  return results;
}

const LABEL: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

export function formatDoctor(results: CheckResult[]): string[] {
  const width = Math.max(...results.map((r) => r.id.length));
  return results.flatMap((r) => [
    `${LABEL[r.status]}  ${r.id.padEnd(width)}  ${r.detail}`,
    ...(r.fix && r.status !== 'ok' ? [`${' '.repeat(6 + width)}  fix: ${r.fix}`] : []),
  ]);
}
