import platformClient from 'purecloud-platform-client-v2';
import { afterEach, describe, expect, it } from 'vitest';
import type { GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import { adminSdk, adminToken, call, sdkFailure, startSandbox } from './helpers.js';

const running: GenesysSandbox[] = [];
async function start(options: Parameters<typeof startSandbox>[0] = {}) {
  const s = await startSandbox(options);
  running.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

const HOOK_SECRET = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');

async function newIntegration(s: GenesysSandbox, token: string, type: string, name = `A ${type}`) {
  const res = await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations', {
    name,
    integrationType: { id: type },
  });
  expect(res.status).toBe(200);
  return res.body.id;
}

async function newCredential(
  s: GenesysSandbox,
  token: string,
  type: unknown,
  fields: Record<string, string>,
) {
  const res = await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations/credentials', {
    name: 'cred',
    type,
    credentialFields: fields,
  });
  expect(res.status).toBe(200);
  return res.body.id;
}

describe('integration types', () => {
  it('lists the three types with their credential slots and config schemas', async () => {
    const s = await start({ integrationLimits: { audiohook: 3 } });
    const integrations = new platformClient.IntegrationsApi(await adminSdk(s));
    const types = await integrations.getIntegrationsTypes({});
    expect(types.entities!.map((t) => t.id).sort()).toEqual([
      'audiohook',
      'custom-rest-actions',
      'embedded-client-app-interaction-widget',
    ]);
    const hook = await integrations.getIntegrationsType('audiohook');
    expect(hook.maxInstances).toBe(3);
    expect(hook.credentials?.audioHook?.credentialTypes).toEqual(['audioHook']);
    const schema = await integrations.getIntegrationsTypeConfigschema('audiohook', 'properties');
    expect(Object.keys(schema.properties!)).toEqual(['channel', 'connectionUri']);
    const widget = await integrations.getIntegrationsTypeConfigschema(
      'embedded-client-app-interaction-widget',
      'properties',
    );
    expect(Object.keys(widget.properties!)).toContain('queueIdFilterList');
    expect((await sdkFailure(integrations.getIntegrationsType('nope'))).status).toBe(404);
    expect(
      (await sdkFailure(integrations.getIntegrationsTypeConfigschema('audiohook', 'other'))).status,
    ).toBe(400);
  });
});

describe('audiohook integration (the premium-app sequence)', () => {
  it('creates, configures with versioning, enables and reads back with expand=config.current', async () => {
    const s = await start();
    const integrations = new platformClient.IntegrationsApi(await adminSdk(s));
    const created = await integrations.postIntegrations({
      body: { name: 'VB AudioHook', integrationType: { id: 'audiohook' } },
    });
    expect(created).toMatchObject({ intendedState: 'DISABLED', reportedState: { code: 'INACTIVE' } });
    const cred = await integrations.postIntegrationsCredentials({
      body: {
        name: `Integration-${created.id}`,
        type: { name: 'audioHook' },
        credentialFields: { apiKey: 'key-1', clientSecret: HOOK_SECRET },
      },
    });
    expect(cred.type?.name).toBe('audioHook');
    const current = await integrations.getIntegrationConfigCurrent(created.id!);
    expect(current.version).toBe(1);
    const saved = await integrations.putIntegrationConfigCurrent(created.id!, {
      body: {
        name: 'VB AudioHook',
        version: current.version,
        properties: { channel: 'both', connectionUri: 'wss://vb.example.com/audiohook/ws' },
        advanced: { tenant: 'demo' },
        notes: 'kit',
        credentials: { audioHook: { id: cred.id! } },
      },
    });
    expect(saved.version).toBe(2);
    const enabled = await integrations.patchIntegration(created.id!, { body: { intendedState: 'ENABLED' } });
    expect(enabled.reportedState?.code).toBe('ACTIVE');
    const listed = await integrations.getIntegrations({
      expand: ['config.current'],
      integrationType: 'audiohook',
    });
    expect(listed.entities).toHaveLength(1);
    expect(listed.entities![0]!.config?.current?.credentials?.audioHook?.id).toBe(cred.id);
    expect(listed.entities![0]!.config?.current?.advanced).toEqual({ tenant: 'demo' });
    const plain = await integrations.getIntegration(created.id!);
    expect(plain.config?.current?.properties).toBeUndefined();
    const disabled = await integrations.patchIntegration(created.id!, {
      body: { intendedState: 'DISABLED' },
    });
    expect(disabled.reportedState?.code).toBe('INACTIVE');
  });

  it('answers 409 on a stale config version, naming both versions', async () => {
    const s = await start();
    const token = await adminToken(s);
    const id = await newIntegration(s, token, 'audiohook');
    const path = `/api/v2/integrations/${id}/config/current`;
    expect((await call(s, token, 'PUT', path, { name: 'h', version: 1 })).status).toBe(200);
    const stale = await call(s, token, 'PUT', path, { name: 'h', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('general.conflict');
    expect(stale.body.message).toMatch(/version supplied \(1\) does not match the current version \(2\)/);
    expect((await call(s, token, 'PUT', path, { name: 'h', version: 2 })).status).toBe(200);
  });

  it('refuses config that does not fit the type, each with a 400', async () => {
    const s = await start();
    const token = await adminToken(s);
    const id = await newIntegration(s, token, 'audiohook');
    const basic = await newCredential(s, token, { name: 'basicAuth' }, { userName: 'u', password: 'p' });
    const path = `/api/v2/integrations/${id}/config/current`;
    const put = (body: Record<string, unknown>) =>
      call(s, token, 'PUT', path, { name: 'h', version: 1, ...body });
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { properties: { connectionUri: 'wss://x.example/ws', reconnections: 3 } },
        /Unrecognized field "properties.reconnections"/,
      ],
      [{ properties: { connectionUri: 42 } }, /properties.connectionUri" must be of type string/],
      [
        { properties: { channel: 'customer' } },
        /properties.channel" must be one of \[both, external, internal\]/,
      ],
      [{ properties: { connectionUri: 'https://x.example/ws' } }, /properties.connectionUri/],
      [{ properties: { connectionUri: 'ws://vb.example.com/ws' } }, /must be a wss:\/\/ URI/],
      [
        { credentials: { basicAuth: { id: basic } } },
        /credentials.basicAuth is not a credential of integration type audiohook/,
      ],
      [{ credentials: { audioHook: { id: 'nope' } } }, /Credential nope does not exist/],
      [
        { credentials: { audioHook: { id: basic } } },
        /is of type basicAuth; credentials.audioHook takes audioHook/,
      ],
      [{ version: 'one' }, /"version" must be of type integer/],
      [{ name: undefined }, /Missing required field "name"/],
      [{ extra: true }, /Unrecognized field "extra"/],
    ];
    for (const [body, message] of cases) {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    // ws:// is allowed to a loopback host (the local das-Peak sandbox).
    expect((await put({ properties: { connectionUri: 'ws://127.0.0.1:4020/audiohook/ws' } })).status).toBe(
      200,
    );
  });

  it('enables an integration missing its credential into reportedState ERROR with the reason', async () => {
    const s = await start();
    const token = await adminToken(s);
    const id = await newIntegration(s, token, 'audiohook');
    await call(s, token, 'PUT', `/api/v2/integrations/${id}/config/current`, {
      name: 'h',
      version: 1,
      properties: { channel: 'both', connectionUri: 'wss://x.example/ws' },
    });
    const res = await call<{ reportedState: { code: string; detail: { message: string } } }>(
      s,
      token,
      'PATCH',
      `/api/v2/integrations/${id}`,
      { intendedState: 'ENABLED' },
    );
    expect(res.body.reportedState.code).toBe('ERROR');
    expect(res.body.reportedState.detail.message).toMatch(/audioHook/);
  });

  it('refuses a PATCH with another field or state', async () => {
    const s = await start();
    const token = await adminToken(s);
    const id = await newIntegration(s, token, 'audiohook');
    const extra = await call(s, token, 'PATCH', `/api/v2/integrations/${id}`, {
      intendedState: 'ENABLED',
      name: 'x',
    });
    expect(extra.status).toBe(400);
    const bad = await call(s, token, 'PATCH', `/api/v2/integrations/${id}`, { intendedState: 'ON' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('Field "intendedState" must be one of [ENABLED, DISABLED]');
  });

  it('enforces the max instances of a type', async () => {
    const s = await start({ integrationLimits: { audiohook: 2 } });
    const token = await adminToken(s);
    await newIntegration(s, token, 'audiohook');
    await newIntegration(s, token, 'audiohook');
    const third = await call(s, token, 'POST', '/api/v2/integrations', {
      integrationType: { id: 'audiohook' },
    });
    expect(third.status).toBe(400);
    expect(third.body.message).toMatch(/maximum number of audiohook integrations \(2\)/);
    const unknown = await call(s, token, 'POST', '/api/v2/integrations', { integrationType: { id: 'nope' } });
    expect(unknown.status).toBe(400);
    const noType = await call(s, token, 'POST', '/api/v2/integrations', { name: 'x' });
    expect(noType.body.message).toBe('Missing required field "integrationType"');
  });

  it('deletes an integration (answering it) and then its credential, which was refused while in use', async () => {
    const s = await start();
    const token = await adminToken(s);
    const id = await newIntegration(s, token, 'audiohook');
    const cred = await newCredential(s, token, 'audioHook', { apiKey: 'k' });
    await call(s, token, 'PUT', `/api/v2/integrations/${id}/config/current`, {
      name: 'h',
      version: 1,
      credentials: { audioHook: { id: cred } },
    });
    const inUse = await call(s, token, 'DELETE', `/api/v2/integrations/credentials/${cred}`);
    expect(inUse.status).toBe(409);
    const deleted = await call<{ id: string }>(s, token, 'DELETE', `/api/v2/integrations/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.id).toBe(id);
    expect((await call(s, token, 'GET', `/api/v2/integrations/${id}`)).status).toBe(404);
    expect((await call(s, token, 'DELETE', `/api/v2/integrations/credentials/${cred}`)).status).toBe(204);
  });
});

describe('integration credentials', () => {
  it('never returns credential fields, accepts the type as {name} or a bare string', async () => {
    const s = await start();
    const token = await adminToken(s);
    const a = await newCredential(s, token, 'audioHook', { apiKey: 'secret-key', clientSecret: HOOK_SECRET });
    const b = await newCredential(s, token, { name: 'userDefined' }, { apiKey: 'backend-key' });
    const one = await call(s, token, 'GET', `/api/v2/integrations/credentials/${a}`);
    expect(one.body).toMatchObject({ id: a, type: { name: 'audioHook' } });
    expect(JSON.stringify(one.body)).not.toMatch(/secret-key|credentialFields/);
    const list = await call(s, token, 'GET', '/api/v2/integrations/credentials');
    expect(JSON.stringify(list.body)).not.toMatch(/secret-key|backend-key|credentialFields/);
    const put = await call(s, token, 'PUT', `/api/v2/integrations/credentials/${b}`, {
      name: 'renamed',
      type: 'userDefined',
      credentialFields: { apiKey: 'k2' },
    });
    expect(put.body).toMatchObject({ name: 'renamed' });
    expect(JSON.stringify(put.body)).not.toMatch(/k2/);
    const types = await call<{ entities: { name: string }[] }>(
      s,
      token,
      'GET',
      '/api/v2/integrations/credentials/types',
    );
    expect(types.body.entities.map((t) => t.name)).toEqual(
      expect.arrayContaining(['audioHook', 'basicAuth', 'userDefined', 'userDefinedOAuth']),
    );
  });

  it('refuses unknown types, missing or unknown fields and a non-base64 client secret', async () => {
    const s = await start();
    const token = await adminToken(s);
    const post = (type: unknown, credentialFields: unknown) =>
      call(s, token, 'POST', '/api/v2/integrations/credentials', { name: 'c', type, credentialFields });
    const cases: [unknown, unknown, RegExp][] = [
      ['apiKey', { apiKey: 'k' }, /Credential type apiKey does not exist/],
      [
        { name: 'audioHook' },
        { clientSecret: HOOK_SECRET },
        /credentialFields.apiKey is required for type audioHook/,
      ],
      [
        { name: 'audioHook' },
        { apiKey: 'k', clientSecret: 'not base64!' },
        /credentialFields.clientSecret must be base64/,
      ],
      [
        { name: 'audioHook' },
        { apiKey: 'k', secret: 'x' },
        /credentialFields.secret is not a field of type audioHook/,
      ],
      [{ name: 'basicAuth' }, { userName: 'u' }, /credentialFields.password is required/],
      [{ name: 'userDefined' }, {}, /needs at least one field/],
      [{ name: 'userDefined' }, { apiKey: 5 }, /credentialFields.apiKey" must be of type string/],
      [{ kind: 'audioHook' }, { apiKey: 'k' }, /./],
    ];
    for (const [type, fields, message] of cases) {
      const res = await post(type, fields);
      expect(res.status, JSON.stringify({ type, fields })).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    expect(
      (await call(s, token, 'POST', '/api/v2/integrations/credentials', { type: 'audioHook' })).body.message,
    ).toBe('Missing required field "credentialFields"');
  });
});

describe('interaction widget integration', () => {
  it('accepts a widget config with groups and queue filters by id, and refuses bad values', async () => {
    const s = await start();
    const token = await adminToken(s);
    const id = await newIntegration(s, token, 'embedded-client-app-interaction-widget', 'VB Widget');
    const path = `/api/v2/integrations/${id}/config/current`;
    const group = s.state.groups[0]!.id;
    const queue = s.state.queues[0]!.id;
    const properties = {
      url: 'https://vb.example.com/widget/?conversationId={{gcConversationId}}&gcHostOrigin={{gcHostOrigin}}',
      sandbox: 'allow-forms,allow-modals,allow-popups,allow-same-origin,allow-scripts',
      permissions: 'microphone',
      groups: [group],
      queueIdFilterList: [queue],
      communicationTypeFilter: 'call',
    };
    const advanced = {
      lifecycle: { ephemeral: false, hooks: { stop: true } },
      i10n: { 'en-US': { name: 'Voice' } },
    };
    let version = 1;
    const put = (body: Record<string, unknown>) =>
      call(s, token, 'PUT', path, { name: 'VB Widget', version, ...body });
    const ok = await put({ properties, advanced });
    expect(ok.status).toBe(200);
    version = 2;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ properties: { ...properties, communicationTypeFilter: 'call, message' } }, /unknown type "message"/],
      [
        { properties: { ...properties, groups: ['Sandbox Agents'] } },
        /group Sandbox Agents, which does not exist/,
      ],
      [
        { properties: { ...properties, queueIdFilterList: ['Support'] } },
        /queue Support, which does not exist/,
      ],
      [{ properties: { ...properties, url: 'http://vb.example.com/' } }, /must be an https:\/\/ URL/],
      [{ properties: { ...properties, groups: group } }, /properties.groups" must be of type array/],
      [
        { properties: { ...properties, iconUrl: 'https://x/icon.png' } },
        /Unrecognized field "properties.iconUrl"/,
      ],
      [{ properties, advanced: { lifecycle: { ephemeral: 'no' } } }, /advanced.lifecycle.ephemeral/],
      [{ properties, advanced: { colour: 'red' } }, /Unrecognized field "advanced.colour"/],
      [{ properties, credentials: { basicAuth: { id: 'x' } } }, /not a credential of integration type/],
    ];
    for (const [body, message] of cases) {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    const enabled = await call<{ reportedState: { code: string } }>(
      s,
      token,
      'PATCH',
      `/api/v2/integrations/${id}`,
      {
        intendedState: 'ENABLED',
      },
    );
    expect(enabled.body.reportedState.code).toBe('ACTIVE');
  });
});
