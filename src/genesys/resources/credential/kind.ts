import type { KitConfig } from '../../../config/schema.js';
import { audiohookOf } from '../../../config/platform.js';
import { ownerFromText } from '../../engine/ownership.js';
import type { ActualObject, DesiredObject, ResourceKind } from '../../engine/resource.js';
import { listIntegrations } from '../integration/api.js';
import { inNamespace, names } from '../names.js';
import type { GenesysOrg } from '../shared/org.js';
import { createCredential, deleteCredential, listCredentials, updateCredential } from './api.js';

export const CREDENTIAL_KIND = 'credential';

/**
 * Integration credentials. Genesys never shows their fields, so the secrets are compared through
 * fingerprints kept in state. A credential has no description for an ownership marker: it belongs
 * to the deployment whose integration refers to it, else the state file (or the journal) decides.
 */
export const credentialKind: ResourceKind<KitConfig, GenesysOrg> = {
  kind: CREDENTIAL_KIND,
  dependsOn: [],

  desired(config): DesiredObject[] {
    const n = names(config);
    return [
      {
        kind: CREDENTIAL_KIND,
        name: n.audiohookCredential,
        spec: {
          type: 'audioHook',
          fields: {
            apiKey: audiohookOf(config).apiKey,
            clientSecret: audiohookOf(config).clientSecret,
          },
        },
        secretPaths: ['fields.apiKey', 'fields.clientSecret'],
      },
      {
        kind: CREDENTIAL_KIND,
        name: n.dataActionsCredential,
        // userDefined fields are `${credentials.<name>}` in the data-action templates.
        spec: {
          type: 'userDefined',
          fields: {
            daspeakApiKey: config.daspeak.rest.apiKey,
            // The first key is provisioned; a second one exists only during a rotation.
            backendApiKey: config.backend.apiKeys[0],
          },
        },
        secretPaths: ['fields.daspeakApiKey', 'fields.backendApiKey'],
      },
    ];
  },

  async read(ctx, prefix): Promise<ActualObject[]> {
    const mine = (await listCredentials(ctx.org)).filter((c) => inNamespace(c.name, prefix));
    if (mine.length === 0) return [];
    const integrations = await listIntegrations(ctx.org);
    return mine.map((c) => {
      const user = integrations.find((i) => Object.values(i.credentials).includes(c.id));
      return {
        kind: CREDENTIAL_KIND,
        name: c.name,
        id: c.id,
        spec: { type: c.type },
        owner: user ? (ownerFromText(user.notes) ?? undefined) : undefined,
      };
    });
  },

  async create(ctx, desired) {
    const id = await createCredential(ctx.org, bodyOf(desired));
    return { id };
  },

  async update(ctx, desired, actual) {
    await updateCredential(ctx.org, actual.id, bodyOf(desired));
    return { id: actual.id };
  },

  async remove(ctx, actual) {
    await deleteCredential(ctx.org, actual.id);
  },
};

function bodyOf(d: DesiredObject) {
  return { name: d.name, type: d.spec.type as string, fields: d.spec.fields as Record<string, string> };
}
