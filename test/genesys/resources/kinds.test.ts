import { afterEach, describe, expect, it } from 'vitest';
import type { KitConfig } from '../../../src/config/schema.js';
import type { KindContext } from '../../../src/genesys/engine/resource.js';
import { ownershipMarker } from '../../../src/genesys/engine/ownership.js';
import { createPlatformClient, type PlatformClient } from '../../../src/genesys/platform/index.js';
import {
  createOrg,
  names,
  widgetAppUrl,
  widgetPageUrl,
  type GenesysOrg,
} from '../../../src/genesys/resources/index.js';
import { credentialKind } from '../../../src/genesys/resources/credential/kind.js';
import { integrationKind } from '../../../src/genesys/resources/integration/kind.js';
import { detachRoleFromClient } from '../../../src/genesys/resources/oauth-client/api.js';
import { idsForNames } from '../../../src/genesys/resources/shared/lookups.js';
import type { GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { adminApi, startOrg, workspace } from '../../provision/helpers.js';
import { genesysOf } from '../../../src/config/platform.js';

/* Resource kinds one at a time, against the sandbox org, with a hand-made kind context. */

const tmp = useTmpDir();
const open: { s: GenesysSandbox; p: PlatformClient }[] = [];
afterEach(async () => {
  for (const { s, p } of open.splice(0)) {
    p.close();
    await s.stop();
  }
});

async function setup() {
  const s = await startOrg();
  const ws = workspace(s, tmp());
  const platform = createPlatformClient(genesysOf(ws.config));
  open.push({ s, p: platform });
  const org = createOrg(platform, { provisionerClientId: s.adminClient.id });
  const outputs = new Map<string, string>();
  const ctx: KindContext<GenesysOrg> = {
    org,
    deploymentId: 'dep-test',
    marker: ownershipMarker('dep-test'),
    outputOf: (kind, name) => outputs.get(`${kind}/${name}`),
    recorded: () => [],
    remember: () => undefined,
    recall: () => undefined,
  };
  return { s, ws, ctx, outputs, platform };
}

describe('names and URLs', () => {
  it('puts the widget page at backend.publicUrl, with or without its trailing slash', () => {
    const at = (publicUrl: string) => ({ backend: { publicUrl } }) as Pick<KitConfig, 'backend'>;
    expect(widgetPageUrl(at('https://vb.example.com'))).toBe('https://vb.example.com/');
    expect(widgetPageUrl(at('https://vb.example.com/base'))).toBe('https://vb.example.com/base/');
    expect(widgetAppUrl(at('https://vb.example.com/base/'))).toBe(
      'https://vb.example.com/base/?conversationId={{gcConversationId}}&gcHostOrigin={{gcHostOrigin}}&gcTargetEnv={{gcTargetEnv}}&langTag={{gcLangTag}}',
    );
    expect(
      names({
        prefix: 'acme',
        widget: { name: 'VB', queues: [], groups: [], signalling: 'relay', consentWordingVersion: '1' },
      }),
    ).toMatchObject({
      role: 'acme Integration',
      widget: 'acme VB',
      dataActionCategory: 'acme Data Actions',
    });
  });

  it('matches queue and group names without regard to case, and lists what is missing', () => {
    const all = [
      { id: '1', name: 'Support' },
      { id: '2', name: 'Sales' },
    ];
    expect(idsForNames(all, ['support', 'SALES', 'Billing'])).toEqual({
      ids: ['1', '2'],
      missing: ['Billing'],
    });
  });
});

describe('integration kind', () => {
  it('re-reads the configuration version after a 409 and writes once it is current', async () => {
    const { s, ws, ctx, outputs } = await setup();
    const n = names(ws.config);
    for (const d of credentialKind.desired(ws.config)) {
      outputs.set(`credential/${d.name}`, (await credentialKind.create(ctx, d)).id);
    }
    const desired = integrationKind.desired(ws.config).find((d) => d.name === n.audiohook)!;
    const resolved = {
      ...desired,
      spec: {
        ...desired.spec,
        credentials: { audioHook: outputs.get(`credential/${n.audiohookCredential}`) },
      },
    };
    const { id } = await integrationKind.create(ctx, resolved);
    const api = await adminApi(s);
    const edit = async (connectionUri: string) => {
      const current = await api('GET', `/api/v2/integrations/${id}/config/current`);
      await api('PUT', `/api/v2/integrations/${id}/config/current`, {
        ...current.body,
        properties: { channel: 'both', connectionUri },
      });
    };
    // Drift the kit will repair; then someone saves again after the kit read the version.
    await edit('wss://changed.example/ws');
    const actual = (await integrationKind.read(ctx, ws.config.prefix)).find((a) => a.id === id)!;
    expect(actual).toMatchObject({
      owner: 'dep-test',
      spec: { enabled: true, configVersion: 3, ownershipMarker: true },
    });
    await edit('wss://changed-again.example/ws');
    s.resetRequestCounts();
    await integrationKind.update(ctx, resolved, actual);
    const puts = s.requestCounts().routes.find((r) => r.method === 'PUT')!;
    expect(puts.statuses).toEqual({ '200': 1, '409': 1 });
    const after = s.state.integrations.find((i) => i.id === id)!;
    expect(after.config.properties.connectionUri).toBe(ws.config.daspeak.audiohook!.connectionUri);
    expect(after.config.notes).toContain('[managed by daspeak-genesys; deployment dep-test]');
  });

  it('refuses to turn an integration of another type into one of the kit', async () => {
    const { ws, ctx } = await setup();
    const desired = integrationKind.desired(ws.config).find((d) => d.spec.type === 'custom-rest-actions')!;
    const actual = {
      kind: 'integration',
      name: desired.name,
      id: 'x',
      spec: { type: 'audiohook' },
      owner: 'dep-test',
    };
    await expect(integrationKind.update(ctx, desired, actual)).rejects.toMatchObject({
      code: 'provision.integration_type',
    });
  });
});

describe('oauth-client api', () => {
  it("takes a role back from a client, keeping everything else, and leaves a client's last role", async () => {
    const { s, ctx } = await setup();
    const api = await adminApi(s);
    const employee = s.state.roles.find((r) => r.name === 'employee')!;
    const admin = s.state.roles.find((r) => r.name === 'Sandbox Admin')!;
    const home = s.state.divisions.find((d) => d.homeDivision)!.id;
    const created = await api<{ id: string }>('POST', '/api/v2/oauth/clients', {
      name: 'Two roles',
      description: 'keep me',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      accessTokenValiditySeconds: 600,
      roleDivisions: [
        { roleId: employee.id, divisionId: home },
        { roleId: admin.id, divisionId: home },
      ],
    });
    expect(await detachRoleFromClient(ctx.org, created.body.id, admin.id)).toBe(true);
    const c = s.state.oauthClients.find((x) => x.id === created.body.id)!;
    expect(c).toMatchObject({
      description: 'keep me',
      accessTokenValiditySeconds: 600,
      roleDivisions: [{ roleId: employee.id, divisionId: home }],
    });
    expect(await detachRoleFromClient(ctx.org, created.body.id, admin.id)).toBe(false);
    expect(await detachRoleFromClient(ctx.org, created.body.id, employee.id)).toBe(false);
    expect(await detachRoleFromClient(ctx.org, 'no-such-client', employee.id)).toBe(false);
  });
});
