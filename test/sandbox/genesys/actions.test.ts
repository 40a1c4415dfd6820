import platformClient from 'purecloud-platform-client-v2';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionExecutor, GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
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

const CONFIG = {
  timeoutSeconds: 10,
  request: {
    requestUrlTemplate: 'https://vb.example.com/api/v1/verify/${input.conversationId}',
    requestType: 'POST',
    headers: { 'Content-Type': 'application/json' },
    requestTemplate: '{"ani": "$esc.jsonString(${input.ani})"}',
  },
  response: {
    translationMap: { score: '$.score', decision: '$.decision' },
    translationMapDefaults: { score: '0', decision: '"UNKNOWN"' },
    successTemplate: '{"score": ${score}, "decision": ${decision}}',
  },
};
const CONTRACT = {
  input: {
    inputSchema: {
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      required: ['conversationId'],
      properties: { conversationId: { type: 'string' }, ani: { type: 'string' } },
    },
  },
  output: {
    successSchema: {
      type: 'object',
      properties: {
        score: { type: 'number' },
        decision: { type: 'string' },
        details: { type: 'object', properties: { model: { type: 'string' } } },
        attempts: { type: 'array', items: { type: 'object', properties: { at: { type: 'string' } } } },
      },
    },
  },
};

async function restIntegration(s: GenesysSandbox, token: string, name = 'Voice Biometrics') {
  const res = await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations', {
    name,
    integrationType: { id: 'custom-rest-actions' },
  });
  return res.body.id;
}

function action(integrationId: string, extra: Record<string, unknown> = {}) {
  return {
    name: 'VB Verify Caller',
    category: 'Voice Biometrics',
    integrationId,
    config: CONFIG,
    contract: CONTRACT,
    ...extra,
  };
}

describe('data actions: create, draft, publish', () => {
  it('creates and publishes in one step, reading back contract and config only when asked', async () => {
    const s = await start();
    const client = await adminSdk(s);
    const integrations = new platformClient.IntegrationsApi(client);
    const token = await adminToken(s);
    const integrationId = await restIntegration(s, token);
    const created = await integrations.postIntegrationsActions(action(integrationId));
    expect(created.id).toMatch(/^custom_-_/);
    expect(created.version).toBe(1);
    const bare = await integrations.getIntegrationsAction(created.id!, {});
    expect(bare.contract).toBeUndefined();
    expect(bare.config).toBeUndefined();
    const full = await integrations.getIntegrationsAction(created.id!, {
      expand: 'contract',
      includeConfig: true,
    });
    expect(full.contract?.input?.inputSchema?.required).toEqual(['conversationId']);
    expect(full.config?.request?.requestType).toBe('POST');
    expect(full.config?.request?.requestTemplateUri).toMatch(/templates\/requesttemplate.vm$/);
    const listed = await integrations.getIntegrationsActions({
      category: 'Voice Biometrics',
      name: 'verify',
    });
    expect(listed.entities!.map((a) => a.id)).toEqual([created.id]);
    expect((await integrations.getIntegrationsActions({ category: 'Other' })).total).toBe(0);
    const template = await fetch(
      `${s.url}/api/v2/integrations/actions/${created.id}/templates/successtemplate.vm`,
      {
        headers: { Authorization: `Bearer ${token}` },
      },
    );
    expect(await template.text()).toBe(CONFIG.response.successTemplate);
  });

  it('follows the premium-app draft lifecycle: draft, patch with version, publish with version', async () => {
    const s = await start();
    const integrations = new platformClient.IntegrationsApi(await adminSdk(s));
    const integrationId = await restIntegration(s, await adminToken(s));
    const draft = await integrations.postIntegrationsActionsDrafts({
      name: 'VB Register',
      integrationId,
    } as never);
    expect(draft).toMatchObject({ version: 1, category: 'Voice Biometrics' });
    const validation = await integrations.getIntegrationsActionDraftValidation(draft.id!);
    expect(validation.valid).toBe(false);
    const stalePatch = await sdkFailure(
      integrations.patchIntegrationsActionDraft(draft.id!, { version: 2, config: CONFIG }),
    );
    expect(stalePatch.status).toBe(409);
    const patched = await integrations.patchIntegrationsActionDraft(draft.id!, {
      version: 1,
      config: CONFIG,
      contract: CONTRACT,
    });
    expect(patched.version).toBe(2);
    expect((await integrations.getIntegrationsActionDraftValidation(draft.id!)).valid).toBe(true);
    const stale = await sdkFailure(
      integrations.postIntegrationsActionDraftPublish(draft.id!, { version: 1 }),
    );
    expect(stale.status).toBe(409);
    expect(stale.message).toMatch(/does not match the current version \(2\)/);
    const published = await integrations.postIntegrationsActionDraftPublish(draft.id!, { version: 2 });
    expect(published.version).toBe(1);
    expect((await sdkFailure(integrations.getIntegrationsActionDraft(draft.id!))).status).toBe(404);
    const again = await integrations.postIntegrationsActionDraft(draft.id!);
    expect(again.version).toBe(1);
    const conflictDraft = await sdkFailure(integrations.postIntegrationsActionDraft(draft.id!));
    expect(conflictDraft.status).toBe(409);
    const republished = await integrations.postIntegrationsActionDraftPublish(draft.id!, { version: 1 });
    expect(republished.version).toBe(2);
  });

  it('refuses to publish an incomplete draft, listing what is missing', async () => {
    const s = await start();
    const token = await adminToken(s);
    const integrationId = await restIntegration(s, token);
    const draft = await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations/actions/drafts', {
      name: 'Incomplete',
      integrationId,
    });
    const res = await call(s, token, 'POST', `/api/v2/integrations/actions/${draft.body.id}/draft/publish`, {
      version: 1,
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Failed Validation of config: it is required');
    expect(res.body.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ fieldName: 'contract' })]),
    );
  });
});

describe('data actions: contract rules (§5.3)', () => {
  const cases: [string, (b: Record<string, unknown>) => Record<string, unknown>, RegExp][] = [
    [
      'a nested object input',
      (b) => ({
        ...b,
        contract: {
          ...CONTRACT,
          input: {
            inputSchema: {
              type: 'object',
              properties: { caller: { type: 'object', properties: { ani: { type: 'string' } } } },
            },
          },
        },
      }),
      /^Failed Validation of contract.input.inputSchema as a simple properties schema. Must be an Object with properties and no sub-objects/,
    ],
    [
      'an array input',
      (b) => ({
        ...b,
        contract: {
          ...CONTRACT,
          input: {
            inputSchema: {
              type: 'object',
              properties: { list: { type: 'array', items: { type: 'string' } } },
            },
          },
        },
      }),
      /as a simple properties schema.*'list' has type "array"/,
    ],
    [
      'an input schema that is not an object',
      (b) => ({ ...b, contract: { ...CONTRACT, input: { inputSchema: { type: 'string' } } } }),
      /as a simple properties schema/,
    ],
    [
      'a property name with a dot',
      (b) => ({
        ...b,
        contract: {
          ...CONTRACT,
          input: { inputSchema: { type: 'object', properties: { 'caller.ani': { type: 'string' } } } },
        },
      }),
      /property name 'caller.ani' must match/,
    ],
    [
      'a reserved input name',
      (b) => ({
        ...b,
        contract: {
          ...CONTRACT,
          input: { inputSchema: { type: 'object', properties: { orgId: { type: 'string' } } } },
        },
      }),
      /'orgId' is a reserved name/,
    ],
    [
      'a $ref',
      (b) => ({
        ...b,
        contract: {
          ...CONTRACT,
          output: { successSchema: { type: 'object', properties: { a: { $ref: '#/definitions/a' } } } },
        },
      }),
      /\$ref is not supported/,
    ],
    [
      'nested arrays in the output',
      (b) => ({
        ...b,
        contract: {
          ...CONTRACT,
          output: {
            successSchema: {
              type: 'object',
              properties: { m: { type: 'array', items: { type: 'array', items: { type: 'string' } } } },
            },
          },
        },
      }),
      /nested arrays are not supported/,
    ],
    [
      'an array inside an array of objects',
      (b) => ({
        ...b,
        contract: {
          ...CONTRACT,
          output: {
            successSchema: {
              type: 'object',
              properties: {
                m: { type: 'array', items: { type: 'object', properties: { n: { type: 'array' } } } },
              },
            },
          },
        },
      }),
      /nested arrays are not supported/,
    ],
    [
      'a required input that is not a property',
      (b) => ({
        ...b,
        contract: {
          ...CONTRACT,
          input: { inputSchema: { type: 'object', required: ['ani'], properties: {} } },
        },
      }),
      /required property 'ani' is not defined/,
    ],
    [
      'a contract deeper than 50',
      (b) => {
        let node: Record<string, unknown> = { type: 'string' };
        for (let i = 0; i < 30; i++) node = { type: 'object', properties: { x: node } };
        return { ...b, contract: { ...CONTRACT, output: { successSchema: node } } };
      },
      /nested at most 50 levels/,
    ],
    [
      'a timeout of 0',
      (b) => ({ ...b, config: { ...CONFIG, timeoutSeconds: 0 } }),
      /config.timeoutSeconds" must be >= 1/,
    ],
    [
      'a timeout of 61',
      (b) => ({ ...b, config: { ...CONFIG, timeoutSeconds: 61 } }),
      /config.timeoutSeconds" must be <= 60/,
    ],
    [
      'an unknown request type',
      (b) => ({ ...b, config: { ...CONFIG, request: { ...CONFIG.request, requestType: 'FETCH' } } }),
      /config.request.requestType" must be one of \[GET, PUT, POST, PATCH, DELETE\]/,
    ],
    [
      'a request without URL',
      (b) => ({ ...b, config: { ...CONFIG, request: { requestType: 'GET' } } }),
      /config.request.requestUrlTemplate: it is required/,
    ],
    [
      'a default for a key not in the translation map',
      (b) => ({
        ...b,
        config: { ...CONFIG, response: { ...CONFIG.response, translationMapDefaults: { other: '0' } } },
      }),
      /'other' is not a key of translationMap/,
    ],
    [
      'an unknown config field',
      (b) => ({ ...b, config: { ...CONFIG, retries: 3 } }),
      /Unrecognized field "config.retries"/,
    ],
    ['a missing contract', (b) => ({ ...b, contract: undefined }), /Missing required field "contract"/],
    ['a missing category', (b) => ({ ...b, category: undefined }), /Missing required field "category"/],
  ];

  it.each(cases)('refuses %s with a 400', async (_name, change, message) => {
    const s = await start();
    const token = await adminToken(s);
    const integrationId = await restIntegration(s, token);
    const res = await call(s, token, 'POST', '/api/v2/integrations/actions', change(action(integrationId)));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('bad.request');
    expect(res.body.message).toMatch(message);
  });

  it('refuses an action on an unknown integration or one without data actions', async () => {
    const s = await start();
    const token = await adminToken(s);
    const hook = (
      await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations', {
        integrationType: { id: 'audiohook' },
      })
    ).body.id;
    const wrongType = await call(s, token, 'POST', '/api/v2/integrations/actions', action(hook));
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toMatch(/of type audiohook, which has no data actions/);
    const unknown = await call(s, token, 'POST', '/api/v2/integrations/actions', action('nope'));
    expect(unknown.status).toBe(400);
  });

  it('keeps the contract immutable after publish and refuses a duplicate name in a category', async () => {
    const s = await start();
    const token = await adminToken(s);
    const integrationId = await restIntegration(s, token);
    const created = await call<{ id: string }>(
      s,
      token,
      'POST',
      '/api/v2/integrations/actions',
      action(integrationId),
    );
    const id = created.body.id;
    const dup = await call(s, token, 'POST', '/api/v2/integrations/actions', action(integrationId));
    expect(dup.status).toBe(409);
    const patchContract = await call(s, token, 'PATCH', `/api/v2/integrations/actions/${id}`, {
      version: 1,
      contract: CONTRACT,
    });
    expect(patchContract.status).toBe(400);
    expect(patchContract.body.message).toBe('Unrecognized field "contract"');
    const renamed = await call<{ version: number; name: string }>(
      s,
      token,
      'PATCH',
      `/api/v2/integrations/actions/${id}`,
      {
        version: 1,
        name: 'VB Verify',
      },
    );
    expect(renamed.body).toMatchObject({ version: 2, name: 'VB Verify' });
    const stale = await call(s, token, 'PATCH', `/api/v2/integrations/actions/${id}`, {
      version: 1,
      name: 'x',
    });
    expect(stale.status).toBe(409);
    await call(s, token, 'POST', `/api/v2/integrations/actions/${id}/draft`);
    const changed = {
      ...CONTRACT,
      input: { inputSchema: { type: 'object', properties: { ani: { type: 'string' } } } },
    };
    const refused = await call(s, token, 'PATCH', `/api/v2/integrations/actions/${id}/draft`, {
      version: 1,
      contract: changed,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/contract of a published action cannot be changed/);
    const deleted = await call(s, token, 'DELETE', `/api/v2/integrations/actions/${id}`);
    expect(deleted.status).toBe(204);
    expect((await call(s, token, 'GET', `/api/v2/integrations/actions/${id}`)).status).toBe(404);
  });
});

describe('data actions: test and execute', () => {
  it('answers 501 not.implemented when no executor was injected', async () => {
    const s = await start();
    const token = await adminToken(s);
    const integrationId = await restIntegration(s, token);
    const { id } = (
      await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations/actions', action(integrationId))
    ).body;
    for (const path of [`${id}/execute`, `${id}/test`]) {
      const res = await call(s, token, 'POST', `/api/v2/integrations/actions/${path}`, {
        conversationId: 'c1',
      });
      expect(res.status).toBe(501);
      expect(res.body.code).toBe('not.implemented');
      expect(res.body.message).toMatch(/actionExecutor/);
    }
  });

  it('runs the injected executor with the input and the integration credential, checking both schemas', async () => {
    const seen: { input: Record<string, unknown>; credential: unknown; version: string }[] = [];
    const executor: ActionExecutor = async (a, input) => {
      seen.push({ input, credential: a.credential, version: a.version });
      if (input.conversationId === 'boom') throw new Error('kaput');
      if (input.conversationId === 'remote-error')
        return { ok: false, status: 502, message: 'upstream said no' };
      if (input.conversationId === 'bad-output') return { ok: true, output: { score: 'high' } };
      return {
        ok: true,
        output: {
          score: 0.93,
          decision: 'MATCH',
          details: { model: 'm1' },
          attempts: [{ at: '1' }, { at: '2' }],
        },
      };
    };
    const s = await start({ actionExecutor: executor });
    const token = await adminToken(s);
    const integrationId = await restIntegration(s, token);
    const cred = await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations/credentials', {
      name: 'backend',
      type: 'userDefined',
      credentialFields: { apiKey: 'k-123' },
    });
    await call(s, token, 'PUT', `/api/v2/integrations/${integrationId}/config/current`, {
      name: 'Voice Biometrics',
      version: 1,
      credentials: { basicAuth: { id: cred.body.id } },
    });
    const { id } = (
      await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations/actions', action(integrationId))
    ).body;
    const integrations = new platformClient.IntegrationsApi(await adminSdk(s));

    const output = await integrations.postIntegrationsActionExecute(id, {
      conversationId: 'c1',
      ani: '+34600000000',
    });
    expect(output).toMatchObject({ score: 0.93, decision: 'MATCH' });
    expect(seen[0]).toEqual({
      input: { conversationId: 'c1', ani: '+34600000000' },
      credential: { type: 'userDefined', fields: { apiKey: 'k-123' } },
      version: 'published',
    });
    const flat = await integrations.postIntegrationsActionExecute(
      id,
      { conversationId: 'c1' },
      { flatten: true },
    );
    expect(flat).toEqual({
      score: 0.93,
      decision: 'MATCH',
      'details.model': 'm1',
      'attempts.at': ['1', '2'],
    });

    const missing = await call(s, token, 'POST', `/api/v2/integrations/actions/${id}/execute`, {
      ani: '+34',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/input.conversationId is required/);
    const wrongType = await call(s, token, 'POST', `/api/v2/integrations/actions/${id}/execute`, {
      conversationId: 5,
    });
    expect(wrongType.status).toBe(400);
    const remote = await call(s, token, 'POST', `/api/v2/integrations/actions/${id}/execute`, {
      conversationId: 'remote-error',
    });
    expect(remote.status).toBe(502);
    expect(remote.body.message).toBe('upstream said no');
    const thrown = await call(s, token, 'POST', `/api/v2/integrations/actions/${id}/execute`, {
      conversationId: 'boom',
    });
    expect(thrown.status).toBe(500);
    expect(thrown.body.message).toMatch(/kaput/);
    const badOutput = await call(s, token, 'POST', `/api/v2/integrations/actions/${id}/execute`, {
      conversationId: 'bad-output',
    });
    expect(badOutput.status).toBe(400);
    expect(badOutput.body.message).toMatch(/does not match the success schema/);

    const test = await integrations.postIntegrationsActionTest(id, { conversationId: 'c1' });
    expect(test.success).toBe(true);
    expect(test.finalResult).toMatchObject({ decision: 'MATCH' });
    const failedTest = await integrations.postIntegrationsActionTest(id, { conversationId: 'remote-error' });
    expect(failedTest).toMatchObject({ success: false, error: { status: 502 } });

    await call(s, token, 'POST', `/api/v2/integrations/actions/${id}/draft`);
    const draftTest = await integrations.postIntegrationsActionDraftTest(id, { conversationId: 'c2' });
    expect(draftTest.success).toBe(true);
    expect(seen.at(-1)?.version).toBe('draft');
  });
});

describe('custom authentication action', () => {
  it('appears for a userDefinedOAuth credential, hidden from lists unless asked, and cannot be deleted', async () => {
    const s = await start();
    const token = await adminToken(s);
    const integrationId = await restIntegration(s, token);
    const cred = await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations/credentials', {
      name: 'oauth',
      type: { name: 'userDefinedOAuth' },
      credentialFields: { clientId: 'c', clientSecret: 's', loginUrl: 'https://auth.example/token' },
    });
    await call(s, token, 'PUT', `/api/v2/integrations/${integrationId}/config/current`, {
      name: 'Voice Biometrics',
      version: 1,
      credentials: { basicAuth: { id: cred.body.id } },
    });
    const authId = `customAuth_-_${integrationId}`;
    const auth = await call<{ config: { request: { requestUrlTemplate: string } } }>(
      s,
      token,
      'GET',
      `/api/v2/integrations/actions/${authId}?includeConfig=true`,
    );
    expect(auth.status).toBe(200);
    expect(auth.body.config.request.requestUrlTemplate).toBe('${credentials.loginUrl}');
    const hidden = await call<{ total: number }>(s, token, 'GET', '/api/v2/integrations/actions');
    expect(hidden.body.total).toBe(0);
    const shown = await call<{ total: number }>(
      s,
      token,
      'GET',
      '/api/v2/integrations/actions?includeAuthActions=true',
    );
    expect(shown.body.total).toBe(1);
    expect((await call(s, token, 'DELETE', `/api/v2/integrations/actions/${authId}`)).status).toBe(400);
    const draft = await call(s, token, 'POST', `/api/v2/integrations/actions/${authId}/draft`);
    expect(draft.status).toBe(200);
  });
});
