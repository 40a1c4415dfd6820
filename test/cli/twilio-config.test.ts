import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SANDBOX } from '../../src/config/defaults.js';
import { runCli } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/tmp.js';

describe('daspeak-genesys init / validate / Genesys commands with a Twilio config', () => {
  const tmp = useTmpDir();

  it('init --sandbox --platform twilio writes the stand-in config; validate passes with no environment', async () => {
    const dir = tmp();
    const init = await runCli(['init', '--sandbox', '--platform', 'twilio'], { cwd: dir });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/^Twilio stand-in http:\/\/127\.0\.0\.1:4030, das-Peak emulator/m);
    const text = readFileSync(join(dir, 'daspeak-genesys.yaml'), 'utf8');
    expect(text).toMatch(/^platform: twilio$/m);
    expect(text).toContain(`accountSid: ${SANDBOX.twilio.accountSid}`);
    expect(text).not.toMatch(/^genesys:/m);
    expect(text).not.toMatch(/audiohook/i);
    const v = await runCli(['validate'], { cwd: dir });
    expect(v).toMatchObject({ code: 0, stdout: 'ok\n', stderr: '' });
  });

  it('init --platform twilio for a real account lists the Twilio environment variables', async () => {
    const dir = tmp();
    const init = await runCli(['init', '--platform', 'twilio', '--yes', '--json'], { cwd: dir });
    expect(init.code).toBe(0);
    const out = JSON.parse(init.stdout) as { env: string[] };
    expect(out.env).toEqual(
      expect.arrayContaining(['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_WORKSPACE_SID']),
    );
    expect(out.env).not.toContain('GENESYS_CLIENT_SECRET');
  });

  it('init refuses a flag of the other platform, and --twilio-port without --sandbox', async () => {
    const a = await runCli(['init', '--platform', 'twilio', '--region', 'mypurecloud.ie', '--yes'], {
      cwd: tmp(),
    });
    expect(a.code).toBe(1);
    expect(a.stderr).toBe(
      'error: --region is for a Genesys config, not --platform twilio (hint: drop the Genesys flags, or leave out --platform twilio)\n',
    );
    const b = await runCli(['init', '--twilio-account-sid', 'AC1', '--yes'], { cwd: tmp() });
    expect(b.stderr).toMatch(/^error: --twilio-account-sid goes with --platform twilio/);
    const c = await runCli(['init', '--platform', 'twilio', '--twilio-port', '4031', '--yes'], {
      cwd: tmp(),
    });
    expect(c.stderr).toMatch(/go with --sandbox/);
    const d = await runCli(['init', '--platform', 'twilo'], { cwd: tmp() });
    expect(d.code).toBe(2);
    // Audiohook is how Genesys streams; Twilio streams over Media Streams.
    const e = await runCli(
      ['init', '--sandbox', '--platform', 'twilio', '--audiohook-uri', 'wss://ah.example.com', '--yes'],
      { cwd: tmp() },
    );
    expect(e.code).toBe(1);
    expect(e.stderr).toBe(
      'error: --audiohook-uri is for a Genesys config, not --platform twilio (hint: drop the Genesys flags, or leave out --platform twilio)\n',
    );
  });

  it('a Genesys-only command refuses a Twilio config with one line and exit 2', async () => {
    const dir = tmp();
    await runCli(['init', '--sandbox', '--platform', 'twilio'], { cwd: dir });
    for (const cmd of [['plan'], ['provision'], ['destroy', '--yes'], ['flows', 'render']]) {
      const r = await runCli(cmd, { cwd: dir });
      expect(r.code, cmd.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), cmd.join(' ')).toEqual([
        `error: ${join(dir, 'daspeak-genesys.yaml')} platform: is twilio, but this command manages a Genesys Cloud org (hint: use a config with platform: genesys (--config <file>); for Twilio see \`daspeak-genesys twilio --help\`)`,
      ]);
    }
  });

  it('simulate with a Twilio config and no --platform twilio: a usage error pointing at --platform twilio, exit 2', async () => {
    const dir = tmp();
    await runCli(['init', '--sandbox', '--platform', 'twilio'], { cwd: dir });
    const r = await runCli(['simulate', '--target', 'config', '--voice', 'alice'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'error: the config is for Twilio (platform: twilio), and without --platform twilio simulate plays Genesys calls over Audiohook (hint: add --platform twilio (register, then verify, over Twilio Media Streams))',
      '(hint: run `daspeak-genesys simulate --help` for usage)',
    ]);
  });

  it('demo refuses a flag of the other platform before starting anything', async () => {
    const a = await runCli(['demo', '--platform', 'twilio', '--genesys-port', '0', '--no-provision'], {
      cwd: tmp(),
    });
    expect(a.code).toBe(1);
    expect(a.stderr).toBe(
      'error: --genesys-port and --no-provision are for the Genesys org, which the Twilio stack does not run (hint: drop the Genesys flags, or leave out --platform twilio)\n',
    );
    const b = await runCli(['demo', '--twilio-port', '0'], { cwd: tmp() });
    expect(b.code).toBe(1);
    expect(b.stderr).toBe(
      'error: --twilio-port goes with --platform twilio (hint: add --platform twilio, or drop it)\n',
    );
  });

  it('twilio twiml needs no secrets: the Auth Token may be unset', async () => {
    const dir = tmp();
    await runCli(
      [
        'init',
        '--platform',
        'twilio',
        '--twilio-account-sid',
        `AC${'a'.repeat(32)}`,
        '--twilio-workspace-sid',
        `WS${'b'.repeat(32)}`,
        '--media-stream-url',
        'wss://dp.example.com/twilio',
        '--public-url',
        'https://vb.example.com/',
        '--yes',
      ],
      { cwd: dir },
    );
    const r = await runCli(['twilio', 'twiml', '--json'], { cwd: dir });
    expect(r.stderr).toMatch(/^note: nothing follows <Start>/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, url: 'wss://dp.example.com/twilio' });
    // Streaming on a live call does need them, and says which.
    const s = await runCli(['twilio', 'stream', 'start', '--call', `CA${'c'.repeat(32)}`], { cwd: dir });
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/twilio\.authToken: environment variable TWILIO_AUTH_TOKEN is not set/);
  });
});
