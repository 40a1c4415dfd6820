import type { OrgState, UserRecord } from './state/model.js';

/** `{id, name, selfUri}` of a division, as embedded in queues, users and flows. */
export function divisionRef(state: OrgState, id: string) {
  const d = state.divisions.find((x) => x.id === id);
  return { id, name: d?.name ?? '', selfUri: `/api/v2/authorization/divisions/${id}` };
}

export function organizationRef(state: OrgState) {
  return { id: state.organization.id, name: state.organization.name };
}

export function userView(state: OrgState, u: UserRecord) {
  return {
    id: u.id,
    name: u.name,
    division: divisionRef(state, u.divisionId),
    email: u.email,
    primaryContactInfo: [{ address: u.email, mediaType: 'EMAIL', type: 'PRIMARY' }],
    state: 'active',
    title: u.title,
    username: u.username,
    version: u.version,
    acdAutoAnswer: false,
    selfUri: `/api/v2/users/${u.id}`,
  };
}

export function userAuthorization(state: OrgState, u: UserRecord) {
  const roles = state.roles.filter((r) => u.roleIds.includes(r.id));
  const permissionPolicies = roles.flatMap((r) => r.permissionPolicies);
  return {
    roles: roles.map((r) => ({ id: r.id, name: r.name, selfUri: `/api/v2/authorization/roles/${r.id}` })),
    unusedRoles: [],
    permissions: [
      ...new Set(
        permissionPolicies.flatMap((p) => p.actionSet.map((a) => `${p.domain}:${p.entityName}:${a}`)),
      ),
    ],
    permissionPolicies,
  };
}
