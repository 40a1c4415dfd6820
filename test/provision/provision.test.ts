import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownerFromText } from '../../src/genesys/engine/ownership.js';
import { loadState } from '../../src/genesys/engine/state.js';
import type { KitConfig } from '../../src/config/schema.js';
import { Engine } from '../../src/genesys/engine/engine.js';
import {
  kitKinds,
  KIT_ROLE_PERMISSIONS,
  templateKeys,
  type GenesysOrg,
} from '../../src/genesys/resources/index.js';
import {
  destroyDeployment,
  openDeployment,
  planDeployment,
  provisionDeployment,
  provisionedOutputs,
} from '../../src/provision/index.js';
import type { GenesysSandbox } from '../../src/sandbox/genesys/index.js';
import { useTmpDir } from '../helpers/tmp.js';
import {
  adminApi,
  adminGrantsRole,
  isRoleNotHeld,
  kitObjects,
  opts,
  provisionReady,
  startOrg,
  workspace,
} from './helpers.js';

/*
 * Provisioning against the local Genesys sandbox org, through the real platform client and SDK over
 * HTTP. What the org holds is read from the sandbox's records; what is sent is counted by it.
 */

const running: GenesysSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});
const tmp = useTmpDir();

async function org(options: Parameters<typeof startOrg>[0] = {}) {
  const s = await startOrg(options);
  running.push(s);
  return s;
}

const ACTIONS = templateKeys().length;
/** role, 2 credentials, 3 integrations, the actions, 1 queue, 2 OAuth clients. */
// role, credentials, integrations, data actions, the queue setting, OAuth clients, and the three flows.
const OBJECTS = 1 + 2 + 3 + ACTIONS + 1 + 2 + 3;

const queue = (s: GenesysSandbox, name: string) => s.state.queues.find((q) => q.name === name)!;

describe('provision against a fresh sandbox org', () => {
  it('plans everything, stops only at the admin step, then completes; every object carries the deployment', async () => {
    const s = await org();
    const ws = workspace(s, tmp());
    const planned = await planDeployment(opts(ws));
    expect(planned.report.counts).toMatchObject({ create: OBJECTS, update: 0, delete: 0, conflict: 0 });
    expect(planned.report.newDeployment).toBe(true);
    expect(planned.report.blockers.map((b) => b.code)).toEqual(['provision.role_not_held']);
    // The plan masks every secret of the config.
    const shown = JSON.stringify(planned.report);
    for (const secret of [
      ws.config.daspeak.audiohook!.apiKey,
      ws.config.daspeak.audiohook!.clientSecret,
      ws.config.daspeak.rest.apiKey,
      ws.config.backend.apiKeys[0]!,
    ]) {
      expect(shown).not.toContain(secret);
    }
    expect(shown).toContain('(secret)');
    expect(s.requestCounts().writes).toBe(0);

    // First run: everything but the client-credentials client, then the admin step is asked for.
    const first = provisionDeployment(opts(ws));
    await expect(first).rejects.toMatchObject({ code: 'provision.role_not_held' });
    await first.catch((err: unknown) => {
      expect(isRoleNotHeld(err)).toBe(true);
      expect((err as { hint: string }).hint).toMatch(
        /Admin > Integrations > OAuth > client sandbox-admin-client > Roles/,
      );
    });
    expect(kitObjects(s).clients.map((c) => c.name)).toEqual(['daspeak Widget']);
    await adminGrantsRole(s, s.adminClient.id, 'daspeak Integration');
    const done = await provisionDeployment(opts(ws));
    expect(done.result).toMatchObject({ created: 1, updated: 0, deleted: 0, unchanged: OBJECTS - 1 });
    expect(done.newSecrets).toEqual(['oauth-client/daspeak Backend']);

    const state = loadState(join(ws.stateDir, 'state.json'))!;
    const dep = state.deploymentId;
    expect(dep).toMatch(/^daspeak-[0-9a-f]{8}$/);
    expect(state.organizationId).toBe(s.organizationId);
    expect(Object.keys(state.objects)).toHaveLength(OBJECTS);
    const objs = kitObjects(s);

    // The role: only the kit's permissions, marked with the deployment.
    expect(objs.roles).toHaveLength(1);
    const role = objs.roles[0]!;
    expect(ownerFromText(role.description)).toBe(dep);
    expect(
      role.permissionPolicies
        .flatMap((p) => p.actionSet.map((a) => `${p.domain}:${p.entityName}:${a}`))
        .sort(),
    ).toEqual([...KIT_ROLE_PERMISSIONS].sort());

    // OAuth clients: the widget's authorization code with PKCE, back to the widget page or its sign-in
    // popup's page (test/genesys/resources/widget-client.test.ts); the backend's with the role.
    const home = s.state.divisions.find((d) => d.homeDivision)!.id;
    const widgetClient = objs.clients.find((c) => c.name === 'daspeak Widget')!;
    expect(widgetClient).toMatchObject({
      authorizedGrantType: 'PKCE',
      registeredRedirectUri: ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080/auth-popup.html'],
      state: 'active',
    });
    expect(ownerFromText(widgetClient.description)).toBe(dep);
    const backend = objs.clients.find((c) => c.name === 'daspeak Backend')!;
    expect(backend).toMatchObject({
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: role.id, divisionId: home }],
    });
    expect(ownerFromText(backend.description)).toBe(dep);

    // The one-time secret is in the 0600 secrets file only, and it works.
    const secretsPath = join(ws.stateDir, 'secrets.json');
    expect(statSync(secretsPath).mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(readFileSync(secretsPath, 'utf8')) as {
      secrets: Record<string, { clientId: string; clientSecret: string }>;
    };
    const issued = secrets.secrets['oauth-client/daspeak Backend']!;
    expect(issued.clientId).toBe(backend.id);
    expect(readFileSync(join(ws.stateDir, 'state.json'), 'utf8')).not.toContain(issued.clientSecret);
    const login = await fetch(`${s.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${issued.clientId}:${issued.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(login.status).toBe(200);

    // Integrations: enabled and active, configured as the reference says, with their credentials.
    const byType = (t: string) => objs.integrations.find((i) => i.integrationTypeId === t)!;
    const audiohook = byType('audiohook');
    expect(audiohook).toMatchObject({ intendedState: 'ENABLED', reportedState: { code: 'ACTIVE' } });
    expect(audiohook.config).toMatchObject({
      name: 'daspeak Audiohook',
      properties: { channel: 'both', connectionUri: ws.config.daspeak.audiohook!.connectionUri },
    });
    expect(ownerFromText(audiohook.config.notes)).toBe(dep);
    const audiohookCred = s.state.credentials.find(
      (c) => c.id === audiohook.config.credentials.audioHook?.id,
    )!;
    expect(audiohookCred).toMatchObject({
      name: 'daspeak Audiohook credential',
      typeName: 'audioHook',
      fields: {
        apiKey: ws.config.daspeak.audiohook!.apiKey,
        clientSecret: ws.config.daspeak.audiohook!.clientSecret,
      },
    });

    const widget = byType('embedded-client-app-interaction-widget');
    expect(widget).toMatchObject({ intendedState: 'ENABLED', reportedState: { code: 'ACTIVE' } });
    expect(widget.config.name).toBe('daspeak Voice Biometrics');
    expect(widget.config.properties).toEqual({
      url:
        'http://127.0.0.1:8080/?conversationId={{gcConversationId}}&gcHostOrigin={{gcHostOrigin}}' +
        '&gcTargetEnv={{gcTargetEnv}}&langTag={{gcLangTag}}',
      sandbox:
        'allow-forms,allow-modals,allow-popups,allow-presentation,allow-same-origin,allow-scripts,allow-downloads',
      permissions: 'clipboard-write',
      groups: [s.state.groups.find((g) => g.name === 'Sandbox Agents')!.id],
      queueIdFilterList: [queue(s, 'Support').id],
      communicationTypeFilter: 'call',
    });

    const rest = byType('custom-rest-actions');
    expect(rest).toMatchObject({ intendedState: 'ENABLED', reportedState: { code: 'ACTIVE' } });
    const restCred = s.state.credentials.find((c) => c.id === rest.config.credentials.basicAuth?.id)!;
    expect(restCred).toMatchObject({
      typeName: 'userDefined',
      fields: { daspeakApiKey: ws.config.daspeak.rest.apiKey, backendApiKey: ws.config.backend.apiKeys[0] },
    });
    expect(objs.actions).toHaveLength(ACTIONS);
    for (const a of objs.actions) {
      expect(a.integrationId).toBe(rest.id);
      expect(a.published?.category).toBe('daspeak Data Actions');
    }

    // What the backend reads back (for config.js): the widget client's id, from state only.
    expect(provisionedOutputs(opts(ws))).toEqual({
      deploymentId: dep,
      organizationId: s.organizationId,
      widgetClientId: widgetClient.id,
      backendClientId: backend.id,
    });

    // Audio monitoring on the configured queue only, its previous value kept in state.
    expect(queue(s, 'Support').enableAudioMonitoring).toBe(true);
    expect(queue(s, 'Sales').enableAudioMonitoring).toBe(false);
    expect(state.objects['queue-audio-monitoring/Support']).toMatchObject({
      id: queue(s, 'Support').id,
      outputs: { previous: 'false' },
    });
  });

  it('a second run makes no write at all', async () => {
    const s = await org();
    const ws = workspace(s, tmp());
    await provisionReady(s, ws);
    s.resetRequestCounts();
    const again = await provisionDeployment(opts(ws));
    expect(again.report.counts).toMatchObject({
      create: 0,
      update: 0,
      delete: 0,
      conflict: 0,
      noop: OBJECTS,
    });
    expect(again.result).toMatchObject({ created: 0, updated: 0, deleted: 0, unchanged: OBJECTS });
    expect(s.requestCounts().writes).toBe(0);
    expect(again.stats.writes).toBe(0);
    expect(again.newSecrets).toEqual([]);
  });

  it('drift made by hand is shown by plan and repaired by provision', async () => {
    const s = await org();
    const ws = workspace(s, tmp());
    await provisionReady(s, ws);
    const api = await adminApi(s);
    const objs = kitObjects(s);
    const audiohook = objs.integrations.find((i) => i.integrationTypeId === 'audiohook')!;
    const widget = objs.integrations.find(
      (i) => i.integrationTypeId === 'embedded-client-app-interaction-widget',
    )!;
    const role = objs.roles[0]!;

    // Someone edits the Audiohook endpoint, disables the widget, widens the role and turns monitoring off.
    const current = await api('GET', `/api/v2/integrations/${audiohook.id}/config/current`);
    expect(
      (
        await api('PUT', `/api/v2/integrations/${audiohook.id}/config/current`, {
          ...current.body,
          properties: { channel: 'both', connectionUri: 'wss://elsewhere.example/ws' },
        })
      ).status,
    ).toBe(200);
    expect(
      (await api('PATCH', `/api/v2/integrations/${widget.id}`, { intendedState: 'DISABLED' })).status,
    ).toBe(200);
    expect(
      (
        await api('PUT', `/api/v2/authorization/roles/${role.id}`, {
          name: role.name,
          description: role.description,
          permissions: [...KIT_ROLE_PERMISSIONS, 'routing:queue:edit'],
        })
      ).status,
    ).toBe(200);
    const support = await api<Record<string, unknown>>(
      'GET',
      `/api/v2/routing/queues/${queue(s, 'Support').id}`,
    );
    expect(
      (
        await api('PUT', `/api/v2/routing/queues/${queue(s, 'Support').id}`, {
          ...support.body,
          enableAudioMonitoring: false,
        })
      ).status,
    ).toBe(200);

    // …and someone lengthens a data action's timeout in the Genesys UI.
    const action = objs.actions.find((a) => a.published?.name === 'daspeak Get Session Status')!;
    const edited = await api('PATCH', `/api/v2/integrations/actions/${action.id}`, {
      version: action.published!.version,
      config: { ...action.published!.config, timeoutSeconds: 30 },
    });
    expect(edited.status).toBe(200);

    const plan = await planDeployment(opts(ws));
    expect(plan.report.counts).toMatchObject({ update: 5, create: 0, delete: 0, conflict: 0 });
    const changes = Object.fromEntries(
      plan.report.steps
        .filter((st) => st.action === 'update')
        .map((st) => [`${st.kind}/${st.name}`, st.changes]),
    );
    expect(changes['integration/daspeak Audiohook']).toEqual([
      {
        path: 'properties.connectionUri',
        from: 'wss://elsewhere.example/ws',
        to: ws.config.daspeak.audiohook!.connectionUri,
      },
    ]);
    expect(changes['integration/daspeak Voice Biometrics']).toEqual([
      { path: 'enabled', from: false, to: true },
    ]);
    expect(changes['role/daspeak Integration']).toEqual([
      {
        path: 'permissions',
        from: [...KIT_ROLE_PERMISSIONS, 'routing:queue:edit'].sort(),
        to: [...KIT_ROLE_PERMISSIONS].sort(),
      },
    ]);
    expect(changes['queue-audio-monitoring/Support']).toEqual([
      { path: 'enableAudioMonitoring', from: false, to: true },
    ]);

    const repaired = await provisionDeployment(opts(ws));
    expect(repaired.result).toMatchObject({ updated: 5, created: 0, deleted: 0 });
    // Edited in place (its config), not replaced: flows keep the same action.
    expect(kitObjects(s).actions.find((a) => a.id === action.id)!.published!.config.timeoutSeconds).toBe(10);
    expect(
      kitObjects(s).integrations.find((i) => i.id === audiohook.id)!.config.properties.connectionUri,
    ).toBe(ws.config.daspeak.audiohook!.connectionUri);
    expect(queue(s, 'Support').enableAudioMonitoring).toBe(true);
    // The kit remembers the value it found the first time, not the one someone set since.
    expect(
      loadState(join(ws.stateDir, 'state.json'))!.objects['queue-audio-monitoring/Support']!.outputs,
    ).toEqual({
      previous: 'false',
    });
    s.resetRequestCounts();
    expect((await planDeployment(opts(ws))).report.counts).toMatchObject({ update: 0, create: 0, delete: 0 });
    await provisionDeployment(opts(ws));
    expect(s.requestCounts().writes).toBe(0);
  });

  it('a data action whose contract changed is replaced (Genesys keeps a published contract), once', async () => {
    const s = await org();
    const ws = workspace(s, tmp());
    await provisionReady(s, ws);
    const before = kitObjects(s).actions.find((a) => a.published?.name === 'daspeak Get Consent')!;
    // A kit upgrade adds an output to the action's contract.
    const upgraded = kitKinds().map((k) =>
      k.kind !== 'data-action'
        ? k
        : {
            ...k,
            desired: (c: KitConfig) =>
              k.desired(c).map((d) => {
                if (d.name !== 'daspeak Get Consent') return d;
                const contract = structuredClone(d.spec.contract) as {
                  output: { successSchema: { properties: Record<string, unknown> } };
                };
                contract.output.successSchema.properties.note = { type: 'string' };
                return { ...d, spec: { ...d.spec, contract } };
              }),
          },
    );
    const d = await openDeployment({ ...opts(ws), mode: 'write' });
    try {
      const engine = new Engine<KitConfig, GenesysOrg>({
        kinds: upgraded,
        config: ws.config,
        org: d.org,
        prefix: ws.config.prefix,
        deploymentId: d.deploymentId,
        stateFile: d.paths.stateFile,
        journalFile: d.paths.journalFile,
        secretsFile: d.paths.secretsFile,
        fingerprinter: d.fingerprinter,
      });
      const plan = await engine.plan();
      expect(plan.counts).toMatchObject({ update: 1, create: 0, delete: 0 });
      expect(plan.steps.find((st) => st.action === 'update')!.changes.map((c) => c.path)).toEqual([
        'contract.output.successSchema.properties.note.type',
      ]);
      await engine.apply(plan);
      const after = kitObjects(s).actions.filter((a) => a.published?.name === 'daspeak Get Consent');
      expect(after).toHaveLength(1);
      expect(after[0]!.id).not.toBe(before.id);
      expect((await engine.plan()).counts).toMatchObject({ update: 0, create: 0, delete: 0 });
    } finally {
      d.close();
    }
  });

  it('a changed secret in the config is detected through its fingerprint and rewritten, masked', async () => {
    const s = await org();
    const dir = tmp();
    const ws = workspace(s, dir);
    await provisionReady(s, ws);
    const rotated = workspace(s, dir, (v) => {
      (v.backend as Record<string, unknown>).apiKeys = ['rotated-backend-api-key-000000000'];
    });
    const plan = await planDeployment(opts(rotated));
    const step = plan.report.steps.find((st) => st.action === 'update')!;
    expect(step).toMatchObject({ kind: 'credential', name: 'daspeak Data Actions credential' });
    expect(step.changes).toEqual([
      { path: 'fields.backendApiKey', from: '(secret)', to: '(secret)', secret: true },
    ]);
    expect(JSON.stringify(plan.report)).not.toContain('rotated-backend-api-key');
    await provisionDeployment(opts(rotated));
    const cred = kitObjects(s).credentials.find((c) => c.name === 'daspeak Data Actions credential')!;
    expect(cred.fields.backendApiKey).toBe('rotated-backend-api-key-000000000');
  });

  it('an object with one of the kit names that the kit does not own is refused, and nothing is written', async () => {
    const s = await org();
    const ws = workspace(s, tmp());
    const api = await adminApi(s);
    expect(
      (await api('POST', '/api/v2/authorization/roles', { name: 'daspeak Integration', permissions: [] }))
        .status,
    ).toBe(200);
    const plan = await planDeployment(opts(ws));
    const conflict = plan.report.steps.find((st) => st.action === 'conflict')!;
    expect(conflict).toMatchObject({
      kind: 'role',
      name: 'daspeak Integration',
      reason: 'it exists but was not created by daspeak-genesys',
    });
    s.resetRequestCounts();
    await expect(provisionDeployment(opts(ws))).rejects.toMatchObject({ code: 'provision.foreign_object' });
    expect(s.requestCounts().writes).toBe(0);
    expect(kitObjects(s).integrations).toHaveLength(0);
  });

  it("another deployment's objects are refused too, and named", async () => {
    const s = await org();
    const first = workspace(s, tmp());
    await provisionReady(s, first);
    const other = workspace(s, tmp());
    const plan = await planDeployment(opts(other));
    const owner = loadState(join(first.stateDir, 'state.json'))!.deploymentId;
    expect(plan.report.counts.conflict).toBeGreaterThan(0);
    expect(plan.report.steps.find((st) => st.kind === 'role')!.reason).toBe(
      `it belongs to another deployment (${owner})`,
    );
    await expect(provisionDeployment(opts(other))).rejects.toMatchObject({
      code: 'provision.foreign_object',
    });
  });

  it('refuses, before any write, queues or groups the org does not have', async () => {
    const s = await org();
    const ws = workspace(s, tmp(), (v) => {
      v.widget = { queues: ['Support', 'Nope'], groups: ['Ghosts'] };
    });
    const plan = await planDeployment(opts(ws));
    expect(plan.report.blockers.map((b) => b.code)).toEqual(
      expect.arrayContaining(['provision.unknown_queue', 'provision.unknown_group']),
    );
    s.resetRequestCounts();
    await expect(provisionDeployment(opts(ws))).rejects.toMatchObject({ code: 'provision.unknown_queue' });
    expect(s.requestCounts().writes).toBe(0);
  });

  it('refuses, before any write, an Audiohook integration the org has no room for', async () => {
    const s = await org({ integrationLimits: { audiohook: 1 } });
    const api = await adminApi(s);
    await api('POST', '/api/v2/integrations', { name: 'Someone else', integrationType: { id: 'audiohook' } });
    const ws = workspace(s, tmp());
    s.resetRequestCounts();
    await expect(provisionDeployment(opts(ws))).rejects.toMatchObject({
      code: 'provision.audiohook_capacity',
      message: expect.stringMatching(
        /already has 1 Audiohook integrations, its limit \(1\): "Someone else"/,
      ) as string,
    });
    expect(s.requestCounts().writes).toBe(0);
  });

  it('the state file is lost: the objects are found again by their deployment marker, with no duplicate', async () => {
    const s = await org();
    const dir = tmp();
    const ws = workspace(s, dir);
    await provisionReady(s, ws);
    const dep = loadState(join(ws.stateDir, 'state.json'))!.deploymentId;
    // A fresh checkout: the config names the deployment, the state directory is new.
    const again = workspace(s, tmp(), (v) => {
      v.deploymentId = dep;
    });
    const plan = await planDeployment(opts(again));
    expect(plan.report.counts.conflict).toBe(0);
    expect(plan.report.counts.create).toBe(1); // the queue setting: only state knew it was the kit's
    // The backend client's secret is in the old secrets file only: a new one is issued, and said so.
    expect(plan.report.steps.find((st) => st.name === 'daspeak Backend')!.changes).toContainEqual({
      path: 'secretStored',
      from: false,
      to: true,
    });
    const recovered = await provisionDeployment(opts(again));
    expect(recovered.newSecrets).toEqual(['oauth-client/daspeak Backend']);
    const objs = kitObjects(s);
    expect([
      objs.roles.length,
      objs.clients.length,
      objs.credentials.length,
      objs.integrations.length,
      objs.actions.length,
    ]).toEqual([1, 2, 2, 3, ACTIONS]);
    expect((await planDeployment(opts(again))).report.counts).toMatchObject({
      create: 0,
      update: 0,
      conflict: 0,
    });
  });

  it('a queue removed from the config gets its previous audio monitoring back; a queue that had it keeps it', async () => {
    const s = await org();
    const api = await adminApi(s);
    const sales = await api<Record<string, unknown>>('GET', `/api/v2/routing/queues/${queue(s, 'Sales').id}`);
    await api('PUT', `/api/v2/routing/queues/${queue(s, 'Sales').id}`, {
      ...sales.body,
      enableAudioMonitoring: true,
    });
    const dir = tmp();
    const both = workspace(s, dir, (v) => {
      v.widget = { queues: ['Support', 'Sales'], groups: [] };
    });
    await provisionReady(s, both);
    expect(
      loadState(join(both.stateDir, 'state.json'))!.objects['queue-audio-monitoring/Sales']!.outputs,
    ).toEqual({
      previous: 'true',
    });
    const fewer = workspace(s, dir, (v) => {
      v.widget = { queues: ['Sales'], groups: [] };
    });
    const plan = await planDeployment(opts(fewer));
    expect(
      plan.report.steps.filter((st) => st.action === 'delete').map((st) => `${st.kind}/${st.name}`),
    ).toEqual(['queue-audio-monitoring/Support']);
    await provisionDeployment(opts(fewer));
    expect(queue(s, 'Support').enableAudioMonitoring).toBe(false);
    const none = workspace(s, dir, (v) => {
      v.widget = { queues: [], groups: [] };
    });
    await provisionDeployment(opts(none));
    expect(queue(s, 'Sales').enableAudioMonitoring).toBe(true);
  });
});

describe('destroy', () => {
  it('removes what the deployment owns, restores the queues, leaves the rest; then plan shows everything to create', async () => {
    const s = await org();
    const ws = workspace(s, tmp());
    await provisionReady(s, ws);
    const api = await adminApi(s);
    // Objects of others are left alone, even in the kit's namespace.
    await api('POST', '/api/v2/authorization/roles', { name: 'daspeak Someone else', permissions: [] });
    const rolesBefore = s.state.roles.length;
    const out = await destroyDeployment(opts(ws));
    expect(out.failed).toEqual([]);
    expect(out.deleted).toHaveLength(OBJECTS);
    // Reverse dependency order: clients first, the role last.
    expect(out.deleted[0]!.kind).toBe('oauth-client');
    expect(out.deleted[out.deleted.length - 1]!.kind).toBe('role');
    const objs = kitObjects(s);
    expect(objs.roles.map((r) => r.name)).toEqual(['daspeak Someone else']);
    expect([
      objs.clients.length,
      objs.credentials.length,
      objs.integrations.length,
      objs.actions.length,
    ]).toEqual([0, 0, 0, 0]);
    expect(s.state.roles).toHaveLength(rolesBefore - 1);
    expect(queue(s, 'Support').enableAudioMonitoring).toBe(false);
    // The admin's grant of the kit role is taken back with the role.
    expect(s.state.oauthClients.find((c) => c.id === s.adminClient.id)!.roleDivisions).toHaveLength(2);
    expect(loadState(join(ws.stateDir, 'state.json'))!.objects).toEqual({});

    const plan = await planDeployment(opts(ws));
    expect(plan.report.counts).toMatchObject({ create: OBJECTS, update: 0, delete: 0, conflict: 0, noop: 0 });
  });
});
