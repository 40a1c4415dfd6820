import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX } from '../../src/config/defaults.js';
import { startDaspeakSandbox, type DaspeakSandbox } from '../../src/sandbox/daspeak/index.js';
import { startTwilioSandbox, type TwilioSandbox } from '../../src/sandbox/twilio/index.js';
import { kitVoiceCatalog } from '../../src/sandbox/voices.js';
import { streamTwiml } from '../../src/twilio/twiml.js';
import { runCli, spawnBin } from '../helpers/cli.js';
import { useSuiteTmpDir } from '../helpers/tmp.js';

/*
 * The `twilio` command (and doctor/Genesys-only commands with a Twilio config) as the built CLI in a
 * child process (npm run build first), against the local Twilio stand-in and the das-Peak emulator
 * running in this process on 127.0.0.1.
 */

let twilio: TwilioSandbox;
let daspeak: DaspeakSandbox;
const tmp = useSuiteTmpDir();
let dir: string;

beforeAll(async () => {
  // The stand-in's account as init --sandbox --platform twilio writes it (SANDBOX.twilio).
  twilio = await startTwilioSandbox({
    port: 0,
    voices: kitVoiceCatalog(),
    accountSid: SANDBOX.twilio.accountSid,
    authToken: SANDBOX.twilio.authToken,
    workspaceSid: SANDBOX.twilio.workspaceSid,
    workers: SANDBOX.twilio.workers.map((w) => ({ ...w })),
  });
  daspeak = await startDaspeakSandbox({ port: 0 });
  dir = tmp();
  const init = await runCli(
    [
      'init',
      '--sandbox',
      '--platform',
      'twilio',
      '--twilio-port',
      String(twilio.port),
      '--daspeak-port',
      String(daspeak.port),
      '--backend-port',
      '9',
    ],
    { cwd: dir },
  );
  expect(init.code).toBe(0);
}, 30_000);

afterAll(async () => {
  await twilio?.close();
  await daspeak?.stop();
});

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnBin(args, { cwd: dir, env, timeoutMs: 30_000 });

async function placeCall(from: string): Promise<string> {
  const res = await fetch(`${twilio.url}/sandbox/calls`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ from, silent: true }),
  });
  return ((await res.json()) as { callSid: string }).callSid;
}

async function fault(rule: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${twilio.url}/sandbox/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(rule),
  });
  expect(res.status).toBe(201);
}

describe('daspeak-genesys twilio (built CLI)', () => {
  it('twilio twiml prints the <Start><Stream> for the config, with the caller as a parameter', async () => {
    const url = `ws://127.0.0.1:${daspeak.port}/twilio/ws`;
    const r = await cli(['twilio', 'twiml', '--pause', '60']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${streamTwiml({ url, name: 'daspeak', parameters: { from: '{{From}}' }, then: { pauseSeconds: 60 } })}\n`,
    );
    const j = await cli(['twilio', 'twiml', '--json', '--workflow', `WW${'a'.repeat(32)}`]);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, url, parameters: { from: '{{From}}' } });
    expect((JSON.parse(j.stdout) as { twiml: string }).twiml).toContain(
      `<Enqueue workflowSid="WW${'a'.repeat(32)}"/>`,
    );
  });

  it('stream start then stop on a live call; the stream carries the caller number', async () => {
    const callSid = await placeCall('+34600000011');
    const started = await cli(['twilio', 'stream', 'start', '--call', callSid, '--json']);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const out = JSON.parse(started.stdout) as { stream: { sid: string; status: string; name: string } };
    expect(out.stream).toMatchObject({ status: 'in-progress', name: 'daspeak' });
    expect(twilio.state.streams.get(out.stream.sid)).toMatchObject({
      callSid,
      url: `ws://127.0.0.1:${daspeak.port}/twilio/ws`,
      parameters: { from: '+34600000011' },
    });
    const stopped = await cli(['twilio', 'stream', 'stop', '--call', callSid]);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toBe(`stopped stream ${out.stream.sid} (daspeak) on call ${callSid}: stopped\n`);
  });

  it("an unknown call SID: one line with Twilio's 20404 message, exit 1", async () => {
    const sid = `CA${'5'.repeat(32)}`;
    const r = await cli(['twilio', 'stream', 'start', '--call', sid]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^error: GET /2010-04-01/Accounts/AC[0-9a-f]{32}/Calls/${sid}\\.json: .*${sid}.* \\(Twilio error 20404, HTTP 404\\) \\(hint: check the SID`,
      ),
    );
  });

  it("a wrong auth token: Twilio's 20003, a hint naming the config keys, exit 1; the token is not printed", async () => {
    const file = join(dir, 'bad-auth.yaml');
    const text = readFileSync(join(dir, 'daspeak-genesys.yaml'), 'utf8').replace(
      /authToken: .*/,
      'authToken: ${env:TWILIO_AUTH_TOKEN}',
    );
    (await import('node:fs')).writeFileSync(file, text);
    const r = await cli(['--config', file, 'twilio', 'stream', 'stop', '--call', `CA${'6'.repeat(32)}`], {
      TWILIO_AUTH_TOKEN: 'not-the-token-123',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /\(Twilio error 20003, HTTP 401\) \(hint: check twilio\.accountSid and twilio\.authToken/,
    );
    expect(r.stderr + r.stdout).not.toContain('not-the-token-123');
  });

  it('survives a 429 (Retry-After) and a 503 from Twilio, saying so on stderr', async () => {
    const callSid = await placeCall('+34600000012');
    await fault({ status: 429, count: 1, retryAfter: 1 });
    await fault({ status: 503, count: 1 });
    const r = await cli(['twilio', 'stream', 'start', '--call', callSid]);
    expect(r.stdout).toMatch(
      new RegExp(`^started stream MZ[0-9a-f]{32} \\(daspeak\\) on call ${callSid}: in-progress\\n$`),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /Twilio answered 429 to GET .*Calls\/CA[0-9a-f]{32}\.json; retrying in 1\.0 s \(1\/3\)/,
    );
    expect(r.stderr).toMatch(/Twilio answered 503 to GET .*; retrying in 1\.0 s \(2\/3\)/); // no Retry-After: 500 ms doubled
  });

  it('a Twilio that stays unavailable: bounded retries, then exit 1 with twilio.unavailable', async () => {
    const callSid = await placeCall('+34600000013');
    await fault({ status: 503, count: 4 });
    const r = await cli(['twilio', 'stream', 'start', '--call', callSid, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr.match(/retrying/g)).toHaveLength(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'twilio.unavailable' } });
  });

  it('usage errors exit 2: no --call, a malformed SID, a missing op', async () => {
    const a = await cli(['twilio', 'stream', 'start']);
    expect(a).toMatchObject({
      code: 2,
      stderr: 'error: twilio stream start needs --call (hint: give the live call: --call CA…)\n',
    });
    const b = await cli(['twilio', 'stream', 'stop', '--call', 'CA12']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--call "CA12" is not a call SID/);
    expect((await cli(['twilio', 'stream'])).code).toBe(2);
    expect((await cli(['twilio', 'dance'])).code).toBe(2);
  });

  it('Genesys-only commands refuse the Twilio config (exit 2); the twilio command refuses a Genesys one', async () => {
    const plan = await cli(['plan']);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(
      /^error: .*daspeak-genesys\.yaml platform: is twilio, but this command manages a Genesys Cloud org \(hint: /,
    );
    const gdir = tmp();
    await runCli(['init', '--sandbox'], { cwd: gdir });
    const r = await spawnBin(['twilio', 'twiml'], { cwd: gdir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `error: ${join(gdir, 'daspeak-genesys.yaml')} platform: is genesys, but this command works with a Twilio account (hint: use a config with platform: twilio (write one with \`daspeak-genesys init --platform twilio\`))`,
    ]);
  });

  it('doctor checks Twilio (account, workspace, Media Streams consumer) and das-Peak for a Twilio config', async () => {
    const r = await cli(['doctor', '--json', '--timeout', '5']);
    const checks = (JSON.parse(r.stdout) as { checks: { id: string; status: string; fix?: string }[] })
      .checks;
    const status = Object.fromEntries(checks.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({
      config: 'ok',
      'twilio.account': 'ok',
      'twilio.workspace': 'ok',
      'twilio.media_stream': 'ok',
      'daspeak.token': 'ok',
      'daspeak.rest': 'ok',
      'daspeak.socketio': 'ok',
    });
    expect(
      Object.keys(status).filter((id) => id.startsWith('genesys') || id === 'daspeak.audiohook'),
    ).toEqual([]);
    // No backend runs on port 9: doctor fails, and says so.
    expect(status['backend.health']).toBe('fail');
    expect(r.code).toBe(1);
  });

  it('doctor with a wrong Twilio auth token: twilio.account fails with the fix, workspace skipped', async () => {
    const r = await cli(['--config', join(dir, 'bad-auth.yaml'), 'doctor', '--json', '--timeout', '5'], {
      TWILIO_AUTH_TOKEN: 'not-the-token-123',
    });
    const checks = (JSON.parse(r.stdout) as { checks: { id: string; status: string; fix?: string }[] })
      .checks;
    expect(checks.find((c) => c.id === 'twilio.account')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/twilio\.authToken/) as unknown,
    });
    expect(checks.find((c) => c.id === 'twilio.workspace')?.status).toBe('skip');
    expect(r.code).toBe(1);
  });
});
