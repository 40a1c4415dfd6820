import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadState } from '../../src/genesys/engine/state.js';
import { templateKeys } from '../../src/genesys/resources/index.js';
import { provisionDeployment } from '../../src/provision/index.js';
import type { GenesysSandbox } from '../../src/sandbox/genesys/index.js';
import { useTmpDir } from '../helpers/tmp.js';
import { readSecrets } from '../../src/genesys/engine/secrets-file.js';
import {
  adminGrantsRole,
  isRoleNotHeld,
  kitObjects,
  opts,
  provisionReady,
  startOrg,
  workspace,
  type Workspace,
} from './helpers.js';

/*
 * A provision killed with SIGKILL at a random write, several times over, then run again: it must
 * finish with exactly one of everything. Writes are slowed down by the sandbox so a kill can land
 * while one is in flight (sent, done by the org, its answer never read).
 */

const CHILD = fileURLToPath(new URL('./child-provision.ts', import.meta.url));
const running: GenesysSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});
const tmp = useTmpDir();

/** Starts a provision in a child process and kills it once the org has answered `after` writes, plus a random moment. */
function runAndKill(
  s: GenesysSandbox,
  ws: Workspace,
  after: number,
  extraMs: number,
): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ws.configPath, ws.stateDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let killed = false;
    const watch = setInterval(() => {
      if (killed || s.requestCounts().writes < after) return;
      killed = true;
      clearInterval(watch);
      setTimeout(() => child.kill('SIGKILL'), extraMs);
    }, 2);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(watch);
      resolve({ killed, code });
    });
  });
}

/** Runs provision in this process until everything but the client-credentials client is in place. */
async function provisionUntilStopped(s: GenesysSandbox, ws: Workspace): Promise<void> {
  // Everything the killed runs left is finished; the backend client is not created yet.
  const present = kitObjects(s).clients.some((c) => c.name === 'daspeak Backend');
  if (present) return;
  try {
    await provisionDeployment(opts(ws));
  } catch (err) {
    if (!isRoleNotHeld(err)) throw err;
  }
}

describe('a provision killed at a random write', () => {
  it('is finished by running again, with no duplicates', async () => {
    const s = await startOrg({ faults: { latencyMs: 30, methods: ['POST', 'PUT', 'PATCH', 'DELETE'] } });
    running.push(s);
    const ws = workspace(s, tmp());
    // A first run makes two dozen writes before it stops at the admin step; kill three times among them.
    const kills: string[] = [];
    for (const _ of [1, 2, 3]) {
      const at = s.requestCounts().writes + 1 + Math.floor(Math.random() * 6);
      const extraMs = Math.floor(Math.random() * 35);
      const r = await runAndKill(s, ws, at, extraMs);
      kills.push(`after write ${at} + ${extraMs} ms: ${r.killed ? 'killed' : `exited ${String(r.code)}`}`);
    }
    // Then the admin step, and a kill around the one write whose answer holds a one-time secret.
    await provisionUntilStopped(s, ws);
    await adminGrantsRole(s, s.adminClient.id, 'daspeak Integration');
    const at = s.requestCounts().writes + 1;
    const r = await runAndKill(s, ws, at, Math.floor(Math.random() * 35));
    kills.push(`client-credentials client: ${r.killed ? 'killed' : `exited ${String(r.code)}`}`);
    console.log(`kills: ${kills.join('; ')}`);

    s.setFaults({});
    await provisionReady(s, ws);
    const o = kitObjects(s);
    expect([
      o.roles.length,
      o.clients.length,
      o.credentials.length,
      o.integrations.length,
      o.actions.length,
    ]).toEqual([1, 2, 2, 3, templateKeys().length]);
    expect(s.state.queues.find((q) => q.name === 'Support')!.enableAudioMonitoring).toBe(true);
    // The value found before the kit's first write, not one a killed run left behind.
    expect(
      loadState(`${ws.stateDir}/state.json`)!.objects['queue-audio-monitoring/Support']!.outputs,
    ).toEqual({
      previous: 'false',
    });
    // Whatever the kill hit, the secrets file ends with a secret that logs the backend client in.
    const issued = readSecrets(`${ws.stateDir}/secrets.json`)!.secrets['oauth-client/daspeak Backend']!;
    expect(issued.clientId).toBe(o.clients.find((c) => c.name === 'daspeak Backend')!.id);
    const login = await fetch(`${s.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${issued.clientId}:${issued.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(login.status).toBe(200);
    s.resetRequestCounts();
    const again = await provisionDeployment(opts(ws));
    expect(again.report.counts).toMatchObject({ create: 0, update: 0, delete: 0, conflict: 0 });
    expect(s.requestCounts().writes).toBe(0);
  });
});
