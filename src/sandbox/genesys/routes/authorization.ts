import { Type, type Static } from '@sinclair/typebox';
import type { Express } from 'express';
import { badRequest, conflict, notFound } from '../api-error.js';
import { parseBody } from '../body.js';
import type { SandboxContext } from '../http/context.js';
import { api } from '../http/pipeline.js';
import { newId } from '../ids.js';
import { pageOf } from '../paging.js';
import {
  grants,
  PERMISSION_PART,
  PERMISSIONS,
  permissionsOf,
  policiesFromPermissions,
  type PermissionPolicy,
} from '../permissions.js';
import { queryList, queryValue } from '../query.js';
import type { DivisionRecord, GroupRecord, OrgState, RoleRecord } from '../state/model.js';

const ReadOnly = Type.Optional(Type.Unknown());

const PolicySchema = Type.Object(
  {
    domain: Type.String({ minLength: 1 }),
    entityName: Type.String({ minLength: 1 }),
    actionSet: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    policyName: Type.Optional(Type.String()),
    policyDescription: Type.Optional(Type.String()),
    allowConditions: Type.Optional(Type.Boolean()),
    namedResources: Type.Optional(Type.Array(Type.String())),
    id: ReadOnly,
  },
  { additionalProperties: false },
);

/** `DomainOrganizationRoleCreate`/`…Update`; read-only fields a GET returns are accepted and ignored. */
export const RoleRequestSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String()),
    permissionPolicies: Type.Optional(Type.Array(PolicySchema)),
    permissions: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    id: ReadOnly,
    defaultRoleId: ReadOnly,
    unusedPermissions: ReadOnly,
    userCount: ReadOnly,
    roleNeedsUpdate: ReadOnly,
    base: ReadOnly,
    default: ReadOnly,
    selfUri: ReadOnly,
  },
  { additionalProperties: false },
);
type RoleRequest = Static<typeof RoleRequestSchema>;

export function roleView(state: OrgState, r: RoleRecord) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    permissions: permissionsOf(r.permissionPolicies),
    permissionPolicies: r.permissionPolicies.map((p) => ({ ...p, actionSet: [...p.actionSet] })),
    userCount: state.users.filter((u) => u.roleIds.includes(r.id)).length,
    default: r.default,
    base: false,
    selfUri: `/api/v2/authorization/roles/${r.id}`,
  };
}

export function divisionView(d: DivisionRecord) {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    homeDivision: d.homeDivision,
    selfUri: `/api/v2/authorization/divisions/${d.id}`,
  };
}

export function groupView(g: GroupRecord) {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    dateModified: g.dateModified,
    memberCount: g.memberIds.length,
    state: 'active',
    version: g.version,
    type: 'official',
    rulesVisible: true,
    visibility: 'public',
    selfUri: `/api/v2/groups/${g.id}`,
  };
}

/** Policies of a role request: `permissionPolicies`, plus the legacy `permissions` strings. */
function policiesOf(body: RoleRequest): PermissionPolicy[] {
  const legacy = body.permissions ?? [];
  for (const p of legacy) {
    const parts = p.split(':');
    if (parts.length !== 3 || !parts.every((x) => PERMISSION_PART.test(x))) {
      throw badRequest(`Permission "${p}" is not of the form domain:entity:action.`, {
        details: [{ errorCode: 'invalid.value', fieldName: 'permissions' }],
      });
    }
  }
  const policies = (body.permissionPolicies ?? []).map((p) => ({
    domain: p.domain,
    entityName: p.entityName,
    actionSet: [...new Set(p.actionSet)],
  }));
  for (const p of policies) {
    for (const part of [p.domain, p.entityName, ...p.actionSet]) {
      if (!PERMISSION_PART.test(part)) {
        throw badRequest(`Permission policy ${p.domain}:${p.entityName} has an invalid name "${part}".`, {
          details: [{ errorCode: 'invalid.value', fieldName: 'permissionPolicies' }],
        });
      }
    }
  }
  return [...policies, ...policiesFromPermissions(legacy)];
}

export function authorizationRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;
  const findRole = (id: string) => {
    const r = state.roles.find((x) => x.id === id);
    if (!r) throw notFound(`Role ${id} not found`, id);
    return r;
  };
  const assertNameFree = (name: string, exceptId?: string) => {
    if (state.roles.some((r) => r.id !== exceptId && r.name.toLowerCase() === name.toLowerCase())) {
      throw conflict(`A role named "${name}" already exists.`);
    }
  };

  app.get(
    '/api/v2/authorization/roles',
    ...api(ctx, PERMISSIONS.roleView, (req, res) => {
      const name = queryValue(req, 'name')?.toLowerCase();
      const ids = queryList(req, 'id');
      const permissions = queryList(req, 'permission');
      const roles = state.roles
        .filter((r) => name === undefined || r.name.toLowerCase() === name)
        .filter((r) => ids.length === 0 || ids.includes(r.id))
        .filter((r) => permissions.every((p) => grants(r.permissionPolicies, p)));
      res.json(
        pageOf(
          req,
          '/api/v2/authorization/roles',
          roles.map((r) => roleView(state, r)),
        ),
      );
    }),
  );

  app.get(
    '/api/v2/authorization/roles/:roleId',
    ...api(ctx, PERMISSIONS.roleView, (req, res) => {
      res.json(roleView(state, findRole(String(req.params.roleId))));
    }),
  );

  app.post(
    '/api/v2/authorization/roles',
    ...api(ctx, PERMISSIONS.roleAdd, (req, res) => {
      const body = parseBody(RoleRequestSchema, req.body);
      assertNameFree(body.name);
      const at = ctx.store.iso();
      const role: RoleRecord = {
        id: newId(),
        name: body.name,
        description: body.description ?? '',
        default: false,
        permissionPolicies: policiesOf(body),
        dateCreated: at,
        dateModified: at,
      };
      state.roles.push(role);
      ctx.store.changed();
      res.json(roleView(state, role));
    }),
  );

  app.put(
    '/api/v2/authorization/roles/:roleId',
    ...api(ctx, PERMISSIONS.roleEdit, (req, res) => {
      const role = findRole(String(req.params.roleId));
      const body = parseBody(RoleRequestSchema, req.body);
      assertNameFree(body.name, role.id);
      if (role.default && body.name !== role.name) throw badRequest('A default role cannot be renamed.');
      role.name = body.name;
      role.description = body.description ?? '';
      role.permissionPolicies = policiesOf(body);
      role.dateModified = ctx.store.iso();
      ctx.store.changed();
      res.json(roleView(state, role));
    }),
  );

  app.delete(
    '/api/v2/authorization/roles/:roleId',
    ...api(ctx, PERMISSIONS.roleDelete, (req, res) => {
      const role = findRole(String(req.params.roleId));
      if (role.default) throw badRequest(`The default role "${role.name}" cannot be deleted.`);
      const clients = state.oauthClients.filter((c) => c.roleDivisions.some((g) => g.roleId === role.id));
      if (clients.length > 0) {
        throw conflict(
          `Role "${role.name}" is assigned to OAuth client(s) [${clients.map((c) => c.name).join(', ')}]; remove it from them first.`,
        );
      }
      const users = state.users.filter((u) => u.roleIds.includes(role.id));
      if (users.length > 0) {
        throw conflict(
          `Role "${role.name}" is assigned to ${users.length} user(s); remove it from them first.`,
        );
      }
      state.roles = state.roles.filter((r) => r.id !== role.id);
      ctx.store.changed();
      res.status(204).end();
    }),
  );

  app.get(
    '/api/v2/authorization/divisions',
    ...api(ctx, PERMISSIONS.divisionView, (req, res) => {
      const name = queryValue(req, 'name')?.toLowerCase();
      const ids = queryList(req, 'id');
      const divisions = state.divisions
        .filter((d) => name === undefined || d.name.toLowerCase().includes(name))
        .filter((d) => ids.length === 0 || ids.includes(d.id));
      res.json(pageOf(req, '/api/v2/authorization/divisions', divisions.map(divisionView)));
    }),
  );

  app.get(
    '/api/v2/authorization/divisions/home',
    ...api(ctx, PERMISSIONS.divisionView, (_req, res) => {
      const home = state.divisions.find((d) => d.homeDivision);
      if (!home) throw notFound('The organization has no home division');
      res.json(divisionView(home));
    }),
  );

  app.get(
    '/api/v2/authorization/divisions/:divisionId',
    ...api(ctx, PERMISSIONS.divisionView, (req, res) => {
      const id = String(req.params.divisionId);
      const d = state.divisions.find((x) => x.id === id);
      if (!d) throw notFound(`Division ${id} not found`, id);
      res.json(divisionView(d));
    }),
  );

  app.get(
    '/api/v2/groups',
    ...api(ctx, PERMISSIONS.groupView, (req, res) => {
      const ids = queryList(req, 'id');
      const groups = state.groups
        .filter((g) => ids.length === 0 || ids.includes(g.id))
        .sort((a, b) => a.name.localeCompare(b.name));
      if (queryValue(req, 'sortOrder')?.toUpperCase() === 'DESC') groups.reverse();
      res.json(pageOf(req, '/api/v2/groups', groups.map(groupView)));
    }),
  );

  app.get(
    '/api/v2/groups/:groupId',
    ...api(ctx, PERMISSIONS.groupView, (req, res) => {
      const id = String(req.params.groupId);
      const g = state.groups.find((x) => x.id === id);
      if (!g) throw notFound(`Group ${id} not found`, id);
      res.json(groupView(g));
    }),
  );
}
