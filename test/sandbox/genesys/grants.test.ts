import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import platformClient from 'purecloud-platform-client-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { isKitError } from '../../../src/errors.js';
import type { AdminGrantResult, GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import { adminToken, call, sdkFailure, sdkFor, startSandbox, tokenFor } from './helpers.js';

const running: GenesysSandbox[] = [];
const dirs: string[] = [];
async function start(options: Parameters<typeof startSandbox>[0] = {}) {
  const s = await startSandbox(options);
  running.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const WIDGET = 'https://widget.example/index.html';

const grant = (s: GenesysSandbox, body: unknown) =>
  call<AdminGrantResult & Record<string, unknown>>(s, undefined, 'POST', '/sandbox/grants', body);
const revoke = (s: GenesysSandbox, body: unknown) =>
  call<AdminGrantResult & Record<string, unknown>>(s, undefined, 'DELETE', '/sandbox/grants', body);

function expectErrorShape(body: Record<string, unknown>, status: number, code: string) {
  expect(body).toMatchObject({ status, code });
  expect(typeof body.message).toBe('string');
  expect(typeof body.contextId).toBe('string');
  expect(Array.isArray(body.details)).toBe(true);
  expect(Array.isArray(body.errors)).toBe(true);
}

/** A role the admin client does not hold, and a client-credentials client holding only employee. */
async function setup(s: GenesysSandbox) {
  const token = await adminToken(s);
  const home = s.state.divisions.find((d) => d.homeDivision)!.id;
  const employee = s.state.roles.find((r) => r.name === 'employee')!.id;
  const kit = await call<{ id: string }>(s, token, 'POST', '/api/v2/authorization/roles', {
    name: 'Kit role',
    permissions: ['routing:queue:view'],
  });
  const worker = await call<{ id: string; secret: string }>(s, token, 'POST', '/api/v2/oauth/clients', {
    name: 'Worker',
    authorizedGrantType: 'CLIENT-CREDENTIALS',
    roleDivisions: [{ roleId: employee, divisionId: home }],
  });
  return { token, home, employee, kitRole: kit.body.id, worker: worker.body };
}

describe('POST /sandbox/grants (the admin grants a role by hand)', () => {
  it('gives a client a role the provisioner could not, at once and idempotently, without being counted', async () => {
    const s = await start();
    const { token, home, kitRole } = await setup(s);
    const request = {
      name: 'Kit client',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: kitRole, divisionId: home }],
    };
    const refused = await call(s, token, 'POST', '/api/v2/oauth/clients', request);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('not.authorized');

    s.resetRequestCounts();
    const granted = await grant(s, { subject: { type: 'client', id: s.adminClient.id }, roleId: kitRole });
    expect(granted.status).toBe(200);
    expect(granted.body.subject).toEqual({
      type: 'client',
      id: s.adminClient.id,
      name: 'Sandbox Admin Client',
    });
    expect(granted.body.changed).toBe(true);
    expect(granted.body.grants).toContainEqual({ roleId: kitRole, roleName: 'Kit role', divisionId: home });
    const again = await grant(s, { subject: { type: 'client', id: s.adminClient.id }, roleId: kitRole });
    expect(again.body.changed).toBe(false);
    expect(again.body.grants.filter((g) => g.roleId === kitRole)).toHaveLength(1);
    expect(s.requestCounts().total).toBe(0);

    // The token the admin client already had now carries the role: no new login needed.
    const created = await call(s, token, 'POST', '/api/v2/oauth/clients', request);
    expect(created.status).toBe(200);
    const read = await call<{ roleDivisions: unknown[] }>(
      s,
      token,
      'GET',
      `/api/v2/oauth/clients/${s.adminClient.id}`,
    );
    expect(read.body.roleDivisions).toContainEqual({ roleId: kitRole, divisionId: home });
  });

  it('grants in a named division or all divisions (*), and the client then holds the permission', async () => {
    const s = await start();
    const { home, kitRole, worker } = await setup(s);
    const weak = await tokenFor(s, worker.id, worker.secret);
    expect((await call(s, weak, 'GET', '/api/v2/routing/queues')).status).toBe(403);
    const all = await grant(s, {
      subject: { type: 'client', id: worker.id },
      roleId: kitRole,
      divisionId: '*',
    });
    expect(all.body.grants).toContainEqual({ roleId: kitRole, roleName: 'Kit role', divisionId: '*' });
    const inHome = await grant(s, {
      subject: { type: 'client', id: worker.id },
      roleId: kitRole,
      divisionId: home,
    });
    expect(inHome.body.changed).toBe(true);
    expect(inHome.body.grants.filter((g) => g.roleId === kitRole).map((g) => g.divisionId)).toEqual([
      '*',
      home,
    ]);
    expect((await call(s, weak, 'GET', '/api/v2/routing/queues')).status).toBe(200);
  });

  it('gives a user a role: their token gains its permissions and their roles show it', async () => {
    const s = await start();
    const { token, kitRole } = await setup(s);
    const agent = s.agents[1]!;
    const widget = await call<{ id: string }>(s, token, 'POST', '/api/v2/oauth/clients', {
      name: 'Widget',
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: [WIDGET],
    });
    const q = new URLSearchParams({
      client_id: widget.body.id,
      redirect_uri: WIDGET,
      response_type: 'token',
      login_hint: agent.email,
    });
    const login = await fetch(`${s.url}/oauth/authorize?${q.toString()}`, { redirect: 'manual' });
    const agentToken = new URLSearchParams(new URL(login.headers.get('location')!).hash.slice(1)).get(
      'access_token',
    )!;
    const sdk = sdkFor(s);
    sdk.setAccessToken(agentToken);
    const routing = new platformClient.RoutingApi(sdk);
    expect((await sdkFailure(routing.getRoutingQueues({}))).code).toBe('missing.permissions');

    const granted = await grant(s, { subject: { type: 'user', id: agent.id }, roleId: kitRole });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({
      subject: { type: 'user', id: agent.id, name: agent.name },
      changed: true,
    });
    expect(granted.body.grants.map((g) => g.roleName).sort()).toEqual(['Kit role', 'employee']);
    expect(granted.body.grants.every((g) => g.divisionId === undefined)).toBe(true);
    expect((await routing.getRoutingQueues({})).total).toBe(2);
    const roles = await call<{ roles: { name: string }[] }>(
      s,
      token,
      'GET',
      `/api/v2/users/${agent.id}/roles`,
    );
    expect(roles.body.roles.map((r) => r.name).sort()).toEqual(['Kit role', 'employee']);
    expect((await grant(s, { subject: { type: 'user', id: agent.id }, roleId: kitRole })).body.changed).toBe(
      false,
    );

    const revoked = await revoke(s, { subject: { type: 'user', id: agent.id }, roleId: kitRole });
    expect(revoked.status).toBe(200);
    expect(revoked.body.grants.map((g) => g.roleName)).toEqual(['employee']);
    expect((await sdkFailure(routing.getRoutingQueues({}))).code).toBe('missing.permissions');
    const twice = await revoke(s, { subject: { type: 'user', id: agent.id }, roleId: kitRole });
    expectErrorShape(twice.body, 404, 'not.found');
    expect(twice.body.message).toMatch(/does not hold role Kit role/);
  });

  it('refuses a bad body with 400 and an unknown subject, role or division with 404, Genesys-style', async () => {
    const s = await start();
    const { kitRole, employee, worker } = await setup(s);
    const client = { type: 'client', id: worker.id };

    const noBody = await call(s, undefined, 'POST', '/sandbox/grants');
    expectErrorShape(noBody.body, 400, 'bad.request');
    const extra = await grant(s, { subject: client, roleId: kitRole, colour: 'red' });
    expectErrorShape(extra.body, 400, 'bad.request');
    expect(extra.body.message).toBe('Unrecognized field "colour"');
    expect(extra.body.details).toEqual([{ errorCode: 'unrecognized.field', fieldName: 'colour' }]);
    const missing = await grant(s, { subject: client });
    expect(missing.body.message).toBe('Missing required field "roleId"');
    const badType = await grant(s, { subject: { type: 'group', id: worker.id }, roleId: kitRole });
    expect(badType.status).toBe(400);
    expect(badType.body.message).toBe('Field "subject.type" must be one of [client, user]');
    const nestedExtra = await grant(s, { subject: { ...client, name: 'x' }, roleId: kitRole });
    expect(nestedExtra.body.message).toBe('Unrecognized field "subject.name"');
    const emptyRole = await grant(s, { subject: client, roleId: '' });
    expect(emptyRole.status).toBe(400);
    const malformed = await fetch(`${s.url}/sandbox/grants`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"subject":',
    });
    expect(malformed.status).toBe(400);

    const noClient = await grant(s, { subject: { type: 'client', id: 'nope' }, roleId: kitRole });
    expectErrorShape(noClient.body, 404, 'not.found');
    expect(noClient.body).toMatchObject({ message: 'OAuth client nope not found', entityId: 'nope' });
    const noUser = await revoke(s, { subject: { type: 'user', id: 'nope' }, roleId: kitRole });
    expectErrorShape(noUser.body, 404, 'not.found');
    expect(noUser.body.message).toBe('User nope not found');
    const noRole = await grant(s, { subject: client, roleId: 'nope' });
    expectErrorShape(noRole.body, 404, 'not.found');
    expect(noRole.body.message).toBe('Role nope not found');
    const noDivision = await grant(s, { subject: client, roleId: kitRole, divisionId: 'nope' });
    expectErrorShape(noDivision.body, 404, 'not.found');
    expect(noDivision.body.message).toBe('Division nope not found');

    const userDivision = await grant(s, {
      subject: { type: 'user', id: s.agents[0]!.id },
      roleId: employee,
      divisionId: '*',
    });
    expectErrorShape(userDivision.body, 400, 'bad.request');
    expect(userDivision.body.details).toEqual([{ errorCode: 'invalid.value', fieldName: 'divisionId' }]);

    const token = await adminToken(s);
    const implicit = await call<{ id: string }>(s, token, 'POST', '/api/v2/oauth/clients', {
      name: 'Widget',
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: [WIDGET],
    });
    const notCc = await grant(s, { subject: { type: 'client', id: implicit.body.id }, roleId: kitRole });
    expectErrorShape(notCc.body, 400, 'bad.request');
    expect(notCc.body.message).toMatch(/only be assigned to CLIENT-CREDENTIALS clients, not TOKEN/);

    // Nothing was changed by a refusal.
    expect(s.state.oauthClients.find((c) => c.id === worker.id)!.roleDivisions).toHaveLength(1);
    expect(s.requestCounts().routes.some((r) => r.route.startsWith('/sandbox/'))).toBe(false);
  });
});

describe('DELETE /sandbox/grants (the admin takes a role back)', () => {
  it('revokes a client role in one division or all, refuses what is not held and the last role', async () => {
    const s = await start();
    const { home, employee, kitRole, worker } = await setup(s);
    const subject = { type: 'client', id: worker.id };
    await grant(s, { subject, roleId: kitRole });
    await grant(s, { subject, roleId: kitRole, divisionId: '*' });
    const weak = await tokenFor(s, worker.id, worker.secret);
    expect((await call(s, weak, 'GET', '/api/v2/routing/queues')).status).toBe(200);

    const one = await revoke(s, { subject, roleId: kitRole, divisionId: '*' });
    expect(one.status).toBe(200);
    expect(one.body.changed).toBe(true);
    expect(one.body.grants.filter((g) => g.roleId === kitRole).map((g) => g.divisionId)).toEqual([home]);
    const notThere = await revoke(s, { subject, roleId: kitRole, divisionId: '*' });
    expectErrorShape(notThere.body, 404, 'not.found');
    expect(notThere.body.message).toBe('OAuth client Worker does not hold role Kit role in division *');

    await grant(s, { subject, roleId: kitRole, divisionId: '*' });
    const every = await revoke(s, { subject, roleId: kitRole });
    expect(every.body.grants).toEqual([{ roleId: employee, roleName: 'employee', divisionId: home }]);
    expect((await call(s, weak, 'GET', '/api/v2/routing/queues')).status).toBe(403);

    const last = await revoke(s, { subject, roleId: employee });
    expectErrorShape(last.body, 400, 'bad.request');
    expect(last.body.message).toMatch(/requires at least one role/);
    expect(s.state.oauthClients.find((c) => c.id === worker.id)!.roleDivisions).toHaveLength(1);
    const noBody = await call(s, undefined, 'DELETE', '/sandbox/grants');
    expectErrorShape(noBody.body, 400, 'bad.request');
  });
});

describe('grant() and revoke() on the sandbox', () => {
  it('do what the route does, throw a GenesysApiError with a code, and are written to the state file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genesys-grants-'));
    dirs.push(dir);
    const stateFile = join(dir, 'org.json');
    const s = await start({ stateFile });
    const { kitRole, worker } = await setup(s);
    const result = s.grant({ subject: { type: 'client', id: worker.id }, roleId: kitRole });
    expect(result.changed).toBe(true);
    expect(result.grants.map((g) => g.roleName)).toEqual(['employee', 'Kit role']);
    let thrown: unknown;
    try {
      s.grant({ subject: { type: 'client', id: worker.id }, roleId: 'nope' });
    } catch (err) {
      thrown = err;
    }
    expect(isKitError(thrown) && thrown.code).toBe('not.found');
    expect((thrown as { httpStatus?: number }).httpStatus).toBe(404);
    expect(() => s.revoke({ subject: { type: 'user', id: s.agents[0]!.id }, roleId: kitRole })).toThrow(
      /does not hold role Kit role/,
    );
    await s.stop();

    const again = await start({ stateFile });
    const weak = await tokenFor(again, worker.id, worker.secret);
    expect((await call(again, weak, 'GET', '/api/v2/routing/queues')).status).toBe(200);
    const back = again.revoke({ subject: { type: 'client', id: worker.id }, roleId: kitRole });
    expect(back.grants.map((g) => g.roleName)).toEqual(['employee']);
    expect((await call(again, weak, 'GET', '/api/v2/routing/queues')).status).toBe(403);
  });
});
