/**
 * `simulate --via-genesys` end to end: the Genesys sandbox org and the das-Peak emulator on
 * 127.0.0.1 (port 0), the org provisioned with the kit's own provisioning library (the admin's role
 * grant through the sandbox route, as a person does it in the UI), then the CLI asks the org to place
 * each call. The org streams the audio, signed with the integration's credential, to the das-Peak
 * the config names; the simulator only drives the register/verify session for the org's
 * conversationId. Plus the refusals: no Audiohook integration, audio monitoring off, a region config.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SANDBOX } from '../../src/config/defaults.js';
import { exampleValues } from '../../src/config/example.js';
import { startDaspeakSandbox, type DaspeakSandbox } from '../../src/sandbox/daspeak/index.js';
import type { GenesysSandbox } from '../../src/sandbox/genesys/index.js';
import { readWav } from '../../src/audio/index.js';
import {
  callAudioFromPcm,
  callAudioWav,
  voiceAudio,
  type LoadResult,
  type SingleCallResult,
} from '../../src/simulate/index.js';
import { runCli } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/tmp.js';
import { adminApi, provisionReady, startOrg, workspace, type Workspace } from '../provision/helpers.js';

const tmp = useTmpDir();
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

/** Secrets of the sandbox config: none may appear in any output. */
const SECRETS = [
  SANDBOX.daspeak.apiKey,
  SANDBOX.daspeak.clientSecret,
  SANDBOX.daspeak.audiohookApiKey,
  SANDBOX.daspeak.audiohookClientSecret,
  SANDBOX.genesys.clientSecret,
];

/** Points the das-Peak URLs of a sandbox config at the emulator's real port. */
function atEmulator(daspeak: DaspeakSandbox) {
  return (values: Record<string, unknown>) => {
    const moved = JSON.stringify(values.daspeak)
      .split(`127.0.0.1:${SANDBOX.daspeakPort}`)
      .join(`127.0.0.1:${daspeak.port}`);
    values.daspeak = JSON.parse(moved) as unknown;
  };
}

interface World {
  org: GenesysSandbox;
  ws: Workspace;
  root: string;
}

/** An org provisioned by the kit against these sandboxes: Audiohook integration, monitoring on Support. */
async function provisionedOrg(daspeak: DaspeakSandbox): Promise<World> {
  const org = await startOrg();
  const root = mkdtempSync(join(tmpdir(), 'daspeak-via-genesys-'));
  try {
    const ws = workspace(org, root, atEmulator(daspeak));
    await provisionReady(org, ws);
    return { org, ws, root };
  } catch (err) {
    await org.stop();
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

async function simulate(world: World, args: string[]) {
  const r = await runCli(['simulate', '--via-genesys', '--config', world.ws.configPath, ...args], {
    cwd: world.root,
  });
  for (const secret of SECRETS) {
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  }
  return r;
}

function single(r: { code: number; stdout: string; stderr: string }): SingleCallResult {
  const result = JSON.parse(r.stdout) as SingleCallResult;
  expect(result.mode).toBe('single');
  return result;
}

let daspeak: DaspeakSandbox;
beforeAll(async () => {
  daspeak = await startDaspeakSandbox({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await daspeak.stop();
});

describe('simulate --via-genesys against a provisioned sandbox org', () => {
  let world: World;
  beforeAll(async () => {
    world = await provisionedOrg(daspeak);
  });
  afterAll(async () => {
    await world.org.stop();
    rmSync(world.root, { recursive: true, force: true });
  });

  // The emulator remembers what it heard (replays are spoof), so each channel has its own speakers.
  describe.each([
    ['rest', 'alice', 'bruno'],
    ['socketio', 'dora', 'chen'],
  ] as const)('over %s', (channel, speaker, other) => {
    it('register → the same speaker verified → another speaker no-match; the org streamed every call', async () => {
      const credFile = join(world.root, `${speaker}-${channel}.cred`);
      const reg = await simulate(world, [
        '--channel',
        channel,
        '--voice',
        speaker,
        '--ani',
        '+34 600 111 222',
        '--credential-out',
        credFile,
        '--expect',
        'registered',
        '--speed',
        '50',
        '--json',
      ]);
      expect(reg.code, reg.stderr + reg.stdout).toBe(0);
      expect(reg.stderr).toMatch(
        /note: the Genesys org at http:\/\/127\.0\.0\.1:\d+ places the calls \(queue Support\)/,
      );
      const registered = single(reg);
      expect(registered).toMatchObject({
        ok: true,
        target: 'config',
        channel,
        organizationId: world.org.organizationId,
        credentialSavedTo: credFile,
        call: { kind: 'registered', ani: '+34600111222' },
      });
      expect(readFileSync(credFile, 'utf8').trim()).toMatch(/^[A-Za-z0-9+/_-]+={0,2}$/);

      // The org's report: its conversation is the call_id, monitored, one session to das-Peak, signed and accepted.
      const g = registered.call.genesys!;
      expect(g.conversationId).toBe(registered.call.callId);
      expect(g.organizationId).toBe(world.org.organizationId);
      expect(g.monitored).toBe(true);
      expect(g.state).toBe('ended');
      const supportId = world.org.state.queues.find((q) => q.name === 'Support')!.id;
      expect(g.queueId).toBe(supportId);
      expect(g.sessions).toHaveLength(1);
      expect(g.sessions[0]).toMatchObject({
        connectionUri: world.ws.config.daspeak.audiohook!.connectionUri,
        opened: true,
        httpStatus: 101,
        errors: [],
      });
      expect(g.sessions[0]!.media).toContain('external');
      expect(g.sessions[0]!.secondsSent).toBeGreaterThan(0);
      expect(registered.call.audiohook.sessionId).not.toBe('');
      // The conversation exists in the org with the caller's ANI, and has ended.
      const conversation = world.org.state.conversations.find((c) => c.id === g.conversationId)!;
      expect(conversation.participants[0]).toMatchObject({ purpose: 'customer', ani: 'tel:+34600111222' });
      expect(conversation.endTime).toBeDefined();
      const t = registered.call.timings;
      expect(t.sessionStartedMs).toBeDefined();
      expect(t.consumerReadyMs).toBeDefined();
      expect(t.resultMs).toBeDefined();
      expect(t.endedMs).toBeDefined();

      const verified = await simulate(world, [
        '--channel',
        channel,
        '--operation',
        'verify',
        '--voice',
        `${speaker}-verify-1`,
        '--credential-file',
        credFile,
        '--expect',
        'verified',
        '--speed',
        '50',
        '--json',
      ]);
      expect(verified.code, verified.stderr + verified.stdout).toBe(0);
      const v = single(verified);
      expect(v.call).toMatchObject({ kind: 'verified', expected: true });
      expect(v.call.genesys?.sessions[0]?.opened).toBe(true);
      expect(v.call.callId).not.toBe(registered.call.callId);

      const another = await simulate(world, [
        '--channel',
        channel,
        '--operation',
        'verify',
        '--voice',
        other,
        '--credential-file',
        credFile,
        '--expect',
        'no-match',
        '--speed',
        '50',
      ]);
      expect(another.code, another.stderr + another.stdout).toBe(0);
      expect(another.stdout).toMatch(/target config via Genesys$/m);
      expect(another.stdout).toMatch(/^outcome: no-match, score /m);
      expect(another.stdout).toMatch(
        /^genesys: call [0-9a-f-]{36}, conversation [0-9a-f-]{36}, queue [0-9a-f-]{36}, audio monitoring on, ended$/m,
      );
      expect(another.stdout).toMatch(
        /^ {2}audiohook daspeak Audiohook → ws:\/\/127\.0\.0\.1:\d+\S*: opened, media external/m,
      );
    });
  });

  it('load mode: several calls at once, each its own org conversation', async () => {
    const r = await simulate(world, [
      '--voice',
      'synth-high',
      '--calls',
      '3',
      '--concurrency',
      '3',
      '--speed',
      '50',
      '--channel',
      'socketio',
      '--json',
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const result = JSON.parse(r.stdout) as LoadResult;
    expect(result).toMatchObject({ mode: 'load', ok: true, organizationId: world.org.organizationId });
    expect(result.summary).toMatchObject({ requested: 3, completed: 3, unexpected: 0, errors: [] });
    // The emulator remembers what it heard: later plays of one recording may be judged replays.
    expect(result.summary.outcomes.registered + result.summary.outcomes.spoof).toBe(3);
    const conversations = new Set(result.calls.map((c) => c.genesys?.conversationId));
    expect(conversations.size).toBe(3);
    for (const call of result.calls) expect(call.callId).toBe(call.genesys?.conversationId);
  });

  it('a queue without audio monitoring: exit 1 naming the queue and the fix; the call was hung up', async () => {
    const before = world.org.state.conversations.length;
    const r = await simulate(world, ['--queue', 'Sales', '--voice', 'alice', '--speed', '50']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error: the Genesys org streamed no audio: audio monitoring is off for queue Sales, so no Audiohook integration hears the call \(hint: run `daspeak-genesys provision --config <file>`/m,
    );
    const placed = world.org.state.conversations.slice(before);
    expect(placed).toHaveLength(1);
    expect(placed[0]!.endTime).toBeDefined();
  });

  it('--json: the refusal is one JSON error with its code', async () => {
    const r = await simulate(world, ['--queue', 'Sales', '--voice', 'alice', '--speed', '50', '--json']);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; hint?: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'simulate.genesys_monitoring_off' } });
    expect(body.error.hint).toMatch(/daspeak-genesys provision/);
  });

  it('an unknown queue: the org refuses the call, exit 1', async () => {
    const r = await simulate(world, ['--queue', 'Nowhere', '--voice', 'alice']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: the Genesys org refused POST \/sandbox\/calls: 400 Queue Nowhere not found/m,
    );
  });
});

describe('simulate --via-genesys refusals', () => {
  it('no enabled Audiohook integration: exit 1 naming it and the fix', async () => {
    const world = await provisionedOrg(daspeak);
    try {
      const api = await adminApi(world.org);
      const hook = world.org.state.integrations.find((i) => i.integrationTypeId === 'audiohook')!;
      const patched = await api('PATCH', `/api/v2/integrations/${hook.id}`, { intendedState: 'DISABLED' });
      expect(patched.status).toBe(200);

      const r = await simulate(world, ['--voice', 'alice', '--speed', '50']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^error: the Genesys org streamed no audio: it has no ENABLED, ACTIVE audiohook integration \(audio monitoring is on for queue Support\) \(hint: run `daspeak-genesys provision --config <file>`: it creates the Audiohook integration/m,
      );
      expect(daspeak.stats().audiohookSessions).toBe(0);
    } finally {
      await world.org.stop();
      rmSync(world.root, { recursive: true, force: true });
    }
  });

  it('a config naming a Genesys Cloud region: usage error, nothing is called', async () => {
    const dir = tmp();
    const values = exampleValues({ sandbox: true }) as Record<string, Record<string, unknown>>;
    delete values.genesys!.baseUrl;
    values.genesys!.region = 'mypurecloud.ie';
    // A config for a real org may not keep the sandbox's published secrets (config.sandbox_secret).
    values.genesys!.clientSecret = 'a-real-org-client-secret-0123456789';
    values.daspeak = JSON.parse(
      JSON.stringify(values.daspeak)
        .replace(SANDBOX.daspeak.apiKey, 'real-rest-api-key-0123456789')
        .replace(SANDBOX.daspeak.clientSecret, 'real-sio-secret-0123456789')
        .replace(SANDBOX.daspeak.audiohookApiKey, 'real-audiohook-key-0123')
        .replace(
          SANDBOX.daspeak.audiohookClientSecret,
          Buffer.from('a real audiohook client secret!!').toString('base64'),
        ),
    ) as Record<string, unknown>;
    values.backend = {
      ...values.backend,
      apiKeys: ['a-real-backend-api-key-0123456789'],
      encryptionKeys: [{ id: 'k1', key: Buffer.alloc(32, 7).toString('base64') }],
    };
    writeFileSync(join(dir, 'daspeak-genesys.yaml'), stringify(values));
    const r = await runCli(['simulate', '--via-genesys', '--voice', 'alice'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error: --via-genesys needs a sandbox Genesys org \(genesys\.baseUrl\); this config names the Genesys Cloud region mypurecloud\.ie, and real Genesys Cloud cannot be scripted to place a call \(hint: point --config at the local stack/,
    );
  });

  it('a base URL that is not a sandbox org (no call route): usage error', async () => {
    const dir = tmp();
    const values = exampleValues({ sandbox: true, queues: ['Support'] }) as Record<
      string,
      Record<string, unknown>
    >;
    // The das-Peak emulator answers HTTP, but it has no /sandbox/calls.
    values.genesys!.baseUrl = `http://127.0.0.1:${daspeak.port}`;
    atEmulator(daspeak)(values);
    writeFileSync(join(dir, 'daspeak-genesys.yaml'), stringify(values));
    const r = await runCli(['simulate', '--via-genesys', '--voice', 'alice', '--queue', 'Support'], {
      cwd: dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: the Genesys org at http:\/\/127\.0\.0\.1:\d+ has no call control route/m,
    );
  });

  it('option combinations that cannot work through Genesys are usage errors', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--via-genesys', '--target', 'sandbox'],
        /^error: --via-genesys cannot be used with --target sandbox/,
      ],
      [['--queue', 'Support'], /^error: --queue is for --via-genesys/],
      [
        ['--via-genesys', '--call-id', '11111111-2222-4333-8444-555555555555'],
        /^error: --call-id cannot be used with --via-genesys/,
      ],
      [
        ['--via-genesys', '--organization-id', '11111111-2222-4333-8444-555555555555'],
        /^error: --organization-id cannot be used with --via-genesys/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['simulate', ...args], { cwd: tmp() });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('the caller audio in the form the call route takes', () => {
  it('mono: a µ-law 8 kHz WAV of the caller, byte for byte', () => {
    const audio = voiceAudio('synth-low', 'register');
    const wav = readWav(Buffer.from(callAudioWav(audio), 'base64'));
    expect(wav).toMatchObject({ encoding: 'mulaw', sampleRate: 8000, channels: 1 });
    expect(Buffer.from(wav.data).equals(Buffer.from(audio.external))).toBe(true);
  });

  it('stereo: caller first, agent second, as the route reads a stereo WAV', () => {
    const frames = 800;
    const samples = new Int16Array(frames * 2);
    for (let i = 0; i < frames; i++) {
      samples[2 * i] = 1000;
      samples[2 * i + 1] = -2000;
    }
    const audio = callAudioFromPcm({ sampleRate: 8000, channels: 2, samples }, 'stereo.wav');
    const wav = readWav(Buffer.from(callAudioWav(audio), 'base64'));
    expect(wav).toMatchObject({ encoding: 'mulaw', sampleRate: 8000, channels: 2 });
    expect(wav.data[0]).toBe(audio.external[0]);
    expect(wav.data[1]).toBe(audio.internal[0]);
    expect(audio.external[0]).not.toBe(audio.internal[0]);
  });
});
