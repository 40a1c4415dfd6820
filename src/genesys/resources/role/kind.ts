import type { KitConfig } from '../../../config/schema.js';
import { ownerFromText, withMarker } from '../../engine/ownership.js';
import type { ActualObject, DesiredObject, ResourceKind } from '../../engine/resource.js';
import { names, inNamespace } from '../names.js';
import { detachRoleFromClient } from '../oauth-client/api.js';
import type { GenesysOrg } from '../shared/org.js';
import { sorted } from '../shared/lookups.js';
import { createRole, deleteRole, listRoles, updateRole } from './api.js';

export const ROLE_KIND = 'role';

/**
 * What the kit's client-credentials client may do, and nothing more: the backend reads a
 * conversation to check that an agent is on it and who the caller is; flows are published with the
 * kit's own client (Architect jobs) and find their data actions.
 */
export const KIT_ROLE_PERMISSIONS: readonly string[] = [
  'architect:flow:add',
  'architect:flow:edit',
  'architect:flow:publish',
  'architect:flow:view',
  'architect:job:create',
  'architect:job:view',
  'conversation:communication:view',
  'integrations:action:view',
];

const DESCRIPTION = 'Permissions of the daspeak-genesys OAuth clients.';

export const roleKind: ResourceKind<KitConfig, GenesysOrg> = {
  kind: ROLE_KIND,
  dependsOn: [],

  desired(config): DesiredObject[] {
    return [
      {
        kind: ROLE_KIND,
        name: names(config).role,
        spec: { ownershipMarker: true, permissions: sorted([...KIT_ROLE_PERMISSIONS]) },
      },
    ];
  },

  async read(ctx, prefix): Promise<ActualObject[]> {
    return (await listRoles(ctx.org))
      .filter((r) => inNamespace(r.name, prefix))
      .map((r) => {
        const owner = ownerFromText(r.description);
        return {
          kind: ROLE_KIND,
          name: r.name,
          id: r.id,
          spec: { ownershipMarker: owner === ctx.deploymentId, permissions: sorted(r.permissions) },
          owner,
        };
      });
  },

  async create(ctx, desired) {
    const id = await createRole(ctx.org, {
      name: desired.name,
      description: withMarker(DESCRIPTION, ctx.deploymentId),
      permissions: desired.spec.permissions as string[],
    });
    return { id };
  },

  async update(ctx, desired, actual) {
    await updateRole(ctx.org, actual.id, {
      name: desired.name,
      description: withMarker(DESCRIPTION, ctx.deploymentId),
      permissions: desired.spec.permissions as string[],
    });
    return { id: actual.id };
  },

  async remove(ctx, actual) {
    // Genesys refuses to delete a role an OAuth client still holds; the provisioning client may hold
    // it because the admin gave it the role so the kit could assign it (see oauth-client).
    await detachRoleFromClient(ctx.org, ctx.org.provisionerClientId, actual.id);
    await deleteRole(ctx.org, actual.id);
  },
};
