/**
 * `daspeak-genesys simulate` run in-process (the binary's code path): option errors, exit codes, the
 * --json shape, the default in-process emulator, and `--target config` against an emulator the test
 * started, as a real deployment would be reached.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeWav, encodeWav } from '../../src/audio/index.js';
import { exampleValues } from '../../src/config/example.js';
import { SANDBOX } from '../../src/config/defaults.js';
import { startDaspeakSandbox, type DaspeakSandbox } from '../../src/sandbox/daspeak/index.js';
import type { LoadResult, SingleCallResult } from '../../src/simulate/index.js';
import { runCli } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/tmp.js';

const tmp = useTmpDir();
const VOICES_DIR = fileURLToPath(new URL('../fixtures/voices/', import.meta.url));
vi.setConfig({ testTimeout: 60_000 });

/** Secrets of the sandbox config: none may appear in any output. */
const SECRETS = [
  SANDBOX.daspeak.apiKey,
  SANDBOX.daspeak.clientSecret,
  SANDBOX.daspeak.audiohookApiKey,
  SANDBOX.daspeak.audiohookClientSecret,
];

async function simulate(args: string[], cwd = tmp()) {
  const r = await runCli(['simulate', ...args], { cwd });
  for (const secret of SECRETS) {
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  }
  return r;
}

describe('simulate: option errors', () => {
  it('a verification without a credential is a usage error (exit 2) that says what to pass', async () => {
    const r = await simulate(['--operation', 'verify', '--voice', 'alice']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error: a verification needs the credential a registration returned \(hint: pass --credential <base64> or --credential-file <file>/,
    );
  });

  it('bad values are usage errors naming the option', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--speed', 'fast'],
        /^error: --speed must be a number above 0 and at most 10000, or "max", got "fast"/,
      ],
      [['--speed', '0'], /^error: --speed must be a number above 0/],
      [['--calls', '0'], /^error: --calls must be a whole number from 1 to 100000, got "0"/],
      [['--ani', 'nobody'], /^error: --ani "nobody": the caller number holds characters/],
      [['--call-id', '42'], /^error: --call-id must be a UUID \(a Genesys conversationId\), got "42"/],
      [['--voice', 'zoe'], /^error: there is no voice "zoe" \(hint: voices: alice, bruno/],
      [['--expect', 'verified'], /^error: --expect verified cannot happen with --operation register/],
      [['--hold', 'forever'], /^error: --hold must be a number of seconds/],
    ];
    for (const [args, message] of cases) {
      const r = await simulate(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('choices are checked before anything runs (Commander, exit 2)', async () => {
    const r = await simulate(['--operation', 'enrol']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/argument 'enrol' is invalid\. Allowed choices are register, verify/);
    expect((await simulate(['--channel', 'grpc'])).code).toBe(2);
    expect((await simulate(['--target', 'prod'])).code).toBe(2);
  });

  it('an unreadable or unusable WAV is bad input (exit 1), one line with the file named', async () => {
    const dir = tmp();
    const missing = await simulate(['--wav', 'nowhere.wav'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'error: cannot read the WAV file nowhere.wav: no such file (hint: check the --wav path, or use --voice <name> for a built-in voice)\n',
    );
    writeFileSync(join(dir, 'notes.wav'), 'not audio at all');
    const garbage = await simulate(['--wav', 'notes.wav'], dir);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toMatch(
      /^error: notes\.wav: not a usable WAV file: it starts with "not ", not "RIFF" \(hint: give a RIFF\/WAVE file, 16-bit PCM or µ-law, .* or use --voice <name>\)\n$/,
    );
    // A WAV with less speech than das-Peak waits for is refused at once, unless --force.
    const short = join(dir, 'short.wav');
    const full = decodeWav(readFileSync(join(VOICES_DIR, 'alice-register.wav')));
    const twoSeconds = full.samples.subarray(0, full.sampleRate * full.channels * 2);
    writeFileSync(short, encodeWav({ ...full, samples: twoSeconds }));
    const started = Date.now();
    const tooShort = await simulate(['--wav', 'short.wav', '--speed', '50'], dir);
    expect(tooShort.code).toBe(1);
    expect(tooShort.stderr).toMatch(
      /^error: short\.wav holds \d\.\d s of net speech and a register waits for 5 s \(hint: use a recording with at least 5 s of speech, or pass --force to send it anyway\)\n$/,
    );
    expect(Date.now() - started).toBeLessThan(10_000); // not das-Peak's timeout
    const forced = await simulate(['--wav', 'short.wav', '--speed', '50', '--hold', '1', '--force'], dir);
    expect(forced.stderr).toMatch(/warning: short\.wav holds .* \(--force\)/);
    const noCredential = await simulate(
      ['--operation', 'verify', '--voice', 'alice', '--credential-file', 'none.txt'],
      dir,
    );
    expect(noCredential.code).toBe(1);
    expect(noCredential.stderr).toMatch(/^error: cannot read the credential file none\.txt: no such file/);
  });

  it('--json: a usage error is one JSON object too', async () => {
    const r = await simulate(['--json', '--speed', '-3']);
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stdout) as {
      ok: boolean;
      error: { code: string; message: string; hint?: string };
    };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('simulate.bad_option');
    expect(body.error.message).toMatch(/--speed must be a number above 0/);
  });

  it('--target config without a config file fails like every command that needs one', async () => {
    const r = await simulate(['--target', 'config', '--voice', 'alice']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*daspeak-genesys\.yaml/);
  });
});

describe('simulate --credential-out inside a git work tree', () => {
  it('warns when the file is not ignored, and not when it is', async () => {
    const dir = tmp();
    spawnSync('git', ['init', '-q', dir]);
    const exposed = await simulate(
      ['--voice', 'alice', '--speed', '50', '--credential-out', 'alice.cred'],
      dir,
    );
    expect(exposed.code).toBe(0);
    expect(exposed.stderr).toMatch(
      /^warning: alice\.cred is inside a git work tree and not ignored: a voice credential is biometric data; add it to \.gitignore/m,
    );
    expect(statSync(join(dir, 'alice.cred')).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, '.gitignore'), '*.cred\n');
    const ignored = await simulate(
      ['--voice', 'bruno', '--speed', '50', '--credential-out', 'bruno.cred'],
      dir,
    );
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).not.toMatch(/git/);
  });
});

describe('simulate against the default in-process emulator', () => {
  it('register --json, then verify from the saved credential; the exit code follows --expect', async () => {
    const dir = tmp();
    const registered = await simulate(
      [
        '--json',
        '--voice',
        `alice`,
        '--speed',
        '50',
        '--channel',
        'socketio',
        '--credential-out',
        'alice.cred',
      ],
      dir,
    );
    expect(registered.code, registered.stderr).toBe(0);
    const result = JSON.parse(registered.stdout) as SingleCallResult;
    expect(result).toMatchObject({
      mode: 'single',
      ok: true,
      target: 'sandbox',
      operation: 'register',
      channel: 'socketio',
      expect: 'any',
      speed: 50,
      organizationId: SANDBOX.genesys.organizationId,
      interrupted: false,
      credentialSavedTo: 'alice.cred',
      call: {
        kind: 'registered',
        expected: true,
        operation: 'register',
        channel: 'socketio',
        ani: '+34600000000',
        requiredNetSpeechSeconds: 5,
        audio: { source: 'alice-register.wav', sampleRate: 8000, channels: 1 },
        audiohook: { media: ['external'], errors: [] },
      },
    });
    expect(result.call.callId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(result.call.timings)).toEqual(
      expect.arrayContaining([
        'audiohookOpenedMs',
        'sessionCreatedMs',
        'consumerReadyMs',
        'resultMs',
        'speechToResultMs',
      ]),
    );
    // The credential is in the file (owner-only), never on stdout.
    const credentialFile = join(dir, 'alice.cred');
    const credential = readFileSync(credentialFile, 'utf8').trim();
    expect(credential.length).toBeGreaterThan(20);
    expect(statSync(credentialFile).mode & 0o777).toBe(0o600);
    expect(registered.stdout).not.toContain(credential);
    // Outside a git work tree there is nothing to warn about.
    expect(registered.stderr).not.toMatch(/git/);

    // A new run starts a new emulator; the sandbox credential stays valid across runs.
    const callId = '3b241101-e2bb-4255-8caf-4136c566a962';
    const verify = [
      '--operation',
      'verify',
      '--voice',
      'alice',
      '--credential-file',
      'alice.cred',
      '--speed',
      '50',
    ];
    const verified = await simulate(
      [...verify, '--call-id', callId, '--ani', 'tel:+34 611 222 333', '--expect', 'verified'],
      dir,
    );
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`^call ${callId}  ANI \\+34611222333  target sandbox$`, 'm'));
    expect(verified.stdout).toMatch(
      /^verify over rest, alice-verify-1\.wav \(5\.1 s, 3\.9 s net speech\), 50× real time$/m,
    );
    expect(verified.stdout).toMatch(
      /^outcome: verified, score 0\.\d{3} \(threshold 0\.500\), authenticity 0\.\d{3}$/m,
    );
    expect(verified.stdout).toMatch(
      /^timings: audiohook opened \d+ ms · session created .* · result .* \(from the call start\)$/m,
    );
    expect(verified.stdout).toMatch(
      /^latency: result -?\d+ ms after the required net speech was on the line$/m,
    );

    const wrong = await simulate([...verify, '--expect', 'no-match'], dir);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/^outcome: verified, .* {2}\[expected no-match\]$/m);

    const inline = await simulate(
      [
        '--operation',
        'verify',
        '--voice',
        'bruno',
        '--credential',
        credential,
        '--speed',
        '50',
        '--channel',
        'socketio',
      ],
      dir,
    );
    expect(inline.code).toBe(0);
    expect(inline.stdout).toMatch(/^outcome: no-match, score /m);
    expect(inline.stdout).not.toContain(credential);
  });

  it('load mode --json: per-call results and the summary; replays of one recording are spoofs in the emulator', async () => {
    const r = await simulate([
      '--json',
      '--voice',
      'chen',
      '--calls',
      '10',
      '--concurrency',
      '5',
      '--speed',
      '50',
      '--channel',
      'socketio',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as LoadResult;
    expect(result).toMatchObject({ mode: 'load', ok: true, interrupted: false, target: 'sandbox' });
    const s = result.summary;
    expect(s).toMatchObject({ requested: 10, completed: 10, concurrency: 5, unexpected: 0, errors: [] });
    // The emulator keeps no memory of audio: ten registrations of one voice are ten registrations.
    expect(s.outcomes.registered).toBe(10);
    expect(s.latency.resultMs?.count).toBe(10);
    expect(s.latency.speechToResultMs?.count).toBe(10);
    expect(result.calls).toHaveLength(10);
    // Not at a terminal: no progress lines, no notes.
    expect(r.stderr).toBe('');
  });

  it('load mode, human output: counts and grouped errors', async () => {
    const r = await simulate([
      '--voice',
      'dora-verify-1',
      '--calls',
      '3',
      '--concurrency',
      '3',
      '--speed',
      'max',
      '--hold',
      '0.2',
      '--force',
    ]);
    // 3.8 s of speech cannot make a 5 s registration: three das-Peak audio errors, exit 1.
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^3 of 3 calls: register over rest, concurrency 3, max speed, target sandbox$/m);
    expect(r.stdout).toMatch(/^outcomes: 3 error$/m);
    expect(r.stdout).not.toMatch(/^latency/m); // errors have no latency worth a percentile
    expect(r.stdout).toMatch(/^ {2}3× daspeak audio: /m);
    expect(r.stderr).toMatch(
      /warning: dora-verify-1\.wav holds 3\.8 s of net speech and a register waits for 5 s/,
    );
  });
});

describe('simulate --target config: a deployment described by the kit config', () => {
  let sandbox: DaspeakSandbox;
  beforeAll(async () => {
    sandbox = await startDaspeakSandbox({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  /** What `init --sandbox` writes, pointing at this emulator's port (JSON is YAML). */
  function writeConfig(dir: string, file: string, audiohookSecret?: string): void {
    const values = exampleValues({ sandbox: true }) as { daspeak: { audiohook: { clientSecret: string } } };
    if (audiohookSecret) values.daspeak.audiohook.clientSecret = audiohookSecret;
    const text = JSON.stringify(values)
      .split(`127.0.0.1:${SANDBOX.daspeakPort}`)
      .join(`127.0.0.1:${sandbox.port}`);
    writeFileSync(join(dir, file), text);
  }

  it('reaches the configured endpoints; the org id comes from the option or is made up (with a note)', async () => {
    const dir = tmp();
    writeConfig(dir, 'daspeak-genesys.yaml');
    const r = await simulate(['--target', 'config', '--voice', 'bruno', '--speed', '50', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as SingleCallResult;
    expect(result).toMatchObject({ target: 'config', call: { kind: 'registered' } });
    expect(r.stderr).toMatch(/note: no genesys\.organizationId in the config and no --organization-id/);
    expect(sandbox.stats().sessions).toBeGreaterThanOrEqual(1); // the session was held by this emulator

    const org = '11111111-2222-4333-8444-555555555555';
    const args = ['--target', 'config', '--voice', 'synth-high', '--speed', '50', '--json'];
    const again = await simulate([...args, '--organization-id', org], dir);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as SingleCallResult).organizationId).toBe(org);
    expect(again.stderr).not.toMatch(/organizationId/);
  });

  it('a wrong Audiohook secret in the config: the call fails on the Audiohook side, exit 1', async () => {
    const dir = tmp();
    const secret = Buffer.from('a different secret of 32 bytes!!').toString('base64');
    writeConfig(dir, 'bad.yaml', secret);
    const r = await simulate(
      ['--config', 'bad.yaml', '--target', 'config', '--voice', 'alice', '--speed', '50'],
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^outcome: error \(audiohook audiohook\.open_refused\): /m);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });
});
