import { Type, type Static } from '@sinclair/typebox';
import type { Express } from 'express';
import { badRequest, notFound } from '../api-error.js';
import { parseBody, StringEnum } from '../body.js';
import type { Principal, SandboxContext } from '../http/context.js';
import { api } from '../http/pipeline.js';
import { hashSecret, newId, newSecret } from '../ids.js';
import { pageOf } from '../paging.js';
import { PERMISSIONS } from '../permissions.js';
import type { OAuthClientRecord, OrgState, RoleDivision } from '../state/model.js';
import { assertCanGrant } from './grants.js';
import {
  CONFIRMED_GRANT_TYPES,
  PKCE_GRANT_TYPE,
} from '../../../genesys/resources/oauth-client/grant-types.js';

/** The confirmed five (reference §4.1) and the unconfirmed PKCE value (see PKCE_GRANT_TYPE). */
export const GRANT_TYPES = [...CONFIRMED_GRANT_TYPES, PKCE_GRANT_TYPE] as const;
const ReadOnly = Type.Optional(Type.Unknown());

/** `OAuthClientRequest`; the read-only fields of `OAuthClient` may come back on a PUT and are ignored. */
export const OAuthClientRequestSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    authorizedGrantType: StringEnum(GRANT_TYPES),
    description: Type.Optional(Type.String()),
    accessTokenValiditySeconds: Type.Optional(Type.Integer({ minimum: 300, maximum: 172800 })),
    registeredRedirectUri: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    roleIds: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    scope: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    roleDivisions: Type.Optional(
      Type.Array(
        Type.Object(
          { roleId: Type.String({ minLength: 1 }), divisionId: Type.String({ minLength: 1 }) },
          { additionalProperties: false },
        ),
      ),
    ),
    state: Type.Optional(StringEnum(['active', 'disabled', 'inactive'] as const)),
    dateToDelete: Type.Optional(Type.String({ minLength: 1 })),
    id: ReadOnly,
    secret: ReadOnly,
    dateCreated: ReadOnly,
    dateModified: ReadOnly,
    createdBy: ReadOnly,
    modifiedBy: ReadOnly,
    organization: ReadOnly,
    selfUri: ReadOnly,
  },
  { additionalProperties: false },
);
type OAuthClientRequest = Static<typeof OAuthClientRequestSchema>;

const entityRef = (id: string | undefined) =>
  id ? { id, selfUri: `/api/v2/oauth/clients/${id}` } : undefined;

export function oauthClientView(c: OAuthClientRecord, secret?: string) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    accessTokenValiditySeconds: c.accessTokenValiditySeconds,
    registeredRedirectUri: c.registeredRedirectUri,
    ...(secret !== undefined ? { secret } : {}),
    roleIds: [...new Set(c.roleDivisions.map((rd) => rd.roleId))],
    dateCreated: c.dateCreated,
    dateModified: c.dateModified,
    ...(c.createdBy ? { createdBy: entityRef(c.createdBy) } : {}),
    ...(c.modifiedBy ? { modifiedBy: entityRef(c.modifiedBy) } : {}),
    authorizedGrantType: c.authorizedGrantType,
    scope: c.scope,
    roleDivisions: c.roleDivisions,
    state: c.state,
    ...(c.dateToDelete ? { dateToDelete: c.dateToDelete } : {}),
    selfUri: `/api/v2/oauth/clients/${c.id}`,
  };
}

const field = (fieldName: string) => ({ details: [{ errorCode: 'invalid.value', fieldName }] });

/** Checks the grant-type rules and resolves the role grants; returns them. */
function checkRequest(state: OrgState, body: OAuthClientRequest): RoleDivision[] {
  const home = state.divisions.find((d) => d.homeDivision)?.id ?? '*';
  // roleIds is the deprecated form: roles in the home division.
  const grants: RoleDivision[] = [
    ...(body.roleDivisions ?? []),
    ...(body.roleIds ?? []).map((roleId) => ({ roleId, divisionId: home })),
  ];
  const cc = body.authorizedGrantType === 'CLIENT-CREDENTIALS';
  if (cc && grants.length === 0) {
    throw badRequest('A client credentials client requires at least one role.', field('roleDivisions'));
  }
  if (!cc && grants.length > 0) {
    throw badRequest(
      `Roles can only be assigned to CLIENT-CREDENTIALS clients, not ${body.authorizedGrantType}.`,
      field('roleDivisions'),
    );
  }
  if (cc && (body.scope ?? []).length > 0) {
    throw badRequest(
      'Scopes cannot be set on a CLIENT-CREDENTIALS client; its roles decide what it may do.',
      field('scope'),
    );
  }
  const redirects = body.registeredRedirectUri ?? [];
  if (['TOKEN', 'CODE', PKCE_GRANT_TYPE].includes(body.authorizedGrantType) && redirects.length === 0) {
    throw badRequest(
      `A ${body.authorizedGrantType} client requires at least one registeredRedirectUri.`,
      field('registeredRedirectUri'),
    );
  }
  for (const uri of redirects) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(uri).protocol);
    } catch {
      ok = false;
    }
    if (!ok)
      throw badRequest(
        `registeredRedirectUri ${uri} is not an absolute http(s) URL.`,
        field('registeredRedirectUri'),
      );
  }
  for (const g of grants) {
    if (!state.roles.some((r) => r.id === g.roleId)) {
      throw badRequest(`Role ${g.roleId} does not exist.`, {
        details: [{ errorCode: 'invalid.value', fieldName: 'roleDivisions.roleId', entityId: g.roleId }],
      });
    }
    if (g.divisionId !== '*' && !state.divisions.some((d) => d.id === g.divisionId)) {
      throw badRequest(`Division ${g.divisionId} does not exist.`, {
        details: [
          { errorCode: 'invalid.value', fieldName: 'roleDivisions.divisionId', entityId: g.divisionId },
        ],
      });
    }
  }
  const seen = new Set<string>();
  return grants.filter((g) => {
    const k = `${g.roleId}/${g.divisionId}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function callerId(p: Principal): string {
  return p.user?.id ?? p.client.id;
}

export function oauthClientRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;
  const find = (id: string) => {
    const c = state.oauthClients.find((x) => x.id === id);
    if (!c) throw notFound(`OAuth client ${id} not found`, id);
    return c;
  };

  app.get(
    '/api/v2/oauth/clients',
    ...api(ctx, PERMISSIONS.oauthClientView, (req, res) => {
      res.json(
        pageOf(
          req,
          '/api/v2/oauth/clients',
          state.oauthClients.map((c) => oauthClientView(c)),
        ),
      );
    }),
  );

  app.post(
    '/api/v2/oauth/clients',
    ...api(ctx, PERMISSIONS.oauthClientAdd, (req, res, p) => {
      const body = parseBody(OAuthClientRequestSchema, req.body);
      const roleDivisions = checkRequest(state, body);
      assertCanGrant(state, p, [...new Set(roleDivisions.map((g) => g.roleId))]);
      const secret = newSecret(32);
      const salt = newSecret(12);
      const at = ctx.store.iso();
      const record: OAuthClientRecord = {
        id: newId(),
        name: body.name,
        description: body.description ?? '',
        authorizedGrantType: body.authorizedGrantType,
        accessTokenValiditySeconds: body.accessTokenValiditySeconds ?? 86400,
        registeredRedirectUri: body.registeredRedirectUri ?? [],
        scope: body.scope ?? [],
        roleDivisions,
        state: body.state ?? 'active',
        ...(body.dateToDelete ? { dateToDelete: body.dateToDelete } : {}),
        secretHash: hashSecret(secret, salt),
        secretSalt: salt,
        dateCreated: at,
        dateModified: at,
        createdBy: callerId(p),
        modifiedBy: callerId(p),
      };
      state.oauthClients.push(record);
      ctx.store.changed();
      res.json(oauthClientView(record, secret));
    }),
  );

  app.get(
    '/api/v2/oauth/clients/:clientId',
    ...api(ctx, PERMISSIONS.oauthClientView, (req, res) => {
      res.json(oauthClientView(find(String(req.params.clientId))));
    }),
  );

  // PUT replaces the client: every field not sent goes back to its default.
  app.put(
    '/api/v2/oauth/clients/:clientId',
    ...api(ctx, PERMISSIONS.oauthClientEdit, (req, res, p) => {
      const c = find(String(req.params.clientId));
      const body = parseBody(OAuthClientRequestSchema, req.body);
      const roleDivisions = checkRequest(state, body);
      const before = new Set(c.roleDivisions.map((g) => g.roleId));
      assertCanGrant(
        state,
        p,
        [...new Set(roleDivisions.map((g) => g.roleId))].filter((id) => !before.has(id)),
      );
      Object.assign(c, {
        name: body.name,
        description: body.description ?? '',
        authorizedGrantType: body.authorizedGrantType,
        accessTokenValiditySeconds: body.accessTokenValiditySeconds ?? 86400,
        registeredRedirectUri: body.registeredRedirectUri ?? [],
        scope: body.scope ?? [],
        roleDivisions,
        state: body.state ?? 'active',
        dateToDelete: body.dateToDelete,
        dateModified: ctx.store.iso(),
        modifiedBy: callerId(p),
      } satisfies Partial<OAuthClientRecord>);
      ctx.store.changed();
      res.json(oauthClientView(c));
    }),
  );

  app.delete(
    '/api/v2/oauth/clients/:clientId',
    ...api(ctx, PERMISSIONS.oauthClientDelete, (req, res) => {
      const c = find(String(req.params.clientId));
      // Terraform deactivates a client before deleting it because an active one cannot be deleted.
      if (c.state === 'active') {
        throw badRequest(
          `OAuth client ${c.name} is active; set its state to inactive before deleting it.`,
          field('state'),
        );
      }
      state.oauthClients = state.oauthClients.filter((x) => x.id !== c.id);
      state.tokens = state.tokens.filter((t) => t.clientId !== c.id);
      ctx.store.changed();
      res.status(204).end();
    }),
  );

  app.post(
    '/api/v2/oauth/clients/:clientId/secret',
    ...api(ctx, PERMISSIONS.oauthClientEdit, (req, res, p) => {
      const c = find(String(req.params.clientId));
      const secret = newSecret(32);
      c.secretSalt = newSecret(12);
      c.secretHash = hashSecret(secret, c.secretSalt);
      c.dateModified = ctx.store.iso();
      c.modifiedBy = callerId(p);
      ctx.store.changed();
      res.json(oauthClientView(c, secret));
    }),
  );
}
