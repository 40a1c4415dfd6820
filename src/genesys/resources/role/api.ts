import type { GenesysOrg } from '../shared/org.js';

/** The Platform API calls of the role kind (AuthorizationApi), and nothing else. */

export interface RoleRecord {
  id: string;
  name: string;
  description: string;
  permissions: string[];
}

/** `domain:entity:action` strings grouped into Genesys permission policies (one per domain and entity). */
export function policiesOf(permissions: string[]) {
  const byKey = new Map<string, { domain: string; entityName: string; actionSet: string[] }>();
  for (const p of permissions) {
    const [domain = '', entityName = '', action = ''] = p.split(':');
    const key = `${domain}:${entityName}`;
    const policy = byKey.get(key) ?? { domain, entityName, actionSet: [] };
    if (!policy.actionSet.includes(action)) policy.actionSet.push(action);
    byKey.set(key, policy);
  }
  return [...byKey.values()];
}

export async function listRoles(org: GenesysOrg): Promise<RoleRecord[]> {
  const { platform } = org;
  const out: RoleRecord[] = [];
  for await (const r of platform.paginate(
    (pageNumber) => platform.api.authorization.getAuthorizationRoles({ pageSize: 100, pageNumber }),
    { description: 'roles' },
  )) {
    if (!r.id || !r.name) continue;
    const fromPolicies = (r.permissionPolicies ?? []).flatMap((p) =>
      (p.actionSet ?? []).map((a) => `${p.domain}:${p.entityName}:${a}`),
    );
    out.push({
      id: r.id,
      name: r.name,
      description: r.description ?? '',
      permissions: [...new Set([...(r.permissions ?? []), ...fromPolicies])],
    });
  }
  return out;
}

export async function createRole(
  org: GenesysOrg,
  body: { name: string; description: string; permissions: string[] },
): Promise<string> {
  const role = await org.platform.call(
    () =>
      org.platform.api.authorization.postAuthorizationRoles({
        name: body.name,
        description: body.description,
        permissionPolicies: policiesOf(body.permissions),
      }),
    { description: `create role ${body.name}` },
  );
  return role.id!;
}

export async function updateRole(
  org: GenesysOrg,
  id: string,
  body: { name: string; description: string; permissions: string[] },
): Promise<void> {
  await org.platform.call(
    () =>
      org.platform.api.authorization.putAuthorizationRole(id, {
        name: body.name,
        description: body.description,
        permissionPolicies: policiesOf(body.permissions),
      }),
    { description: `update role ${body.name}` },
  );
}

export async function deleteRole(org: GenesysOrg, id: string): Promise<void> {
  await org.platform.call(() => org.platform.api.authorization.deleteAuthorizationRole(id), {
    description: 'delete role',
  });
}
