import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../src/config/loader.js';
import { describe, expect, it } from 'vitest';
import { discoverCommands } from '../../src/cli/main.js';
import { BIN, runBin, runCli } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/tmp.js';
import { ENV, VALID } from '../config/valid-config.js';
import { genesysOf } from '../../src/config/platform.js';

describe('daspeak-genesys CLI', () => {
  const tmp = useTmpDir();

  it('--help lists every command with a one-line purpose', async () => {
    const r = await runCli(['--help'], { cwd: tmp() });
    expect(r.code).toBe(0);
    const commands = await discoverCommands();
    expect(commands.length).toBeGreaterThanOrEqual(2);
    for (const c of commands) {
      expect(c.summary).not.toContain('\n');
      expect(r.stdout).toMatch(new RegExp(`^  ${c.name}\\b`, 'm'));
    }
  });

  it('every command has --help with an example', async () => {
    for (const c of await discoverCommands()) {
      expect(c.examples.length, c.name).toBeGreaterThan(0);
      const r = await runCli([c.name, '--help'], { cwd: tmp() });
      expect(r.code, c.name).toBe(0);
      expect(r.stdout, c.name).toMatch(/Examples?:\n {2}daspeak-genesys /);
    }
  });

  it('no command, an unknown command or an unknown option is a usage error (exit 2)', async () => {
    const dir = tmp();
    expect((await runCli([], { cwd: dir })).code).toBe(2);
    // One line, one hint.
    const unknown = await runCli(['valdate'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "error: unknown command 'valdate' (hint: did you mean validate? (daspeak-genesys --help for usage))\n",
    );
    const badOption = await runCli(['plan', '--stat-dir', 'x'], { cwd: dir });
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toBe(
      "error: unknown option '--stat-dir' (hint: did you mean --state-dir? (daspeak-genesys plan --help for usage))\n",
    );
    const badValue = await runCli(['doctor', '--timeout', 'x'], { cwd: dir });
    expect(badValue.stderr.trim().split('\n')).toHaveLength(1);
    expect(badValue.stderr.trimEnd()).toMatch(
      /^error: option .*--timeout.* is invalid.*\(hint: run `daspeak-genesys doctor --help` for usage\)$/,
    );
    // Under --json the refusal is JSON on stdout as well.
    const json = await runCli(['--json', 'valdate'], { cwd: dir });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      error: {
        code: 'usage',
        message: "unknown command 'valdate'",
        hint: expect.stringMatching(/validate/) as unknown,
      },
    });
  });

  it('--verbose and --quiet together are a usage error', async () => {
    expect((await runCli(['--verbose', '--quiet', 'validate'], { cwd: tmp() })).code).toBe(2);
  });

  it('init --sandbox then validate round-trips with no environment at all', async () => {
    const dir = tmp();
    const init = await runCli(['init', '--sandbox'], { cwd: dir });
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/^wrote daspeak-genesys.yaml$/m);
    const file = join(dir, 'daspeak-genesys.yaml');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const v = await runCli(['validate'], { cwd: dir });
    expect(v.stderr).toBe('');
    expect(v.stdout).toBe('ok\n');
    expect(v.code).toBe(0);
  });

  it('init for a real org writes ${env:…} references, lists them, and validate passes once they are set', async () => {
    const dir = tmp();
    const init = await runCli(
      ['init', '--yes', '--region', 'mypurecloud.de', '--public-url', 'https://vb.acme.example/', '--json'],
      { cwd: dir },
    );
    expect(init.code).toBe(0);
    const out = JSON.parse(init.stdout) as { ok: boolean; env: string[] };
    expect(out.ok).toBe(true);
    expect(out.env).toContain('GENESYS_CLIENT_SECRET');
    expect(out.env).toContain('DASPEAK_AUDIOHOOK_URI');
    const text = readFileSync(join(dir, 'daspeak-genesys.yaml'), 'utf8');
    expect(text).toMatch(/^ {2}region: mypurecloud.de$/m);
    expect(text).toMatch(/^ {2}# Secret of that OAuth client\.$/m);

    const missing = await runCli(['validate'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/environment variable GENESYS_CLIENT_SECRET is not set/);

    const env: Record<string, string> = {};
    for (const name of out.env) env[name] = 'x';
    Object.assign(env, {
      DASPEAK_AUDIOHOOK_URI: 'wss://audiohook.example/ws',
      DASPEAK_AUDIOHOOK_API_KEY: 'key123',
      DASPEAK_AUDIOHOOK_CLIENT_SECRET: ENV.DASPEAK_AUDIOHOOK_CLIENT_SECRET,
      DASPEAK_STORE_KEY: ENV.DASPEAK_STORE_KEY,
      DASPEAK_BACKEND_API_KEY: ENV.DASPEAK_BACKEND_API_KEY,
    });
    const ok = await runCli(['validate'], { cwd: dir, env });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    // And without any secrets, in CI:
    expect((await runCli(['validate', '--skip-env'], { cwd: dir })).code).toBe(0);
  });

  it('init --sandbox honours every flag it lists, takes other ports, and names the Support queue', async () => {
    const dir = tmp();
    const r = await runCli(
      [
        'init',
        '--sandbox',
        '--genesys-port',
        '5110',
        '--daspeak-port',
        '5120',
        '--backend-port',
        '5180',
        '--daspeak-token-url',
        'http://127.0.0.1:5121/oauth/token',
        '--audiohook-uri',
        'ws://127.0.0.1:5122/ah',
        '--model-hash',
        'm-2',
        '--prefix',
        'vb',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/queue "Support" \(the sandbox org's seeded queue\)/);
    const { config } = loadConfigFile(join(dir, 'daspeak-genesys.yaml'), { env: {} });
    expect(config.prefix).toBe('vb');
    expect(genesysOf(config).baseUrl).toBe('http://127.0.0.1:5110');
    expect(config.daspeak.rest.baseUrl).toBe('http://127.0.0.1:5120/dpsrest');
    expect(config.daspeak.socketio.url).toBe('http://127.0.0.1:5120');
    expect(config.daspeak.auth.tokenUrl).toBe('http://127.0.0.1:5121/oauth/token');
    expect(config.daspeak.audiohook!.connectionUri).toBe('ws://127.0.0.1:5122/ah');
    expect(config.daspeak.modelHash).toBe('m-2');
    expect(config.backend.publicUrl).toBe('http://127.0.0.1:5180/');
    expect(config.backend.listen.port).toBe(5180);
    expect(config.widget.queues).toEqual(['Support']);

    const urls = tmp();
    await runCli(
      [
        'init',
        '--sandbox',
        '--genesys-base-url',
        'http://127.0.0.1:6001',
        '--daspeak-rest-url',
        'http://127.0.0.1:6002/rest',
        '--daspeak-socket-url',
        'http://127.0.0.1:6003',
        '--genesys-client-id',
        'other-client',
      ],
      { cwd: urls },
    );
    const c2 = loadConfigFile(join(urls, 'daspeak-genesys.yaml'), { env: {} }).config;
    expect(genesysOf(c2).baseUrl).toBe('http://127.0.0.1:6001');
    expect(genesysOf(c2).clientId).toBe('other-client');
    expect(c2.daspeak.rest.baseUrl).toBe('http://127.0.0.1:6002/rest');
    expect(c2.daspeak.socketio.url).toBe('http://127.0.0.1:6003');
    expect(c2.daspeak.auth.tokenUrl).toBe('http://127.0.0.1:6003/socket.io/oauth2/token');

    // A region and a base URL together, or ports without --sandbox, are refused.
    const both = await runCli(['init', '--region', 'mypurecloud.ie', '--genesys-base-url', 'http://x'], {
      cwd: tmp(),
    });
    expect(both.code).toBe(2);
    const ports = await runCli(['init', '--yes', '--genesys-port', '5110'], { cwd: tmp() });
    expect(ports.code).toBe(1);
    expect(ports.stderr).toMatch(/go with --sandbox/);
  });

  it('init refuses to overwrite without --force and keeps the file intact', async () => {
    const dir = tmp();
    const file = join(dir, 'daspeak-genesys.yaml');
    writeFileSync(file, 'mine: true\n');
    const r = await runCli(['init', '--sandbox'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: daspeak-genesys.yaml already exists; nothing written (hint: pass --force to overwrite it, or --config <other file>)\n',
    );
    expect(readFileSync(file, 'utf8')).toBe('mine: true\n');
    expect((await runCli(['init', '--sandbox', '--force'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/baseUrl: http:\/\/127.0.0.1:4010/);
  });

  it('init writes where --config points', async () => {
    const dir = tmp();
    expect((await runCli(['--config', 'other.yaml', 'init', '--sandbox'], { cwd: dir })).code).toBe(0);
    expect(existsSync(join(dir, 'other.yaml'))).toBe(true);
    expect((await runCli(['validate', '--config', 'other.yaml'], { cwd: dir })).code).toBe(0);
  });

  it('validate prints each problem as one line and exits 1; --json gives the issues', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'daspeak-genesys.yaml'),
      VALID.replace('modelHash: model-2024', 'modelHsh: model-2024'),
    );
    const r = await runCli(['validate'], { cwd: dir, env: ENV });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      'daspeak-genesys.yaml:6:1 daspeak.modelHash: missing required key "modelHash" (hint: add modelHash: <Hash of the biometric model das-Peak should use>)',
      'daspeak-genesys.yaml:20:3 daspeak.modelHsh: unknown key "modelHsh" (hint: did you mean "modelHash"?)',
      '2 problems found',
      '',
    ]);
    const j = await runCli(['validate', '--json'], { cwd: dir, env: ENV });
    expect(j.code).toBe(1);
    const body = JSON.parse(j.stdout) as { ok: boolean; issues: { path: string; line: number }[] };
    expect(body.ok).toBe(false);
    expect(body.issues.map((i) => [i.path, i.line])).toEqual([
      ['daspeak.modelHash', 6],
      ['daspeak.modelHsh', 20],
    ]);
  });

  it('validate of a missing file: one line with a hint, exit 1, no stack unless --verbose', async () => {
    const dir = tmp();
    const r = await runCli(['validate'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /daspeak-genesys.yaml config file not found \(hint: create one with `daspeak-genesys init`/,
    );
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('warnings about secrets in clear go to stderr and do not fail validate', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'daspeak-genesys.yaml'),
      VALID.replace('${env:DASPEAK_API_KEY}', 'literal-api-key'),
    );
    const r = await runCli(['validate'], { cwd: dir, env: ENV });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr).toMatch(
      /warning: daspeak-genesys.yaml:9:5 daspeak.rest.apiKey: a secret is written in the file/,
    );
    expect(r.stderr).not.toContain('literal-api-key');
  });

  it('the launcher runs the built CLI with the same exit codes', () => {
    const dir = tmp();
    expect(runBin(['--version'], { cwd: dir }).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(runBin(['init', '--sandbox'], { cwd: dir }).code).toBe(0);
    expect(runBin(['validate'], { cwd: dir }).code).toBe(0);
    expect(runBin(['bogus'], { cwd: dir }).code).toBe(2);
    expect(runBin(['validate', '--config', 'nope.yaml'], { cwd: dir }).code).toBe(1);
  }, 60_000); // five process starts
});

describe('daspeak-genesys init at a terminal', () => {
  const tmp = useTmpDir();
  /** Runs the real binary on a pseudo-terminal (util-linux `script`), typing `input`. */
  const atTerminal = (dir: string, input: string) =>
    spawnSync(
      'script',
      ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} init`, '/dev/null'],
      {
        cwd: dir,
        input,
        env: { PATH: process.env.PATH, TERM: 'dumb' },
        encoding: 'utf8',
      },
    );

  it('asks for what the flags did not give, keeping answers typed ahead of each prompt', () => {
    const dir = tmp();
    const r = atTerminal(dir, 'mypurecloud.de\nmy-client-id\n\n\n\n\n\nhttps://vb.example.com/\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Genesys Cloud region/);
    const text = readFileSync(join(dir, 'daspeak-genesys.yaml'), 'utf8');
    expect(text).toMatch(/^ {2}region: mypurecloud.de$/m);
    expect(text).toMatch(/^ {2}clientId: my-client-id$/m);
    expect(text).toMatch(/^ {2}publicUrl: https:\/\/vb.example.com\/$/m);
    // An unanswered question keeps its env reference.
    expect(text).toMatch(/^ {2}modelHash: \$\{env:DASPEAK_MODEL_HASH\}$/m);
  });

  it('input ending at a question cancels cleanly and writes nothing', () => {
    const dir = tmp();
    const r = atTerminal(dir, 'mypurecloud.de\n');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/error: init cancelled at a question; nothing written/);
    expect(existsSync(join(dir, 'daspeak-genesys.yaml'))).toBe(false);
  });
});
