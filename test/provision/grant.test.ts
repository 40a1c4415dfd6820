import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GenesysSandbox } from '../../src/sandbox/genesys/index.js';
import { runCli } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/tmp.js';
import { adminApi, kitObjects, startOrg, workspace } from './helpers.js';

/* provision --grant-with: the kit makes the one-time admin grant itself and finishes in one run. */

const running: GenesysSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});
const tmp = useTmpDir();

async function setup() {
  const s = await startOrg();
  running.push(s);
  const ws = workspace(s, tmp());
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(['--config', ws.configPath, ...args], { cwd: ws.dir, env });
  return { s, ws, cli };
}

const ADMIN_ENV = { ADMIN_CLIENT_ID: 'sandbox-admin-client', ADMIN_CLIENT_SECRET: 'sandbox-admin-secret' };

describe('provision --grant-with', () => {
  it('with env:PREFIX: grants the kit role through the Platform API and finishes in one run', async () => {
    const { s, cli } = await setup();
    const run = await cli(['provision', '--grant-with', 'env:ADMIN'], ADMIN_ENV);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Granted "daspeak Integration" to OAuth client sandbox-admin-client \(--grant-with\)\.$/m,
    );
    expect(run.stdout).toMatch(/^Applied: \d+ created, 0 updated, 0 deleted, 0 unchanged\.$/m);
    expect(
      kitObjects(s)
        .clients.map((c) => c.name)
        .sort(),
    ).toEqual(['daspeak Backend', 'daspeak Widget']);
    const role = kitObjects(s).roles[0]!;
    const admin = s.state.oauthClients.find((c) => c.id === 'sandbox-admin-client')!;
    expect(admin.roleDivisions.map((g) => g.roleId)).toContain(role.id);
    // It went through the route an admin would call, not the sandbox's shortcut.
    const grants = s
      .requestCounts()
      .routes.filter((r) => r.route.startsWith('/api/v2/authorization/subjects/'));
    expect(grants).toEqual([expect.objectContaining({ method: 'POST', count: 1, statuses: { '204': 1 } })]);
    // A second run has nothing to grant and nothing to do.
    const again = await cli(['provision', '--grant-with', 'env:ADMIN', '--json'], ADMIN_ENV);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, result: { created: 0, updated: 0 } });
  });

  it('with a file; after a first run that stopped at the grant', async () => {
    const { s, ws, cli } = await setup();
    expect((await cli(['provision'])).code).toBe(1);
    const file = join(ws.dir, 'admin.yaml');
    writeFileSync(file, 'clientId: sandbox-admin-client\nclientSecret: sandbox-admin-secret\n', {
      mode: 0o600,
    });
    const run = await cli(['provision', '--grant-with', 'admin.yaml']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Applied: 1 created, 0 updated, 0 deleted, \d+ unchanged\.$/m);
    expect(kitObjects(s).clients).toHaveLength(2);
  });

  it('refuses unusable credentials before any write, and says why an admin client was refused', async () => {
    const { s, cli } = await setup();
    const unset = await cli(['provision', '--grant-with', 'env:NOPE']);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(
      /^error: --grant-with env:NOPE: NOPE_CLIENT_ID and NOPE_CLIENT_SECRET not set \(hint: /,
    );
    const missing = await cli(['provision', '--grant-with', 'nowhere.yaml']);
    expect(missing.stderr).toMatch(/^error: --grant-with nowhere\.yaml: no such file \(hint: /);
    expect(s.requestCounts().writes).toBe(0);

    // An admin client without authorization:grant:add: the grant is refused, the run says so.
    const api = await adminApi(s);
    const employee = s.state.roles.find((r) => r.name === 'employee')!;
    const home = s.state.divisions.find((d) => d.homeDivision)!;
    const weak = await api<{ id: string; secret: string }>('POST', '/api/v2/oauth/clients', {
      name: 'Weak admin',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: employee.id, divisionId: home.id }],
    });
    const refused = await cli(['provision', '--grant-with', 'env:WEAK'], {
      WEAK_CLIENT_ID: weak.body.id,
      WEAK_CLIENT_SECRET: weak.body.secret,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^error: the admin client ${weak.body.id} could not grant "daspeak Integration" to sandbox-admin-client: .*\\(hint: use a client of this org allowed to grant roles`,
        'm',
      ),
    );
  });
});

describe('the sandbox org: POST /api/v2/authorization/subjects/{id}/divisions/{division}/roles/{role}', () => {
  it('grants a role to an OAuth client or a user with authorization:grant:add, as Genesys does', async () => {
    const { s } = await setup();
    const api = await adminApi(s);
    const role = await api<{ id: string }>('POST', '/api/v2/authorization/roles', {
      name: 'Extra',
      permissionPolicies: [{ domain: 'routing', entityName: 'queue', actionSet: ['view'] }],
    });
    const home = s.state.divisions.find((d) => d.homeDivision)!;
    const path = (subject: string, type?: string) =>
      `/api/v2/authorization/subjects/${subject}/divisions/${home.id}/roles/${role.body.id}${type ? `?subjectType=${type}` : ''}`;
    expect((await api('POST', path('sandbox-admin-client', 'PC_OAUTH_CLIENT'))).status).toBe(204);
    const client = s.state.oauthClients.find((c) => c.id === 'sandbox-admin-client')!;
    expect(client.roleDivisions).toContainEqual({ roleId: role.body.id, divisionId: home.id });
    // Twice is harmless.
    expect((await api('POST', path('sandbox-admin-client', 'PC_OAUTH_CLIENT'))).status).toBe(204);
    expect(client.roleDivisions.filter((g) => g.roleId === role.body.id)).toHaveLength(1);
    // Users are the default subject type.
    const agent = s.agents[0]!;
    expect((await api('POST', path(agent.id))).status).toBe(204);
    expect(s.state.users.find((u) => u.id === agent.id)!.roleIds).toContain(role.body.id);
    // Unknown subjects, roles and types are refused with Genesys' errors.
    expect((await api('POST', path('no-such-client', 'PC_OAUTH_CLIENT'))).status).toBe(404);
    expect((await api('POST', path('sandbox-admin-client', 'PC_ROBOT'))).status).toBe(400);
  });
});
