import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDoctor, provisionDeployment, runDoctor, type CheckResult } from '../../src/provision/index.js';
import type { GenesysSandbox } from '../../src/sandbox/genesys/index.js';
import { runCli } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/tmp.js';
import { startServices, type Services } from '../flows/data-actions/helpers.js';
import {
  adminApi,
  adminGrantsRole,
  isRoleNotHeld,
  opts,
  provisionReady,
  startOrg,
  workspace,
} from './helpers.js';

/* doctor against the Genesys sandbox org, the das-Peak emulator and the backend, all on 127.0.0.1. */

const tmp = useTmpDir();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

/** The org, das-Peak and the backend, serving a widget page from `dir` (the widget is not built here). */
async function everything(): Promise<{ org: GenesysSandbox; services: Services }> {
  const org = await startOrg();
  stops.push(() => org.stop());
  const widgetDir = join(tmp(), 'widget');
  mkdirSync(join(widgetDir, 'dist'), { recursive: true });
  writeFileSync(join(widgetDir, 'dist', 'index.html'), '<!doctype html><title>widget</title>');
  const services = await startServices(tmp(), org, { widgetDir });
  stops.unshift(() => services.stop());
  return { org, services };
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const byId = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r]));
const IDS = [
  'config',
  'genesys.login',
  'genesys.permissions',
  'genesys.kit_role',
  'genesys.audiohook_capacity',
  'daspeak.token',
  'daspeak.rest',
  'daspeak.socketio',
  'daspeak.audiohook',
  'backend.health',
  'backend.widget',
  'provision.plan',
];

describe('doctor', () => {
  it('passes every check for a provisioned org with das-Peak and the backend up', async () => {
    const { org, services } = await everything();
    await provisionReady(org, services.ws);
    const run = await runCli(['--config', services.ws.configPath, 'doctor'], { cwd: services.ws.dir });
    expect(
      run.stdout
        .split('\n')
        .filter((l) => /^(ok|warn|FAIL|skip) /.test(l))
        .map((l) => l.split(/\s+/)[1]),
    ).toEqual(IDS);
    expect(run.stdout).not.toMatch(/^(FAIL|warn|skip)/m);
    expect(run.stdout).toMatch(
      /^ok +daspeak\.audiohook +ws:\/\/127\.0\.0\.1:\d+\/audiohook\/ws accepted a signed probe$/m,
    );
    expect(run.stdout).toMatch(/^ok +provision\.plan +nothing to do: 19 objects as the config says$/m);
    expect(run.stdout).toMatch(/All checks passed\./);
    expect(run.code).toBe(0);
    const json = await runCli(['--config', services.ws.configPath, '--json', 'doctor'], {
      cwd: services.ws.dir,
    });
    const body = JSON.parse(json.stdout) as { ok: boolean; checks: CheckResult[] };
    expect(body.ok).toBe(true);
    expect(body.checks.map((c) => c.id)).toEqual(IDS);
  });

  it('before provisioning: the plan is not empty and the kit role is not there yet', async () => {
    const { services } = await everything();
    const results = byId(await runDoctor(opts(services.ws)));
    expect(results['provision.plan']).toMatchObject({ status: 'fail', fix: 'run daspeak-genesys provision' });
    expect(results['genesys.kit_role']!.status).toBe('skip');
    expect(results['daspeak.audiohook']!.status).toBe('ok');
  });

  it('after the first provision run: the admin step is named, in the plan check too', async () => {
    const { services } = await everything();
    await expect(provisionDeployment(opts(services.ws))).rejects.toSatisfy(isRoleNotHeld);
    const results = byId(await runDoctor(opts(services.ws)));
    expect(results['genesys.kit_role']).toMatchObject({
      status: 'warn',
      fix: 'add "daspeak Integration" to client sandbox-admin-client in Admin > OAuth > Roles (Home division)',
    });
    expect(results['provision.plan']!.status).toBe('fail');
    expect(results['provision.plan']!.detail).toBe(
      'provision stopped at the admin grant: "daspeak Backend" and 0 more change(s) wait for it',
    );
    expect(results['provision.plan']!.fix).toMatch(
      /^give client sandbox-admin-client the role "daspeak Integration" \(in Genesys Cloud, Admin > Integrations > OAuth > .*--grant-with.*\), then run daspeak-genesys provision$/,
    );
  });

  it('a backend without the widget bundle is a warning with the fix, and doctor still passes', async () => {
    const org = await startOrg();
    stops.push(() => org.stop());
    // A widget directory with no dist/: what a fresh clone serves before the widget is built.
    const services = await startServices(tmp(), org, { widgetDir: join(tmp(), 'widget') });
    stops.unshift(() => services.stop());
    await provisionReady(org, services.ws);
    const run = await runCli(['--config', services.ws.configPath, 'doctor'], { cwd: services.ws.dir });
    expect(run.stdout).toMatch(
      /^warn +backend\.widget +http:\/\/127\.0\.0\.1:\d+\/.*the widget bundle is not built/m,
    );
    expect(run.stdout).toMatch(/fix: run npm run build \(it builds widget\/dist\), then restart the backend/);
    expect(run.stdout).toMatch(/^All checks passed\.$/m);
    expect(run.code).toBe(0);
  });

  it('says what to fix when das-Peak and the backend are down or refuse the keys', async () => {
    const { org, services } = await everything();
    const port = await closedPort();
    const down = workspace(org, tmp(), (v) => {
      const d = v.daspeak as Record<string, Record<string, unknown>>;
      d.auth!.tokenUrl = `http://127.0.0.1:${port}/token`;
      d.rest!.baseUrl = `http://127.0.0.1:${port}/dpsrest`;
      d.audiohook!.connectionUri = `ws://127.0.0.1:${port}/audiohook/ws`;
      (v.backend as Record<string, unknown>).publicUrl = `http://127.0.0.1:${port}/`;
    });
    const r = byId(await runDoctor({ ...opts(down), timeoutMs: 3000 }));
    expect(r['daspeak.token']).toMatchObject({ status: 'fail' });
    expect(r['daspeak.token']!.fix).toBeDefined();
    // Never a bare "fetch failed": the URL and the likely cause.
    for (const id of ['daspeak.token', 'daspeak.rest', 'daspeak.audiohook', 'backend.health']) {
      expect(r[id]!.detail).not.toMatch(/^fetch failed$/);
      expect(r[id]!.detail).toMatch(
        new RegExp(
          `127\\.0\\.0\\.1:${port}.*: connection refused by 127\\.0\\.0\\.1:${port} \\(is it running, on that port\\?\\)$`,
        ),
      );
    }
    expect(r['daspeak.rest']).toMatchObject({
      status: 'fail',
      fix: 'check daspeak.rest.baseUrl and the network path to it',
    });
    expect(r['daspeak.socketio']).toMatchObject({ status: 'skip', detail: 'needs daspeak.token' });
    expect(r['daspeak.audiohook']!.status).toBe('fail');
    expect(r['backend.health']).toMatchObject({
      status: 'fail',
      fix: 'start the backend (daspeak-genesys serve) and check backend.publicUrl',
    });
    expect(r['backend.widget']).toMatchObject({ status: 'skip', detail: 'needs backend.health' });

    const wrongKeys = workspace(org, tmp(), (v) => {
      const d = v.daspeak as Record<string, Record<string, unknown>>;
      const dp = services.config.daspeak;
      Object.assign(d, { rest: { ...dp.rest, apiKey: 'wrong-key' }, socketio: dp.socketio, auth: dp.auth });
      d.audiohook = {
        ...dp.audiohook,
        clientSecret: Buffer.from('not the secret, 32 bytes long!!!').toString('base64'),
      };
      (v.backend as Record<string, unknown>).publicUrl = services.config.backend.publicUrl;
    });
    const w = byId(await runDoctor(opts(wrongKeys)));
    expect(w['daspeak.token']!.status).toBe('ok');
    expect(w['daspeak.socketio']!.status).toBe('ok');
    expect(w['daspeak.rest']).toMatchObject({ status: 'fail', fix: 'check daspeak.rest.apiKey' });
    expect(w['daspeak.audiohook']).toMatchObject({
      status: 'fail',
      fix: 'check daspeak.audiohook.apiKey and clientSecret',
    });
    expect(w['backend.widget']!.status).toBe('ok');
  });

  it('names the permissions the provisioning client lacks, and a login that fails skips the org checks', async () => {
    const { org, services } = await everything();
    const api = await adminApi(org);
    const employee = org.state.roles.find((r) => r.name === 'employee')!;
    const home = org.state.divisions.find((d) => d.homeDivision)!;
    const weak = await api<{ id: string; secret: string }>('POST', '/api/v2/oauth/clients', {
      name: 'Weak provisioner',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: employee.id, divisionId: home.id }],
    });
    const ws = workspace(org, tmp(), (v) => {
      Object.assign(v.genesys as Record<string, unknown>, {
        clientId: weak.body.id,
        clientSecret: weak.body.secret,
      });
      Object.assign(v.daspeak as Record<string, unknown>, services.config.daspeak);
    });
    const r = byId(await runDoctor(opts(ws)));
    expect(r['genesys.login']!.status).toBe('ok');
    expect(r['genesys.permissions']!.status).toBe('fail');
    expect(r['genesys.permissions']!.detail).toMatch(/may not read roles/);
    expect(r['genesys.permissions']!.fix).toMatch(
      /these permissions: authorization:division:view, .*routing:queue:view$/,
    );
    // With the role reading right, it names exactly what is missing.
    const reader = await api<{ id: string }>('POST', '/api/v2/authorization/roles', {
      name: 'Role reader',
      permissions: ['authorization:role:view', 'oauth:client:*'],
    });
    const readerClient = await api<{ id: string; secret: string }>('POST', '/api/v2/oauth/clients', {
      name: 'Reader provisioner',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: employee.id, divisionId: home.id }],
    });
    expect(reader.status).toBe(200);
    // The sandbox admin cannot grant a role it does not hold; the org admin does it in the UI.
    await adminGrantsRole(org, readerClient.body.id, 'Role reader');
    const partial = workspace(org, tmp(), (v) => {
      Object.assign(v.genesys as Record<string, unknown>, {
        clientId: readerClient.body.id,
        clientSecret: readerClient.body.secret,
      });
    });
    const p = byId(await runDoctor({ ...opts(partial), timeoutMs: 3000 }));
    expect(p['genesys.permissions']!.status).toBe('fail');
    expect(p['genesys.permissions']!.detail).toMatch(
      /lacks authorization:role:add, authorization:role:delete/,
    );
    expect(p['genesys.permissions']!.detail).not.toMatch(/oauth:client/);
    expect(p['genesys.permissions']!.fix).toMatch(/add them to one of its roles \(.*"Role reader".*\)/);

    const bad = workspace(org, tmp(), (v) => {
      (v.genesys as Record<string, unknown>).clientSecret = 'wrong-secret';
    });
    const b = await runDoctor({ ...opts(bad), timeoutMs: 3000 });
    const lines = formatDoctor(b).join('\n');
    expect(lines).toMatch(/^FAIL +genesys\.login +.*401/m);
    expect(lines).toMatch(/fix: check genesys\.clientId and genesys\.clientSecret/);
    expect(byId(b)['genesys.permissions']).toMatchObject({ status: 'skip', detail: 'needs genesys.login' });
    expect(byId(b)['provision.plan']).toMatchObject({ status: 'skip', detail: 'needs genesys.login' });
  });

  it('a broken config is the one failing check, with its fix', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'daspeak-genesys.yaml'),
      stringify({ prefix: 'daspeak', genesys: { clientId: 'x' } }),
    );
    const run = await runCli(['doctor'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL +config +daspeak-genesys\.yaml/m);
    expect(run.stdout).toMatch(/fix: /);
  });
});
