import { Type, type Static } from '@sinclair/typebox';
import type { Express, RequestHandler } from 'express';
import { badRequest, notFound } from '../api-error.js';
import { api } from '../http/pipeline.js';
import { PERMISSIONS } from '../permissions.js';
import { queryValue } from '../query.js';
import { parseBody, StringEnum } from '../body.js';
import type { SandboxContext } from '../http/context.js';
import type { OAuthClientRecord, OrgState, RoleRecord, UserRecord } from '../state/model.js';

/**
 * `POST` / `DELETE /sandbox/grants`: what an org admin does by hand in the Genesys UI (Admin > OAuth
 * > Roles, Admin > People > Roles). The admin holds every role, so Genesys' "grant only what you
 * hold" rule does not stop them; the kit's tests need this step because a client-credentials
 * provisioner cannot give itself the kit role through the API.
 */
export const AdminGrantSchema = Type.Object(
  {
    subject: Type.Object(
      {
        type: StringEnum(['client', 'user'] as const),
        id: Type.String({ minLength: 1 }),
      },
      { additionalProperties: false },
    ),
    roleId: Type.String({ minLength: 1 }),
    /** Client grants only; default the home division on grant, every division on revoke; `*` = all divisions. */
    divisionId: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type AdminGrantRequest = Static<typeof AdminGrantSchema>;

/** What the subject holds after the change. */
export interface AdminGrantResult {
  subject: { type: 'client' | 'user'; id: string; name: string };
  /** False when the grant was already there (a grant is idempotent). */
  changed: boolean;
  /** Clients: one entry per role and division; users: one per role, no division. */
  grants: { roleId: string; roleName: string; divisionId?: string }[];
}

const field = (fieldName: string, entityId?: string) => ({
  details: [{ errorCode: 'invalid.value', fieldName, ...(entityId ? { entityId } : {}) }],
});

function findRole(state: OrgState, id: string): RoleRecord {
  const role = state.roles.find((r) => r.id === id);
  if (!role) throw notFound(`Role ${id} not found`, id);
  return role;
}

function findClient(state: OrgState, id: string): OAuthClientRecord {
  const c = state.oauthClients.find((x) => x.id === id);
  if (!c) throw notFound(`OAuth client ${id} not found`, id);
  return c;
}

function findUser(state: OrgState, id: string): UserRecord {
  const u = state.users.find((x) => x.id === id);
  if (!u) throw notFound(`User ${id} not found`, id);
  return u;
}

function roleName(state: OrgState, id: string): string {
  return state.roles.find((r) => r.id === id)?.name ?? '';
}

function clientResult(state: OrgState, c: OAuthClientRecord, changed: boolean): AdminGrantResult {
  return {
    subject: { type: 'client', id: c.id, name: c.name },
    changed,
    grants: c.roleDivisions.map((g) => ({
      roleId: g.roleId,
      roleName: roleName(state, g.roleId),
      divisionId: g.divisionId,
    })),
  };
}

function userResult(state: OrgState, u: UserRecord, changed: boolean): AdminGrantResult {
  return {
    subject: { type: 'user', id: u.id, name: u.name },
    changed,
    grants: u.roleIds.map((id) => ({ roleId: id, roleName: roleName(state, id) })),
  };
}

/**
 * The division a client grant is about: the one named (it must exist, or be `*`), else the home
 * division for a grant and "every division" (undefined) for a revoke.
 */
function clientDivision(state: OrgState, body: AdminGrantRequest, revoke: boolean): string | undefined {
  if (body.divisionId === undefined) {
    if (revoke) return undefined;
    return state.divisions.find((d) => d.homeDivision)?.id ?? '*';
  }
  if (body.divisionId !== '*' && !state.divisions.some((d) => d.id === body.divisionId)) {
    throw notFound(`Division ${body.divisionId} not found`, body.divisionId);
  }
  return body.divisionId;
}

/** The sandbox's user roles carry no division (as `PUT /api/v2/users/{id}/roles` takes bare role ids). */
function refuseUserDivision(body: AdminGrantRequest): void {
  if (body.divisionId !== undefined) {
    throw badRequest(
      'divisionId applies to OAuth client grants only; user roles in the sandbox have no division.',
      field('divisionId'),
    );
  }
}

function grantToClient(state: OrgState, c: OAuthClientRecord, body: AdminGrantRequest): boolean {
  // The same rule as POST/PUT /api/v2/oauth/clients: only client-credentials clients hold roles.
  if (c.authorizedGrantType !== 'CLIENT-CREDENTIALS') {
    throw badRequest(
      `Roles can only be assigned to CLIENT-CREDENTIALS clients, not ${c.authorizedGrantType}.`,
      field('subject.id', c.id),
    );
  }
  const divisionId = clientDivision(state, body, false)!;
  if (c.roleDivisions.some((g) => g.roleId === body.roleId && g.divisionId === divisionId)) return false;
  c.roleDivisions.push({ roleId: body.roleId, divisionId });
  return true;
}

function revokeFromClient(state: OrgState, c: OAuthClientRecord, body: AdminGrantRequest): void {
  const divisionId = clientDivision(state, body, true);
  const matches = (g: { roleId: string; divisionId: string }) =>
    g.roleId === body.roleId && (divisionId === undefined || g.divisionId === divisionId);
  if (!c.roleDivisions.some(matches)) {
    throw notFound(
      `OAuth client ${c.name} does not hold role ${roleName(state, body.roleId)}` +
        (divisionId === undefined ? '' : ` in division ${divisionId}`),
      body.roleId,
    );
  }
  const left = c.roleDivisions.filter((g) => !matches(g));
  // Genesys will not save a client-credentials client without a role (see POST /oauth/clients).
  if (left.length === 0) {
    throw badRequest(
      'A client credentials client requires at least one role; grant another before revoking this one.',
      field('roleId', body.roleId),
    );
  }
  c.roleDivisions = left;
}

/**
 * Grants (or revokes) one role as the org admin would in the UI. Throws a GenesysApiError: 400 for
 * a bad body, 404 for an unknown subject, role or division, or a revoke of a grant not held.
 * Changes apply at once (real Genesys is eventually consistent; Terraform waits 10 s, §4.1).
 */
export function applyAdminGrant(
  state: OrgState,
  input: unknown,
  action: 'grant' | 'revoke',
  now: () => string,
): AdminGrantResult {
  const body = parseBody(AdminGrantSchema, input);
  if (body.subject.type === 'client') {
    const c = findClient(state, body.subject.id);
    findRole(state, body.roleId);
    let changed = true;
    if (action === 'grant') changed = grantToClient(state, c, body);
    else revokeFromClient(state, c, body);
    if (changed) c.dateModified = now();
    return clientResult(state, c, changed);
  }
  const u = findUser(state, body.subject.id);
  findRole(state, body.roleId);
  refuseUserDivision(body);
  const holds = u.roleIds.includes(body.roleId);
  if (action === 'grant') {
    if (holds) return userResult(state, u, false);
    u.roleIds = [...u.roleIds, body.roleId];
  } else {
    if (!holds)
      throw notFound(`User ${u.name} does not hold role ${roleName(state, body.roleId)}`, body.roleId);
    u.roleIds = u.roleIds.filter((id) => id !== body.roleId);
  }
  u.version += 1;
  return userResult(state, u, true);
}

/** Sandbox-only, no token, not counted (like every `/sandbox/` route). */
export function adminGrantRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;
  const handle =
    (action: 'grant' | 'revoke'): RequestHandler =>
    (req, res) => {
      const result = applyAdminGrant(state, req.body, action, () => ctx.store.iso());
      if (result.changed) ctx.store.changed();
      res.json(result);
    };
  app.post('/sandbox/grants', handle('grant'));
  app.delete('/sandbox/grants', handle('revoke'));
}

/**
 * `POST /api/v2/authorization/subjects/{subjectId}/divisions/{divisionId}/roles/{roleId}?subjectType=`
 * (`AuthorizationApi.postAuthorizationSubjectDivisionRole`, "Make a grant of a role in a division";
 * subjectType PC_USER, PC_GROUP or PC_OAUTH_CLIENT, default PC_USER): the one Platform API call with
 * which an admin gives the provisioning client the kit role. Needs `authorization:grant:add`. Like a
 * user role grant (`PUT /api/v2/users/{id}/roles`), and unlike the OAuth client API, the sandbox does
 * not require the caller to hold the role: this is the admin's grant (docs/genesys-sandbox.md says
 * it is an assumption). Groups are not modelled (400). Answers 204.
 */
export function subjectGrantRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;
  app.post(
    '/api/v2/authorization/subjects/:subjectId/divisions/:divisionId/roles/:roleId',
    ...api(ctx, PERMISSIONS.grantAdd, (req, res) => {
      const subjectType = queryValue(req, 'subjectType') ?? 'PC_USER';
      const subjectId = String(req.params.subjectId);
      const divisionId = String(req.params.divisionId);
      const roleId = String(req.params.roleId);
      let result: AdminGrantResult;
      if (subjectType === 'PC_OAUTH_CLIENT') {
        result = applyAdminGrant(
          state,
          { subject: { type: 'client', id: subjectId }, roleId, divisionId },
          'grant',
          () => ctx.store.iso(),
        );
      } else if (subjectType === 'PC_USER') {
        if (divisionId !== '*' && !state.divisions.some((d) => d.id === divisionId)) {
          throw notFound(`Division ${divisionId} not found`, divisionId);
        }
        result = applyAdminGrant(state, { subject: { type: 'user', id: subjectId }, roleId }, 'grant', () =>
          ctx.store.iso(),
        );
      } else if (subjectType === 'PC_GROUP') {
        throw badRequest('The sandbox org does not model role grants to groups.', field('subjectType'));
      } else {
        throw badRequest(
          `subjectType must be PC_USER, PC_GROUP or PC_OAUTH_CLIENT, not ${subjectType}.`,
          field('subjectType'),
        );
      }
      if (result.changed) ctx.store.changed();
      res.status(204).end();
    }),
  );
}
