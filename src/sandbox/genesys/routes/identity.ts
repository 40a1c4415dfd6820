import { Type } from '@sinclair/typebox';
import type { Express } from 'express';
import { badRequest, notFound, userContextRequired } from '../api-error.js';
import { parseBody } from '../body.js';
import type { SandboxContext } from '../http/context.js';
import { api } from '../http/pipeline.js';
import { pageOf } from '../paging.js';
import { PERMISSIONS } from '../permissions.js';
import { queryList } from '../query.js';
import type { UserRecord } from '../state/model.js';
import { organizationRef, userAuthorization, userView } from '../views.js';

const RoleIdList = Type.Array(Type.String({ minLength: 1 }));

/** Token info, the caller's user, the organization, user reads and user role grants. */
export function identityRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;

  app.get(
    '/api/v2/tokens/me',
    ...api(ctx, null, (_req, res, p) => {
      const org = organizationRef(state);
      res.json({
        organization: org,
        homeOrganization: org,
        authorizedScope: p.client.scope,
        OAuthClient: {
          id: p.client.id,
          name: p.client.name,
          dateCreated: p.client.dateCreated,
          authorizedGrantType: p.client.authorizedGrantType,
          scope: p.client.scope,
          ...(p.client.authorizedGrantType === 'CLIENT-CREDENTIALS'
            ? { roleDivisions: p.client.roleDivisions }
            : {}),
          state: p.client.state,
          organization: org,
        },
      });
    }),
  );

  app.delete(
    '/api/v2/tokens/me',
    ...api(ctx, null, (_req, res, p) => {
      state.tokens = state.tokens.filter((t) => t.hash !== p.token.hash);
      ctx.store.changed();
      res.status(204).end();
    }),
  );

  app.get(
    '/api/v2/organizations/me',
    ...api(ctx, null, (_req, res) => {
      const o = state.organization;
      res.json({
        id: o.id,
        name: o.name,
        defaultLanguage: o.defaultLanguage,
        defaultCountryCode: o.defaultCountryCode,
        thirdPartyOrgName: o.thirdPartyOrgName,
        domain: o.domain,
        version: o.version,
        state: 'active',
        voicemailEnabled: false,
        productPlatform: 'GenesysCloud',
        selfUri: `/api/v2/organizations/${o.id}`,
      });
    }),
  );

  app.get(
    '/api/v2/users/me',
    ...api(ctx, null, (req, res, p) => {
      if (!p.user) throw userContextRequired();
      const expand = queryList(req, 'expand');
      res.json({
        ...userView(state, p.user),
        ...(expand.includes('authorization') ? { authorization: userAuthorization(state, p.user) } : {}),
        ...(expand.includes('organization') ? { organization: organizationRef(state) } : {}),
      });
    }),
  );

  app.get(
    '/api/v2/users',
    ...api(ctx, PERMISSIONS.userView, (req, res) => {
      const ids = queryList(req, 'id');
      const users = state.users.filter((u) => ids.length === 0 || ids.includes(u.id));
      res.json(
        pageOf(
          req,
          '/api/v2/users',
          users.map((u) => userView(state, u)),
        ),
      );
    }),
  );

  const findUser = (id: string): UserRecord => {
    const u = state.users.find((x) => x.id === id);
    if (!u) throw notFound(`User ${id} not found`, id);
    return u;
  };

  app.get(
    '/api/v2/users/:userId',
    ...api(ctx, PERMISSIONS.userView, (req, res) => {
      const u = findUser(String(req.params.userId));
      const expand = queryList(req, 'expand');
      res.json({
        ...userView(state, u),
        ...(expand.includes('authorization') ? { authorization: userAuthorization(state, u) } : {}),
      });
    }),
  );

  app.get(
    '/api/v2/users/:userId/roles',
    ...api(ctx, PERMISSIONS.roleView, (req, res) => {
      const u = findUser(String(req.params.userId));
      res.json(userAuthorization(state, u));
    }),
  );

  // Unlike OAuth client grants, a caller with authorization:grant:add may give a user roles it does
  // not hold: Terraform relies on it, adding the roles to the calling user before it creates a
  // client with them (§4.1). So no hold check here.
  app.put(
    '/api/v2/users/:userId/roles',
    ...api(ctx, PERMISSIONS.grantAdd, (req, res) => {
      const u = findUser(String(req.params.userId));
      const roleIds = [...new Set(parseBody(RoleIdList, req.body))];
      for (const id of roleIds) {
        if (!state.roles.some((r) => r.id === id))
          throw badRequest(`Role ${id} does not exist`, { entityId: id });
      }
      u.roleIds = roleIds;
      u.version += 1;
      ctx.store.changed();
      res.json(userAuthorization(state, u));
    }),
  );
}
