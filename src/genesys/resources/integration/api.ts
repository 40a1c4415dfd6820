import type platformClient from 'purecloud-platform-client-v2';
import { KitError } from '../../../errors.js';
import { isGenesysApiError } from '../../platform/index.js';
import type { GenesysOrg } from '../shared/org.js';

/** The Platform API calls of the integration kind (IntegrationsApi), and nothing else. */

export interface IntegrationRecord {
  id: string;
  /** The name of the current configuration (what Genesys shows). */
  name: string;
  typeId: string;
  notes: string;
  enabled: boolean;
  reportedState: string | undefined;
  version: number;
  properties: Record<string, unknown>;
  advanced: Record<string, unknown>;
  /** Credential slot → credential id. */
  credentials: Record<string, string>;
}

export interface IntegrationConfigBody {
  name: string;
  notes: string;
  properties: Record<string, unknown>;
  advanced: Record<string, unknown>;
  credentials: Record<string, string>;
}

const LOOKUP = 'integrations';

function record(i: platformClient.Models.Integration): IntegrationRecord {
  const current = i.config?.current;
  return {
    id: i.id ?? '',
    name: current?.name ?? i.name ?? '',
    typeId: i.integrationType?.id ?? '',
    notes: current?.notes ?? i.notes ?? '',
    enabled: i.intendedState === 'ENABLED',
    reportedState: i.reportedState?.code,
    version: current?.version ?? 1,
    properties: (current?.properties ?? {}) as Record<string, unknown>,
    advanced: (current?.advanced ?? {}) as Record<string, unknown>,
    credentials: Object.fromEntries(
      Object.entries(current?.credentials ?? {}).flatMap(([k, v]) => (v.id ? [[k, v.id]] : [])),
    ),
  };
}

/** Every integration with its current configuration; shared by the kinds that need it (one read a run). */
export function listIntegrations(org: GenesysOrg): Promise<IntegrationRecord[]> {
  return org.lookups.once(LOOKUP, async () => {
    const { platform } = org;
    const out: IntegrationRecord[] = [];
    for await (const i of platform.paginate(
      (pageNumber) =>
        platform.api.integrations.getIntegrations({ pageSize: 100, pageNumber, expand: ['config.current'] }),
      { description: 'integrations' },
    )) {
      if (i.id) out.push(record(i));
    }
    return out;
  });
}

export async function createIntegration(org: GenesysOrg, name: string, typeId: string): Promise<string> {
  org.lookups.forget(LOOKUP);
  const i = await org.platform.call(
    () => org.platform.api.integrations.postIntegrations({ body: { name, integrationType: { id: typeId } } }),
    { description: `create integration ${name}` },
  );
  return i.id!;
}

async function currentVersion(org: GenesysOrg, id: string): Promise<number> {
  const c = await org.platform.call(() => org.platform.api.integrations.getIntegrationConfigCurrent(id), {
    description: 'read an integration configuration',
  });
  return c.version;
}

const isVersionConflict = (err: unknown) =>
  isGenesysApiError(err) &&
  (err.status === 409 || (err.status === 400 && /does not match the current version/i.test(err.message)));

/**
 * Replaces the integration's configuration. Genesys wants the current version with every PUT and
 * answers 409 to a stale one; like Terraform, the kit reads the version again and retries.
 */
export async function putConfig(
  org: GenesysOrg,
  id: string,
  body: IntegrationConfigBody,
  knownVersion?: number,
): Promise<void> {
  org.lookups.forget(LOOKUP);
  let version = knownVersion ?? (await currentVersion(org, id));
  for (let attempt = 1; ; attempt++) {
    try {
      await org.platform.call(
        () =>
          org.platform.api.integrations.putIntegrationConfigCurrent(id, {
            body: {
              name: body.name,
              version,
              properties: body.properties,
              advanced: body.advanced,
              notes: body.notes,
              credentials: Object.fromEntries(
                Object.entries(body.credentials).map(([k, v]) => [k, { id: v }]),
              ),
            },
          }),
        { description: `configure integration ${body.name}` },
      );
      return;
    } catch (err) {
      if (!isVersionConflict(err) || attempt >= 5) throw err;
      version = await currentVersion(org, id);
    }
  }
}

export async function setEnabled(org: GenesysOrg, id: string, enabled: boolean): Promise<void> {
  org.lookups.forget(LOOKUP);
  await org.platform.call(
    () =>
      org.platform.api.integrations.patchIntegration(id, {
        body: { intendedState: enabled ? 'ENABLED' : 'DISABLED' },
      }),
    { description: `${enabled ? 'enable' : 'disable'} an integration` },
  );
}

export async function deleteIntegration(org: GenesysOrg, id: string): Promise<void> {
  org.lookups.forget(LOOKUP);
  try {
    await org.platform.call(() => org.platform.api.integrations.deleteIntegration(id), {
      description: 'delete an integration',
    });
  } catch (err) {
    if (isGenesysApiError(err) && err.status === 404) return;
    throw err;
  }
}

/** How many integrations of a type the org allows (`maxInstances`), for doctor. */
export async function maxInstances(org: GenesysOrg, typeId: string): Promise<number | undefined> {
  const t = await org.platform.call(() => org.platform.api.integrations.getIntegrationsType(typeId), {
    description: `read integration type ${typeId}`,
  });
  const max = (t as { maxInstances?: unknown }).maxInstances;
  return typeof max === 'number' ? max : undefined;
}

export function typeMismatch(name: string, actual: string, wanted: string): KitError {
  return new KitError(
    'provision.integration_type',
    `integration "${name}" is of type ${actual}, but the kit needs ${wanted} under that name`,
    { hint: 'run daspeak-genesys destroy (or delete that integration), then provision again' },
  );
}
