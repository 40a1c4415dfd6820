import platformClient from 'purecloud-platform-client-v2';
import { afterEach, describe, expect, it } from 'vitest';
import type { GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import { adminSdk, adminToken, call, sdkFailure, sdkFor, startSandbox, tokenFor } from './helpers.js';

const running: GenesysSandbox[] = [];
async function start() {
  const s = await startSandbox();
  running.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

const WIDGET = 'https://widget.example/index.html';

async function roleId(s: GenesysSandbox, token: string, name: string): Promise<string> {
  const res = await call<{ entities: { id: string }[] }>(
    s,
    token,
    'GET',
    `/api/v2/authorization/roles?name=${encodeURIComponent(name)}`,
  );
  return res.body.entities[0]!.id;
}

async function homeId(s: GenesysSandbox, token: string): Promise<string> {
  return (await call<{ id: string }>(s, token, 'GET', '/api/v2/authorization/divisions/home')).body.id;
}

/** Creates an implicit-grant client and logs a user in through /oauth/authorize. */
async function implicitLogin(s: GenesysSandbox, token: string, hint?: string): Promise<string> {
  const created = await call<{ id: string }>(s, token, 'POST', '/api/v2/oauth/clients', {
    name: 'Widget',
    authorizedGrantType: 'TOKEN',
    registeredRedirectUri: [WIDGET],
    scope: ['conversations:readonly'],
  });
  expect(created.status).toBe(200);
  const q = new URLSearchParams({
    client_id: created.body.id,
    redirect_uri: WIDGET,
    response_type: 'token',
    state: 'xyz',
  });
  if (hint) q.set('login_hint', hint);
  const res = await fetch(`${s.url}/oauth/authorize?${q.toString()}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(WIDGET);
  const fragment = new URLSearchParams(location.hash.slice(1));
  expect(fragment.get('token_type')).toBe('bearer');
  expect(fragment.get('state')).toBe('xyz');
  expect(Number(fragment.get('expires_in'))).toBe(86400);
  return fragment.get('access_token')!;
}

describe('roles, divisions and groups', () => {
  it('finds the seeded employee role, the home division and the agents group through the SDK', async () => {
    const s = await start();
    const client = await adminSdk(s);
    const authz = new platformClient.AuthorizationApi(client);
    const roles = await authz.getAuthorizationRoles({ name: 'employee' });
    expect(roles.entities!.map((r) => r.name)).toEqual(['employee']);
    expect(roles.entities![0]!.default).toBe(true);
    const home = await authz.getAuthorizationDivisionsHome();
    expect(home).toMatchObject({ name: 'Home', homeDivision: true });
    const divisions = await authz.getAuthorizationDivisions({ name: 'Home' });
    expect(divisions.entities![0]!.id).toBe(home.id);
    const groups = await new platformClient.GroupsApi(client).getGroups({});
    expect(groups.entities!.map((g) => g.name)).toEqual(['Sandbox Agents']);
    expect(groups.entities![0]!.memberCount).toBe(2);
  });

  it('creates, updates and deletes a role with permission policies', async () => {
    const s = await start();
    const authz = new platformClient.AuthorizationApi(await adminSdk(s));
    const role = await authz.postAuthorizationRoles({
      name: 'VB Data Actions',
      description: 'runs the voice biometrics data actions',
      permissionPolicies: [{ domain: 'integrations', entityName: 'action', actionSet: ['execute', 'view'] }],
    });
    expect(role.permissions).toEqual(['integrations:action:execute', 'integrations:action:view']);
    const updated = await authz.putAuthorizationRole(role.id!, {
      name: 'VB Data Actions',
      permissionPolicies: [{ domain: 'integrations', entityName: 'action', actionSet: ['*'] }],
    });
    expect(updated.permissions).toEqual(['integrations:action:*']);
    const byPermission = await authz.getAuthorizationRoles({ permission: ['integrations:action:delete'] });
    expect(byPermission.entities!.map((r) => r.name)).toContain('VB Data Actions');
    await authz.deleteAuthorizationRole(role.id!);
    const gone = await sdkFailure(authz.getAuthorizationRole(role.id!));
    expect(gone.status).toBe(404);
  });

  it('refuses a duplicate role name (409), a malformed permission (400) and deleting the default role', async () => {
    const s = await start();
    const token = await adminToken(s);
    const dup = await call(s, token, 'POST', '/api/v2/authorization/roles', { name: 'EMPLOYEE' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('general.conflict');
    const bad = await call(s, token, 'POST', '/api/v2/authorization/roles', {
      name: 'x',
      permissions: ['integrations:action'],
    });
    expect(bad.status).toBe(400);
    const emptyActions = await call(s, token, 'POST', '/api/v2/authorization/roles', {
      name: 'y',
      permissionPolicies: [{ domain: 'integrations', entityName: 'action', actionSet: [] }],
    });
    expect(emptyActions.status).toBe(400);
    const unknownField = await call(s, token, 'POST', '/api/v2/authorization/roles', {
      name: 'z',
      permisions: [],
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toBe('Unrecognized field "permisions"');
    const del = await call(
      s,
      token,
      'DELETE',
      `/api/v2/authorization/roles/${await roleId(s, token, 'employee')}`,
    );
    expect(del.status).toBe(400);
  });

  it('refuses deleting a role an OAuth client holds', async () => {
    const s = await start();
    const token = await adminToken(s);
    const admin = await roleId(s, token, 'Sandbox Admin');
    const del = await call(s, token, 'DELETE', `/api/v2/authorization/roles/${admin}`);
    expect(del.status).toBe(409);
    expect(del.body.message).toMatch(/assigned to OAuth client/);
  });
});

describe('OAuth clients', () => {
  it('creates a client-credentials client with the employee role; the secret is shown once', async () => {
    const s = await start();
    const client = await adminSdk(s);
    const oauth = new platformClient.OAuthApi(client);
    const authz = new platformClient.AuthorizationApi(client);
    const employee = (await authz.getAuthorizationRoles({ name: 'employee' })).entities![0]!;
    const home = await authz.getAuthorizationDivisionsHome();
    const created = await oauth.postOauthClients({
      name: 'VB Backend',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      accessTokenValiditySeconds: 3600,
      roleDivisions: [{ roleId: employee.id!, divisionId: home.id! }],
    });
    expect(created.secret).toBeTruthy();
    expect(created.roleIds).toEqual([employee.id]);
    const read = await oauth.getOauthClient(created.id!);
    expect(read.secret).toBeUndefined();
    expect(read.accessTokenValiditySeconds).toBe(3600);
    const listed = await oauth.getOauthClients();
    expect(listed.entities!.every((c) => c.secret === undefined)).toBe(true);

    const backend = sdkFor(s);
    const auth = await backend.loginClientCredentialsGrant(created.id!, created.secret!);
    expect(auth.accessToken).toBeTruthy();

    const regenerated = await oauth.postOauthClientSecret(created.id!);
    expect(regenerated.secret).not.toBe(created.secret);
    await expect(sdkFor(s).loginClientCredentialsGrant(created.id!, created.secret!)).rejects.toBeDefined();
    await sdkFor(s).loginClientCredentialsGrant(created.id!, regenerated.secret!);
  });

  it('refuses requests that break the OAuth client rules, each with a 400', async () => {
    const s = await start();
    const token = await adminToken(s);
    const employee = await roleId(s, token, 'employee');
    const home = await homeId(s, token);
    const post = (body: Record<string, unknown>) => call(s, token, 'POST', '/api/v2/oauth/clients', body);
    const cc = {
      name: 'c',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: employee, divisionId: home }],
    };

    const noRole = await post({ name: 'c', authorizedGrantType: 'CLIENT-CREDENTIALS' });
    expect(noRole.status).toBe(400);
    expect(noRole.body.message).toMatch(/at least one role/);

    const badEnum = await post({ ...cc, authorizedGrantType: 'CLIENT_CREDENTIALS' });
    expect(badEnum.status).toBe(400);
    expect(badEnum.body.message).toBe(
      'Field "authorizedGrantType" must be one of [CODE, TOKEN, SAML2-BEARER, PASSWORD, CLIENT-CREDENTIALS, PKCE]',
    );

    for (const seconds of [299, 172801, 3.5]) {
      const r = await post({ ...cc, accessTokenValiditySeconds: seconds });
      expect(r.status).toBe(400);
      expect(r.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ fieldName: 'accessTokenValiditySeconds' })]),
      );
    }

    expect((await post({ ...cc, name: undefined })).body.message).toBe('Missing required field "name"');
    expect((await post({ ...cc, colour: 'red' })).body.message).toBe('Unrecognized field "colour"');
    expect(
      (await post({ ...cc, roleDivisions: [{ roleId: 'nope', divisionId: home }] })).body.message,
    ).toMatch(/Role nope does not exist/);
    expect(
      (await post({ ...cc, roleDivisions: [{ roleId: employee, divisionId: 'nope' }] })).body.message,
    ).toMatch(/Division nope does not exist/);
    expect((await post({ ...cc, scope: ['users:readonly'] })).status).toBe(400);
    const tokenNoRedirect = await post({ name: 'w', authorizedGrantType: 'TOKEN' });
    expect(tokenNoRedirect.status).toBe(400);
    expect(tokenNoRedirect.body.message).toMatch(/registeredRedirectUri/);
    const tokenWithRoles = await post({
      ...cc,
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: [WIDGET],
    });
    expect(tokenWithRoles.status).toBe(400);
    const relative = await post({
      name: 'w',
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: ['/index.html'],
    });
    expect(relative.status).toBe(400);
  });

  it('lets a caller grant only roles it holds', async () => {
    const s = await start();
    const token = await adminToken(s);
    const home = await homeId(s, token);
    const role = await call<{ id: string }>(s, token, 'POST', '/api/v2/authorization/roles', {
      name: 'Not held',
      permissions: ['routing:queue:view'],
    });
    const refused = await call(s, token, 'POST', '/api/v2/oauth/clients', {
      name: 'c',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: role.body.id, divisionId: home }],
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('not.authorized');
    expect(refused.body.message).toMatch(/Not held/);
  });

  it('replaces the whole client on PUT and deletes only an inactive client', async () => {
    const s = await start();
    const token = await adminToken(s);
    const created = await call<{ id: string; secret: string }>(s, token, 'POST', '/api/v2/oauth/clients', {
      name: 'Widget',
      description: 'first',
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: [WIDGET],
      accessTokenValiditySeconds: 600,
    });
    const path = `/api/v2/oauth/clients/${created.body.id}`;
    const put = await call<Record<string, unknown>>(s, token, 'PUT', path, {
      name: 'Widget 2',
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: [WIDGET],
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'Widget 2', description: '', accessTokenValiditySeconds: 86400 });
    expect(put.body.secret).toBeUndefined();
    const active = await call(s, token, 'DELETE', path);
    expect(active.status).toBe(400);
    expect(active.body.message).toMatch(/inactive/);
    await call(s, token, 'PUT', path, {
      name: 'Widget 2',
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: [WIDGET],
      state: 'inactive',
    });
    expect((await call(s, token, 'DELETE', path)).status).toBe(204);
    expect((await call(s, token, 'GET', path)).status).toBe(404);
  });

  it('answers 403 missing.permissions for a client whose roles lack a permission', async () => {
    const s = await start();
    const token = await adminToken(s);
    const created = await call<{ id: string; secret: string }>(s, token, 'POST', '/api/v2/oauth/clients', {
      name: 'Employee only',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: await roleId(s, token, 'employee'), divisionId: await homeId(s, token) }],
    });
    const weak = await tokenFor(s, created.body.id, created.body.secret);
    const refused = await call(s, weak, 'POST', '/api/v2/oauth/clients', {
      name: 'x',
      authorizedGrantType: 'TOKEN',
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      code: 'missing.permissions',
      message:
        'Unable to perform the requested action. You are missing the following permission(s): [oauth:client:add]',
    });
    expect((await call(s, weak, 'GET', '/api/v2/routing/queues')).status).toBe(403);
    expect((await call(s, weak, 'GET', '/api/v2/groups')).status).toBe(200);
  });
});

describe('implicit grant', () => {
  it('redirects back with a user token for the seeded agent, or the user named by login_hint', async () => {
    const s = await start();
    const token = await adminToken(s);
    const agentToken = await implicitLogin(s, token);
    const me = await call<{ id: string; email: string }>(s, agentToken, 'GET', '/api/v2/users/me');
    expect(me.body.id).toBe(s.agents[0]!.id);
    const second = await implicitLogin(s, token, s.agents[1]!.email);
    expect((await call<{ id: string }>(s, second, 'GET', '/api/v2/users/me')).body.id).toBe(s.agents[1]!.id);

    const sdk = sdkFor(s);
    sdk.setAccessToken(agentToken);
    const viaSdk = await new platformClient.UsersApi(sdk).getUsersMe({ expand: ['authorization'] });
    expect(viaSdk.authorization?.roles?.map((r) => r.name)).toEqual(['employee']);
    const info = await new platformClient.TokensApi(sdk).getTokensMe();
    expect(info.OAuthClient?.authorizedGrantType).toBe('TOKEN');
    expect(info.authorizedScope).toEqual(['conversations:readonly']);
    // The agent's employee role does not read queues.
    const refused = await sdkFailure(new platformClient.RoutingApi(sdk).getRoutingQueues({}));
    expect(refused.code).toBe('missing.permissions');
  });

  it('refuses an unregistered redirect URI, a non-TOKEN client and an unknown user', async () => {
    const s = await start();
    const token = await adminToken(s);
    const widget = await call<{ id: string }>(s, token, 'POST', '/api/v2/oauth/clients', {
      name: 'Widget',
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: [WIDGET],
    });
    const authorize = (params: Record<string, string>) =>
      fetch(`${s.url}/oauth/authorize?${new URLSearchParams(params).toString()}`, { redirect: 'manual' });
    const other = await authorize({
      client_id: widget.body.id,
      redirect_uri: 'https://evil.example/',
      response_type: 'token',
    });
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ error: 'invalid_request' });
    const cc = await authorize({ client_id: s.adminClient.id, redirect_uri: WIDGET, response_type: 'token' });
    expect(cc.status).toBe(400);
    expect(await cc.json()).toMatchObject({ error: 'unauthorized_client' });
    const code = await authorize({
      client_id: widget.body.id,
      redirect_uri: WIDGET,
      response_type: 'code',
      state: 's',
    });
    // An implicit-grant client cannot ask for a code (see pkce.test.ts for the code grant).
    expect(code.status).toBe(302);
    expect(code.headers.get('location')).toMatch(/\?error=unauthorized_client&/);
    const nobody = await authorize({
      client_id: widget.body.id,
      redirect_uri: WIDGET,
      response_type: 'token',
      login_hint: 'nobody@sandbox.example',
    });
    expect(nobody.headers.get('location')).toMatch(/#error=access_denied/);
  });

  // §4.1: Terraform adds a role it does not hold to the calling user, so user role grants are not
  // limited to the caller's roles (OAuth client grants are; see 'lets a caller grant only roles it holds').
  it('lets a caller with the grant permission give a user roles, even roles the caller does not hold', async () => {
    const s = await start();
    const token = await adminToken(s);
    const agent = s.agents[0]!.id;
    const admin = await roleId(s, token, 'Sandbox Admin');
    const employee = await roleId(s, token, 'employee');
    const put = await call<{ roles: { name: string }[] }>(s, token, 'PUT', `/api/v2/users/${agent}/roles`, [
      employee,
      admin,
    ]);
    expect(put.status).toBe(200);
    expect(put.body.roles.map((r) => r.name).sort()).toEqual(['Sandbox Admin', 'employee']);
    const other = await call<{ id: string }>(s, token, 'POST', '/api/v2/authorization/roles', {
      name: 'Other',
    });
    const notHeld = await call<{ roles: { name: string }[] }>(
      s,
      token,
      'PUT',
      `/api/v2/users/${agent}/roles`,
      [employee, other.body.id],
    );
    expect(notHeld.status).toBe(200);
    expect(notHeld.body.roles.map((r) => r.name).sort()).toEqual(['Other', 'employee']);
    // What still refuses a user role grant: a caller without authorization:grant:add (the agent now).
    const agentToken = await implicitLogin(s, token);
    const refused = await call(s, agentToken, 'PUT', `/api/v2/users/${agent}/roles`, [employee]);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('missing.permissions');
    expect(refused.body.message).toMatch(/authorization:grant:add/);
    const unknown = await call(s, token, 'PUT', `/api/v2/users/${agent}/roles`, [employee, 'nope']);
    expect(unknown.status).toBe(400);
    const notArray = await call(s, token, 'PUT', `/api/v2/users/${agent}/roles`, { roleIds: [employee] });
    expect(notArray.status).toBe(400);
  });

  it("follows Terraform's order: a user adds a role it lacks to itself, then may give it to a new client", async () => {
    const s = await start();
    const token = await adminToken(s);
    const agent = s.agents[0]!.id;
    const employee = await roleId(s, token, 'employee');
    const admin = await roleId(s, token, 'Sandbox Admin');
    const home = await homeId(s, token);
    expect((await call(s, token, 'PUT', `/api/v2/users/${agent}/roles`, [employee, admin])).status).toBe(200);

    const userToken = await implicitLogin(s, token);
    const sdk = sdkFor(s);
    sdk.setAccessToken(userToken);
    const kit = await call<{ id: string }>(s, userToken, 'POST', '/api/v2/authorization/roles', {
      name: 'Kit',
      permissions: ['routing:queue:view'],
    });
    expect(kit.status).toBe(200);
    const oauth = new platformClient.OAuthApi(sdk);
    const request = {
      name: 'Kit client',
      authorizedGrantType: 'CLIENT-CREDENTIALS' as const,
      roleDivisions: [{ roleId: kit.body.id, divisionId: home }],
    };
    const refused = await sdkFailure(oauth.postOauthClients(request));
    expect(refused.status).toBe(403);
    expect(refused.code).toBe('not.authorized');
    expect(refused.message).toMatch(/Kit/);

    const mine = await new platformClient.UsersApi(sdk).putUserRoles(agent, [employee, admin, kit.body.id]);
    expect(mine.roles?.map((r) => r.name).sort()).toEqual(['Kit', 'Sandbox Admin', 'employee']);
    const created = await oauth.postOauthClients(request);
    expect(created.roleDivisions).toEqual([{ roleId: kit.body.id, divisionId: home }]);
  });
});
