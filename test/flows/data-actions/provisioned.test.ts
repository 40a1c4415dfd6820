import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createPlatformClient } from '../../../src/genesys/platform/index.js';
import { createOrg, listActions, renderDataActions } from '../../../src/genesys/resources/index.js';
import type { GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { adminApi, kitObjects, provisionReady, startOrg } from '../../provision/helpers.js';
import { startServices, type Services } from './helpers.js';
import { genesysOf } from '../../../src/config/platform.js';

/*
 * The actions provision puts in the org are the templates' definitions, byte for byte, and they run
 * in the org (the sandbox's test route, with the offline executor injected) against the das-Peak
 * emulator and the backend, with the credential provision stored.
 */

const tmp = useTmpDir();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

interface TestResult {
  success: boolean;
  finalResult?: Record<string, unknown>;
  error?: { message: string; status?: number };
}

describe('provisioned data actions', () => {
  it('are the rendered templates byte for byte, and run in the org against das-Peak and the backend', async () => {
    const org: GenesysSandbox = await startOrg();
    stops.push(() => org.stop());
    const services: Services = await startServices(tmp(), org);
    stops.unshift(() => services.stop());
    await provisionReady(org, services.ws);

    // Byte for byte: what the org returns (minus the URIs it adds) is what the templates render.
    const platform = createPlatformClient(genesysOf(services.config));
    stops.unshift(async () => platform.close());
    const provisioned = await listActions(createOrg(platform, { provisionerClientId: org.adminClient.id }));
    const rendered = renderDataActions(services.config);
    expect(provisioned.map((a) => a.name).sort()).toEqual(rendered.map((r) => r.definition.name).sort());
    for (const { definition } of rendered) {
      const found = provisioned.find((a) => a.name === definition.name)!;
      expect(JSON.stringify(found.definition)).toBe(JSON.stringify(definition));
    }

    // Run in the org: Genesys' test route, which uses the integration's (provisioned) credential.
    const api = await adminApi(org);
    const idOf = (name: string) => kitObjects(org).actions.find((a) => a.published?.name === name)!.id;
    const test = async (name: string, input: Record<string, unknown>) =>
      (await api<TestResult>('POST', `/api/v2/integrations/actions/${idOf(name)}/test`, input)).body;

    const settings = await test('daspeak Create Audio Settings', {});
    expect(settings).toMatchObject({ success: true, finalResult: { audioSettingsId: expect.any(String) as string } });
    const session = await test('daspeak Create Register Session', {
      audioSettingsId: settings.finalResult!.audioSettingsId,
      conversationId: randomUUID(),
    });
    expect(session).toMatchObject({ success: true, finalResult: { status: 'waiting-consumer' } });
    const conversationId = randomUUID();
    const consent = await test('daspeak Store Consent', {
      ani: '+34600000002',
      conversationId,
      wordingVersion: 'v1',
    });
    expect(consent).toMatchObject({ success: true, finalResult: { recorded: true, granted: true } });
    expect(
      await test('daspeak Start Verification', {
        ani: '+34600000002',
        conversationId,
        audioSettingsId: settings.finalResult!.audioSettingsId,
      }),
    ).toMatchObject({ success: true, finalResult: { found: false, sessionId: '' } });
    // A failure comes back as Genesys reports one: success false with the upstream status.
    const failed = await test('daspeak Get Session Status', { sessionId: 'nope' });
    expect(failed).toMatchObject({ success: false, error: { status: 404 } });
  });
});
