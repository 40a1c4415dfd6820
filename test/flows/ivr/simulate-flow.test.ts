import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSuiteTmpDir } from '../../helpers/tmp.js';
import type { GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import { kitVoiceCatalog } from '../../../src/sandbox/voices.js';
import type { FlowSimulation } from '../../../src/simulate/flow-call.js';
import { spawnBin } from '../../helpers/cli.js';
import { provisionReady, startOrg, workspace, type Workspace } from '../../provision/helpers.js';
import { startServices, type Services } from '../data-actions/helpers.js';

/*
 * `simulate --via-genesys --flow` as the built CLI: the sandbox org runs its published inbound flow
 * on two calls with no agent. The org's data actions reach the backend through a proxy on 127.0.0.1
 * that answers the IVR's register-status polls with a 429, then a 503, and delays one reply: the flow
 * survives them (it gives up only after three failed polls in a row).
 */

const tmp = useSuiteTmpDir();
let org: GenesysSandbox;
let services: Services;
let ws: Workspace;
let proxy: Server;
const faults = { polls: 0, refused: [] as number[], delayed: 0 };

/** Forwards to the backend; the first register-status polls get a 429, a 503 and a slow answer. */
function faultyProxy(target: URL): Promise<Server> {
  const server = createServer((req, res) => {
    const forward = () => {
      const up = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    };
    if (req.url?.startsWith('/api/v1/ivr/register-sessions/')) {
      faults.polls++;
      if (faults.polls === 1) {
        faults.refused.push(429);
        res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '1' });
        res.end('{"error":{"code":"rate.limited","message":"slow down"}}');
        return;
      }
      if (faults.polls === 2) {
        faults.refused.push(503);
        res.writeHead(503, { 'Content-Type': 'application/json' });
        res.end('{"error":{"code":"store.unavailable","message":"down"}}');
        return;
      }
      if (faults.polls === 3) {
        faults.delayed++;
        setTimeout(forward, 1500);
        return;
      }
    }
    forward();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  org = await startOrg({ voices: kitVoiceCatalog() });
  services = await startServices(tmp(), org);
  proxy = await faultyProxy(new URL(services.backend.url));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`;
  const dp = services.config.daspeak;
  // The org's data actions call the backend through the proxy.
  ws = workspace(org, tmp(), (v) => {
    Object.assign(v.daspeak as Record<string, unknown>, { rest: dp.rest, socketio: dp.socketio, auth: dp.auth, audiohook: dp.audiohook });
    Object.assign(v.backend as Record<string, unknown>, { publicUrl: proxyUrl, apiKeys: services.config.backend.apiKeys });
  });
  await provisionReady(org, ws);
}, 120_000);
afterAll(async () => {
  await new Promise<void>((r) => proxy?.close(() => r()));
  await services?.stop();
  await org?.stop();
});

describe('simulate --via-genesys --flow (built CLI)', () => {
  it('registers, then verifies, a caller through the IVR with no agent, through a 429, a 503 and a slow reply', async () => {
    const r = await spawnBin(
      ['--config', ws.configPath, '--json', 'simulate', '--via-genesys', '--flow', 'daspeak Example Inbound', '--voice', 'alice', '--ani', '+34600000501', '--speed', '20'],
      { cwd: ws.dir, timeoutMs: 120_000 },
    );
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    const out = JSON.parse(r.stdout) as FlowSimulation;
    expect(out).toMatchObject({ ok: true, alreadyRegistered: false, problems: [] });
    expect(out.calls.map((c) => [c.voice, c.result, c.ending])).toEqual([
      ['alice-register', 'registered', { kind: 'transfer', queue: 'Support' }],
      ['alice-verify-1', 'verified', { kind: 'transfer', queue: 'Support' }],
    ]);
    expect(out.calls[0]!.genesys.sessions[0]).toMatchObject({ opened: true });
    expect(r.stdout).not.toMatch(/"credential"/);
    // The faults happened, and the flow's polling absorbed them.
    expect(faults.refused).toEqual([429, 503]);
    expect(faults.delayed).toBe(1);
    expect(out.calls[0]!.transcript.filter((t) => t.kind === 'data' && /Get Registration Status.*failure/.test(t.text))).toHaveLength(2);

    // The same caller again: the registration recording played to a registered number is a replay.
    const again = await spawnBin(
      ['--config', ws.configPath, 'simulate', '--via-genesys', '--flow', 'daspeak Example Inbound', '--voice', 'alice', '--ani', '+34600000501', '--speed', '20'],
      { cwd: ws.dir, timeoutMs: 120_000 },
    );
    expect(again.code, again.stderr).toBe(1);
    expect(again.stdout).toMatch(/^call 1 \(alice-register, conversation [0-9a-f-]{36}\): spoof, transferred to Support/m);
    expect(again.stdout).toMatch(/^failed: the registration call ended spoof/m);
  }, 240_000);

  it('exit 1 when the run did not register and verify; usage errors exit 2', async () => {
    // Another speaker's recordings under a registered number: the verification fails.
    const r = await spawnBin(
      ['--config', ws.configPath, 'simulate', '--via-genesys', '--flow', 'daspeak Example Inbound', '--voice', 'bruno', '--ani', '+34600000501', '--speed', '20'],
      { cwd: ws.dir, timeoutMs: 120_000 },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^failed: the registration call ended not-verified.*; the verification call ended not-verified/m);

    const unknown = await spawnBin(
      ['--config', ws.configPath, 'simulate', '--via-genesys', '--flow', 'No Such Flow', '--voice', 'alice'],
      { cwd: ws.dir },
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Inbound call flow No Such Flow not found/);
    for (const [args, message] of [
      [['--flow', 'daspeak Example Inbound'], /--flow is for --via-genesys/],
      [['--via-genesys', '--flow', 'daspeak Example Inbound', '--voice', 'alice-register'], /names a take/],
      [['--via-genesys', '--flow', 'daspeak Example Inbound', '--queue', 'Support'], /--queue cannot be used with --flow/],
    ] as const) {
      const u = await spawnBin(['--config', ws.configPath, 'simulate', ...args], { cwd: ws.dir });
      expect(u.code).toBe(2);
      expect(u.stderr).toMatch(message);
    }
  }, 240_000);
});
