/**
 * The built CLI in child processes (`npm run build` first): `sandbox` runs the Twilio stand-in next to
 * the others, and `simulate --platform twilio` registers then verifies a caller through a stand-in,
 * riding out a 429 and a 503 from it; a run that cannot finish exits non-zero.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { exampleValues } from '../../../src/config/example.js';
import { startDaspeakSandbox, type DaspeakSandbox } from '../../../src/sandbox/daspeak/index.js';
import { BIN, spawnBin } from '../../helpers/cli.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { control, helperClient, startStandIn, stopAll } from './helpers.js';

let daspeak: DaspeakSandbox | undefined;
afterEach(async () => {
  await stopAll();
  await daspeak?.stop();
  daspeak = undefined;
});

interface Simulation {
  ok: boolean;
  calls: { operation: string; result: string; callSid: string; status: { live: string; final: string } }[];
  retries: { status: number; method: string; path: string }[];
  problems: string[];
}

/** An emulator and a stand-in in this process, and a Twilio config file for them. */
async function standInStack(dir: string) {
  daspeak = await startDaspeakSandbox({ host: '127.0.0.1', port: 0, analysisWorkers: 0 });
  const standIn = await startStandIn({ mediaStreamUrl: daspeak.urls.twilio });
  const values = exampleValues({ sandbox: true, platform: 'twilio', daspeakPort: daspeak.port });
  (values.twilio as Record<string, unknown>).apiBaseUrl = standIn.url;
  const config = join(dir, 'twilio.yaml');
  writeFileSync(config, stringify(values), { mode: 0o600 });
  return { standIn, config };
}

const simulateArgs = (config: string) => [
  '--config',
  config,
  'simulate',
  '--platform',
  'twilio',
  '--target',
  'config',
  '--voice',
  'alice',
  '--speed',
  '20',
  '--json',
];

describe('simulate --platform twilio (built CLI)', () => {
  const tmp = useTmpDir();

  it('in-process stand-in and emulator: registers, then verifies the caller', async () => {
    const r = await spawnBin(
      ['simulate', '--platform', 'twilio', '--voice', 'alice', '--speed', '20', '--json'],
      {
        cwd: tmp(),
        timeoutMs: 60_000,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Simulation;
    expect(out.ok).toBe(true);
    expect(out.calls.map((c) => [c.operation, c.result, c.status.live, c.status.final])).toEqual([
      ['register', 'registered', 'in-progress', 'completed'],
      ['verify', 'verified', 'in-progress', 'completed'],
    ]);
    expect(out.calls.every((c) => /^CA[0-9a-f]{32}$/.test(c.callSid))).toBe(true);
  });

  it('survives a 429 (Retry-After) and a 503 from the stand-in', async () => {
    const dir = tmp();
    const { standIn, config } = await standInStack(dir);
    await control(standIn, 'POST', '/sandbox/faults', {
      status: 429,
      retryAfter: 1,
      pathPrefix: '/2010-04-01/',
    });
    await control(standIn, 'POST', '/sandbox/faults', { status: 503, pathPrefix: '/2010-04-01/' });
    const r = await spawnBin(simulateArgs(config), { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Simulation;
    expect(out.ok).toBe(true);
    expect(out.retries.map((x) => x.status)).toEqual([429, 503]);
    expect((await control(standIn, 'GET', '/sandbox/faults')).body).toEqual({
      rules: [],
      served: { '429': 1, '503': 1 },
    });
    // Both calls were hung up through the REST API.
    expect((await helperClient(standIn).calls.list({ status: 'completed' })).length).toBe(2);
  });

  it('a stand-in that keeps answering 503: the run cannot finish and exits 1, saying why', async () => {
    const dir = tmp();
    const { standIn, config } = await standInStack(dir);
    await control(standIn, 'POST', '/sandbox/faults', { status: 503, count: 50, pathPrefix: '/2010-04-01/' });
    const r = await spawnBin(
      simulateArgs(config).filter((a) => a !== '--json'),
      { cwd: dir, timeoutMs: 60_000 },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Twilio refused to read call CA[0-9a-f]{32}/);
    // The caller was not left on the line.
    await control(standIn, 'DELETE', '/sandbox/faults');
    expect((await helperClient(standIn).calls.list({ status: 'in-progress' })).length).toBe(0);
  });

  it('a caller das-Peak never hears (no stream): exits 1 with the problem', async () => {
    const dir = tmp();
    const { standIn, config } = await standInStack(dir);
    await standIn.close();
    const silent = await startStandIn({ mediaStreamUrl: 'ws://127.0.0.1:1/twilio/ws' });
    const values = exampleValues({ sandbox: true, platform: 'twilio', daspeakPort: daspeak!.port });
    (values.twilio as Record<string, unknown>).apiBaseUrl = silent.url;
    writeFileSync(config, stringify(values), { mode: 0o600 });
    const r = await spawnBin([...simulateArgs(config), '--hold', '1'], { cwd: dir, timeoutMs: 90_000 });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Simulation;
    expect(out.ok).toBe(false);
    expect(out.problems[0]).toMatch(/the register call ended error/);
  });

  it('options that do not fit a Twilio run are usage errors (exit 2)', async () => {
    const dir = tmp();
    for (const extra of [
      ['--calls', '3'],
      ['--wav', 'x.wav'],
      ['--voice', 'alice-verify-1'],
      ['--operation', 'verify'],
      ['--via-genesys'],
    ]) {
      const r = await spawnBin(['simulate', '--platform', 'twilio', ...extra], {
        cwd: dir,
        timeoutMs: 30_000,
      });
      expect(r.code, `${extra.join(' ')}: ${r.stderr}`).toBe(2);
    }
    const genesysConfig = join(dir, 'genesys.yaml');
    writeFileSync(genesysConfig, stringify(exampleValues({ sandbox: true })), { mode: 0o600 });
    const mismatch = await spawnBin(
      ['--config', genesysConfig, 'simulate', '--platform', 'twilio', '--target', 'config'],
      { cwd: dir, timeoutMs: 30_000 },
    );
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/platform/);
  });
});

describe('sandbox (built CLI)', () => {
  const tmp = useTmpDir();

  it('runs the Twilio stand-in next to the org and the emulator; its printed credentials work with the helper library', async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'sandbox',
        '--genesys-port',
        '0',
        '--daspeak-port',
        '0',
        '--twilio-port',
        '0',
        '--analysis-workers',
        '0',
        '--json',
      ],
      { cwd: tmp(), env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 400 && !stdout.includes('"pid"'); i++) await new Promise((r) => setTimeout(r, 50));
      const printed = JSON.parse(stdout) as {
        twilio: {
          url: string;
          accountSid: string;
          authToken: string;
          workspaceSid: string;
          workers: { sid: string }[];
          flexUrl: string;
        };
        daspeak: { urls: { twilio: string } };
      };
      expect(printed.twilio.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(printed.twilio.flexUrl).toBe(`${printed.twilio.url}/flex`);
      const { default: twilio } = await import('twilio');
      const { StandInRequestClient } = await import('./helpers.js');
      const client = twilio(printed.twilio.accountSid, printed.twilio.authToken, {
        httpClient: new StandInRequestClient(printed.twilio.url),
      });
      const workers = await client.taskrouter.v1.workspaces(printed.twilio.workspaceSid).workers.list();
      expect(workers.map((w) => w.sid)).toEqual(printed.twilio.workers.map((w) => w.sid));
      // Its calls stream to the emulator of the same run.
      const placed = await fetch(`${printed.twilio.url}/sandbox/calls`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ from: '+34600000030', silent: true }),
      });
      const report = (await placed.json()) as { call: { streams: { url: string }[] } };
      expect(report.call.streams[0]!.url).toBe(printed.daspeak.urls.twilio);
    } finally {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });
});

describe('demo --platform twilio (built CLI)', () => {
  const tmp = useTmpDir();

  it('prints the Flex desktop URL first; a caller simulated against its config registers and verifies', async () => {
    const dir = tmp();
    const child = spawn(
      process.execPath,
      [
        BIN,
        'demo',
        '--platform',
        'twilio',
        '--daspeak-port',
        '0',
        '--twilio-port',
        '0',
        '--backend-port',
        '0',
        '--analysis-workers',
        '0',
      ],
      { cwd: dir, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 600 && !stdout.includes('press Ctrl+C') && child.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 50));
      const lines = stdout.split('\n');
      const first = /^open (http:\/\/127\.0\.0\.1:(\d+))\/flex$/.exec(lines[0] ?? '');
      expect(first, `${stdout}\n${stderr}`).not.toBeNull();
      const standInUrl = first![1]!;
      expect((await fetch(`${standInUrl}/sandbox/health`)).status).toBe(200);
      const configFile = /^config of this stack: (.+)$/m.exec(stdout)![1]!;
      const backendUrl = /^backend at (\S+)/m.exec(stdout)![1]!;
      expect((await fetch(`${backendUrl}healthz`)).status).toBe(200);
      const r = await spawnBin(
        [
          '--config',
          configFile,
          'simulate',
          '--platform',
          'twilio',
          '--target',
          'config',
          '--voice',
          'bruno',
          '--speed',
          '20',
        ],
        { cwd: dir, timeoutMs: 60_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^ok: \+34600000000 registered, then verified/m);
    } finally {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });
});
