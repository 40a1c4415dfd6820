import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadState } from '../../src/genesys/engine/state.js';
import type { GenesysSandbox } from '../../src/sandbox/genesys/index.js';
import { runCli } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/tmp.js';
import { templateKeys } from '../../src/genesys/resources/index.js';
import { adminApi, adminGrantsRole, kitObjects, startOrg, workspace } from './helpers.js';

/* The commands as a person runs them: a YAML config, the CLI in-process, output on captured streams. */

const running: GenesysSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});
const tmp = useTmpDir();
/** role, 2 credentials, 3 integrations, the data actions, 1 queue, 2 OAuth clients. */
// role, credentials, integrations, data actions, the queue setting, OAuth clients, and the three flows.
const OBJECTS = 1 + 2 + 3 + templateKeys().length + 1 + 2 + 3;

async function setup() {
  const s = await startOrg();
  running.push(s);
  const ws = workspace(s, tmp());
  const cli = (args: string[]) => runCli(['--config', ws.configPath, ...args], { cwd: ws.dir });
  return { s, ws, cli };
}

/** Runs the CLI with a terminal on stdin that answers `typed`. */
async function atTerminal(args: string[], cwd: string, typed: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  stdin.end(`${typed}\n`);
  const code = await main(['node', 'daspeak-genesys', ...args], { stdout, stderr, stdin, env: {}, cwd });
  return { code, stdout: out, stderr: err };
}

describe('plan, provision and destroy commands', () => {
  it('plan prints every step and --json gives counts and masked specs; nothing is written', async () => {
    const { s, ws, cli } = await setup();
    const human = await cli(['plan']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Plan for deployment daspeak-[0-9a-f]{8} \(new\) in organization/);
    expect(human.stdout).toMatch(/\+ create +role "daspeak Integration"/);
    expect(human.stdout).toMatch(/\+ create +integration "daspeak Audiohook"/);
    expect(human.stdout).toMatch(/\+ create +queue-audio-monitoring "Support"/);
    expect(human.stdout).toContain(
      `${OBJECTS} to create, 0 to update, 0 to delete, 0 unchanged, 0 conflicts.`,
    );
    // The admin grant is named as a step, before the client it unblocks, with the ways to do it.
    expect(human.stdout).toMatch(
      /^ {2}! admin +grant role "daspeak Integration" to OAuth client sandbox-admin-client .*\n(.*\n)+ {2}\+ create +oauth-client "daspeak Backend"/m,
    );
    expect(human.stdout).toMatch(
      /POST http:\/\/127\.0\.0\.1:\d+\/api\/v2\/authorization\/subjects\/sandbox-admin-client\/divisions\/[0-9a-f-]{36}\/roles\/<id of role "daspeak Integration">\?subjectType=PC_OAUTH_CLIENT/,
    );
    expect(human.stdout).toMatch(/provision --grant-with <admin client file \| env:PREFIX>/);
    // Lists are shown whole: every permission of the role.
    expect(human.stdout).toMatch(/^ +permissions: \["architect:flow:add",.*,"integrations:action:view"\]$/m);
    expect(human.stdout).toMatch(/^ +properties: \{url, sandbox, .*communicationTypeFilter.*\}$/m);
    expect(human.stdout).not.toMatch(/[^{]…[,"}\]]*$/m);
    const json = await cli(['plan', '--json']);
    const body = JSON.parse(json.stdout) as {
      ok: boolean;
      counts: Record<string, number>;
      steps: { action: string; kind: string; spec?: Record<string, unknown> }[];
      apiCalls: { writes: number; reads: number };
    };
    expect(body.ok).toBe(true);
    expect(body.counts.create).toBe(OBJECTS);
    const cred = body.steps.find((st) => st.kind === 'credential')!;
    expect(cred.spec).toMatchObject({ fields: { apiKey: '(secret)', clientSecret: '(secret)' } });
    expect(body.apiCalls.writes).toBe(0);
    expect(body.apiCalls.reads).toBeGreaterThan(5);
    expect(s.requestCounts().writes).toBe(0);
    // Plan never keeps a new deployment id: nothing was provisioned.
    expect(loadState(join(ws.stateDir, 'state.json'))).toBeUndefined();
    // ...yet the id it shows is the one the first provision keeps.
    const shown = /Plan for deployment (daspeak-[0-9a-f]{8})/.exec(human.stdout)![1];
    expect(JSON.parse(json.stdout)).toMatchObject({ deploymentId: shown });
    await cli(['provision']);
    expect(loadState(join(ws.stateDir, 'state.json'))!.deploymentId).toBe(shown);
  });

  it('provision applies, says where the one-time secret went without printing it, counts calls with --verbose', async () => {
    const { s, ws, cli } = await setup();
    const first = await cli(['provision']);
    expect(first.code).toBe(1);
    // The step is named up front, what was done is listed, and the three ways on.
    expect(first.stdout).toMatch(/^Provisioning deployment daspeak-[0-9a-f]{8} \(new\) .*: \d+ to create/);
    expect(first.stdout).toMatch(/^ {2}! admin +grant role "daspeak Integration"/m);
    expect(first.stdout).toMatch(
      new RegExp(`^Stopped at the admin grant after ${OBJECTS - 1} changes:$`, 'm'),
    );
    expect(first.stdout).toMatch(/^ {2}created role "daspeak Integration" \([0-9a-f-]{36}\)$/m);
    expect(first.stdout).toMatch(/^Not done yet: oauth-client "daspeak Backend"\.$/m);
    expect(first.stdout).toMatch(/Admin > Integrations > OAuth > client sandbox-admin-client > Roles/);
    expect(first.stdout).toMatch(
      /POST http:\/\/127\.0\.0\.1:\d+\/api\/v2\/authorization\/subjects\/sandbox-admin-client\/divisions\/[0-9a-f-]{36}\/roles\/[0-9a-f-]{36}\?subjectType=PC_OAUTH_CLIENT/,
    );
    expect(first.stdout).toMatch(/then run daspeak-genesys provision again/);
    expect(first.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^error: provision stopped at the one-time admin grant: .*does not hold "daspeak Integration"/,
      ),
    ]);
    await adminGrantsRole(s, s.adminClient.id, 'daspeak Integration');
    const second = await cli(['provision', '--verbose']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`Applied: 1 created, 0 updated, 0 deleted, ${OBJECTS - 1} unchanged.`);
    expect(second.stdout).toMatch(
      /New one-time secret \(oauth-client\/daspeak Backend\) written to .*secrets\.json \(mode 0600\)/,
    );
    expect(second.stdout).toMatch(
      /^Genesys API: \d+ requests \(\d+ reads, 1 writes; GET \d+, POST 1\), 1 login, 0 retries \(0 rate-limited\), 0 failed calls$/m,
    );
    const secrets = JSON.parse(readFileSync(join(ws.stateDir, 'secrets.json'), 'utf8')) as {
      secrets: Record<string, { clientSecret: string }>;
    };
    const secret = secrets.secrets['oauth-client/daspeak Backend']!.clientSecret;
    for (const text of [first.stdout, first.stderr, second.stdout, second.stderr]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(ws.config.daspeak.audiohook!.clientSecret);
      expect(text).not.toContain(ws.config.backend.apiKeys[0]!);
    }
    const third = await cli(['provision', '--json']);
    const body = JSON.parse(third.stdout) as { result: Record<string, number>; apiCalls: { writes: number } };
    expect(body.result).toMatchObject({ created: 0, updated: 0, deleted: 0, unchanged: OBJECTS });
    expect(body.apiCalls.writes).toBe(0);
  });

  it('destroy asks for the deployment id at a terminal, refuses without one, and --yes skips the question', async () => {
    const { s, ws, cli } = await setup();
    await cli(['provision']);
    await adminGrantsRole(s, s.adminClient.id, 'daspeak Integration');
    expect((await cli(['provision'])).code).toBe(0);
    const dep = loadState(join(ws.stateDir, 'state.json'))!.deploymentId;

    const noTerminal = await cli(['destroy']);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toMatch(/asks for the deployment id at a terminal \(hint: .*--yes\)/);
    const wrong = await atTerminal(['--config', ws.configPath, 'destroy'], ws.dir, 'not-it');
    expect(wrong.code).toBe(1);
    // What would go is listed before the question.
    expect(wrong.stderr).toMatch(
      new RegExp(
        `Deployment ${dep} owns ${OBJECTS} objects in the org:\\n(  - .*\\n){${OBJECTS}}[\\s\\S]*Type the deployment id`,
      ),
    );
    expect(wrong.stderr).toMatch(/ {2}- oauth-client "daspeak Backend" \(/);
    expect(wrong.stderr).toMatch(/nothing was destroyed/);
    expect(kitObjects(s).integrations).toHaveLength(3);

    const right = await atTerminal(['--config', ws.configPath, 'destroy'], ws.dir, dep);
    expect(right.code).toBe(0);
    expect(right.stdout).toContain(`Destroyed deployment ${dep}: ${OBJECTS} removed, 0 failed.`);
    expect(kitObjects(s).integrations).toHaveLength(0);
    // The deleted client's secret is useless now, and no longer kept.
    const left = JSON.parse(readFileSync(join(ws.stateDir, 'secrets.json'), 'utf8')) as { secrets: object };
    expect(left.secrets).toEqual({});

    const again = await cli(['destroy', '--yes', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, deleted: [], failed: [] });
  });

  it('destroy reports what it could not delete and why, and a re-run finishes the job', async () => {
    const { s, ws, cli } = await setup();
    await cli(['provision']);
    await adminGrantsRole(s, s.adminClient.id, 'daspeak Integration');
    await cli(['provision']);
    // Someone uses the kit's role on a client of their own: Genesys refuses to delete it.
    const api = await adminApi(s);
    const role = kitObjects(s).roles[0]!;
    const home = s.state.divisions.find((d) => d.homeDivision)!.id;
    const theirs = await api<{ id: string }>('POST', '/api/v2/oauth/clients', {
      name: 'Their client',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: role.id, divisionId: home }],
    });
    expect(theirs.status).toBe(200);
    const partial = await cli(['destroy', '--yes']);
    expect(partial.code).toBe(1);
    expect(partial.stdout).toContain(`${OBJECTS - 1} removed, 1 failed`);
    expect(partial.stdout).toMatch(/! role "daspeak Integration" \(.*\): .*409.*Their client/);
    expect(partial.stdout).toMatch(/run destroy again/);
    await api('PUT', `/api/v2/oauth/clients/${theirs.body.id}`, {
      name: 'Their client',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: s.state.roles
        .filter((r) => r.name === 'employee')
        .map((r) => ({ roleId: r.id, divisionId: home })),
    });
    const rest = await cli(['destroy', '--yes']);
    expect(rest.code).toBe(0);
    expect(rest.stdout).toMatch(/1 removed, 0 failed/);
    expect(kitObjects(s).roles).toHaveLength(0);
    expect(loadState(join(ws.stateDir, 'state.json'))!.objects).toEqual({});
  });
});
