import { afterEach, describe, expect, it } from 'vitest';
import type { GenesysSandbox } from '../../src/sandbox/genesys/index.js';
import { spawnBin } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/tmp.js';
import { healthyStack } from '../provision/stack.js';
import {
  adminGrantsRole,
  provisionReady,
  startOrg,
  workspace,
  type Workspace,
} from '../provision/helpers.js';
import { genesysOf } from '../../src/config/platform.js';

/*
 * The built CLI (`node bin/daspeak-genesys.js`, after `npm run build`) as a child process, against the
 * sandbox org with faults injected through its control route. A retry pause once was an
 * unreferenced timer: with nothing else pending Node exited 0 in the middle of the run, printing
 * nothing. An injected sleep cannot show that; only the real process can.
 */

const tmp = useTmpDir();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

interface Fault {
  name: string;
  /** Body of POST /sandbox/faults. */
  settings: Record<string, unknown>;
  /** Extra CLI options the fault needs. */
  args: string[];
  /** What GET /sandbox/faults shows once the fault was used up. */
  consumed: Record<string, number>;
}

const FAULTS: Fault[] = [
  { name: 'a 503', settings: { failNext: 1, errorStatus: 503 }, args: [], consumed: { failNext: 0 } },
  {
    name: 'a 429 with Retry-After',
    settings: { rateLimitNext: 1, retryAfterSeconds: 1 },
    args: [],
    consumed: { rateLimitNext: 0 },
  },
  {
    name: 'a reply slower than the request timeout',
    settings: { latencyMs: 2500, slowNext: 1 },
    args: ['--request-timeout', '1'],
    consumed: { slowNext: 0 },
  },
];

async function setFaults(org: GenesysSandbox, settings: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${org.url}/sandbox/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(settings),
  });
  expect(res.status).toBe(200);
}

async function faultsLeft(org: GenesysSandbox): Promise<Record<string, unknown>> {
  return (await (await fetch(`${org.url}/sandbox/faults`)).json()) as Record<string, unknown>;
}

async function freshOrg(): Promise<{ org: GenesysSandbox; ws: Workspace }> {
  const org = await startOrg();
  stops.push(() => org.stop());
  return { org, ws: workspace(org, tmp()) };
}

/** Runs the built CLI on `ws` with `fault` armed just before, and checks the fault was met. */
async function underFault(org: GenesysSandbox, ws: Workspace, fault: Fault, args: string[]) {
  await setFaults(org, fault.settings);
  const run = await spawnBin(['--config', ws.configPath, ...args, ...fault.args], { cwd: ws.dir });
  expect(await faultsLeft(org)).toMatchObject(fault.consumed);
  return run;
}

describe.each(FAULTS)('the built CLI through $name', (fault) => {
  it('plan completes with its normal output and exit 0', async () => {
    const { org, ws } = await freshOrg();
    const run = await underFault(org, ws, fault, ['plan']);
    expect(run.stderr).not.toMatch(/error:/);
    expect(run.stdout).toMatch(/^Plan for deployment daspeak-[0-9a-f]{8} \(new\)/);
    expect(run.stdout).toMatch(/^\d+ to create, 0 to update, 0 to delete, 0 unchanged, 0 conflicts\.$/m);
    expect(run.code).toBe(0);
  });

  it('provision stops at the admin grant with exit 1, then finishes with exit 0', async () => {
    const { org, ws } = await freshOrg();
    const first = await underFault(org, ws, fault, ['provision']);
    expect(first.stderr).toMatch(/daspeak Integration/);
    expect(first.code).toBe(1);
    await adminGrantsRole(org, genesysOf(ws.config).clientId, 'daspeak Integration');
    const second = await underFault(org, ws, fault, ['provision']);
    expect(second.stderr).not.toMatch(/error:/);
    expect(second.stdout).toMatch(/^Applied: 1 created, 0 updated, 0 deleted, \d+ unchanged\.$/m);
    expect(second.code).toBe(0);
  });

  it('destroy --yes removes everything and exits 0', async () => {
    const { org, ws } = await freshOrg();
    await provisionReady(org, ws);
    const run = await underFault(org, ws, fault, ['destroy', '--yes']);
    expect(run.stderr).not.toMatch(/error:/);
    expect(run.stdout).toMatch(/^Destroyed deployment daspeak-[0-9a-f]{8}: \d+ removed, 0 failed\.$/m);
    expect(run.code).toBe(0);
    expect(org.state.oauthClients.filter((c) => c.name?.startsWith('daspeak '))).toEqual([]);
  });

  it('doctor runs every check and passes on a healthy setup (exit 0)', async () => {
    const { org, services } = await healthyStack(tmp, stops);
    await provisionReady(org, services.ws);
    const timeout = fault.args.length > 0 ? ['--timeout', '1'] : [];
    const run = await underFault(org, services.ws, { ...fault, args: timeout }, ['doctor']);
    expect(run.stdout).toMatch(/^ok +genesys\.login /m);
    expect(run.stdout).toMatch(/^ok +provision\.plan +nothing to do/m);
    expect(run.stdout).toMatch(/^All checks passed\.$/m);
    expect(run.code).toBe(0);
  });
});

describe('a command whose work never settles', () => {
  const dist = new URL('../../dist/cli/exit-guard.js', import.meta.url).href;
  /** A real Node process whose only pending work is `body` (a promise of an exit code). */
  const guarded = (body: string) =>
    spawnProcess([
      '--input-type=module',
      '-e',
      `import { exitWhenSettled } from ${JSON.stringify(dist)};\nexitWhenSettled(${body});`,
    ]);

  it('exits 1 with one line when nothing is left to wait for', async () => {
    // What the retry pause did: the only thing keeping the work alive is an unreferenced timer.
    const r = await guarded('new Promise((ok) => setTimeout(() => ok(0), 60_000).unref())');
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: the command ended before its work finished .*treat this run as failed/),
    ]);
    expect(r.code).toBe(1);
  });

  it('exits with the code of work that settles, and says nothing more', async () => {
    const ok = await guarded('new Promise((done) => setTimeout(() => done(0), 50))');
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    const usage = await guarded('Promise.resolve(2)');
    expect(usage.code).toBe(2);
  });
});

async function spawnProcess(args: string[]) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stderr };
}
