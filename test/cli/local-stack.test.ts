import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/command.js';
import { runSandboxCommand, type describeStack } from '../../src/cli/commands/sandbox.js';
import { createTokenProvider } from '../../src/daspeak/index.js';
import { silentLogger } from '../../src/log.js';
import { startLocalStack } from '../../src/sandbox/stack.js';
import { BIN, runCli } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/tmp.js';

type Printed = ReturnType<typeof describeStack>;

function context(cwd: string, json: unknown[], onJson: () => void): CliContext {
  return {
    io: { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd },
    globals: { json: true, verbose: false, quiet: false },
    logger: silentLogger,
    configPath: `${cwd}/daspeak-genesys.yaml`,
    loadConfig: () => {
      throw new Error('not used');
    },
    print: () => {},
    printJson: (value) => {
      json.push(value);
      onJson();
    },
    note: () => {},
  };
}

describe('local stack', () => {
  const tmp = useTmpDir();

  it('sandbox starts both sandboxes by default; the emulator issues tokens with the printed credentials', async () => {
    const json: unknown[] = [];
    let stop!: (reason: string) => void;
    const until = new Promise<string>((resolve) => (stop = resolve));
    let ready!: () => void;
    const printed = new Promise<void>((resolve) => (ready = resolve));
    const running = runSandboxCommand(
      context(tmp(), json, ready),
      { genesysPort: 0, daspeakPort: 0, twilioPort: 0 },
      until,
    );
    await printed;
    const out = json[0] as Printed;
    try {
      expect(out.genesys?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(out.daspeak?.urls.audiohook).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/audiohook\/ws$/);
      const tokens = createTokenProvider({
        tokenUrl: out.daspeak!.urls.token,
        clientId: out.daspeak!.credentials.clientId,
        clientSecret: out.daspeak!.credentials.clientSecret,
      });
      expect((await tokens.getToken()).accessToken.length).toBeGreaterThan(10);
      expect((await fetch(`${out.genesys!.url}/sandbox/health`)).status).toBe(200);
    } finally {
      stop('SIGINT');
      expect(await running).toBe(0);
    }
    await expect(fetch(`${out.daspeak!.url}/dpsrest/v1/alive`)).rejects.toThrow();
  });

  it('--only daspeak starts the emulator alone', async () => {
    const json: unknown[] = [];
    let stop!: (reason: string) => void;
    const until = new Promise<string>((resolve) => (stop = resolve));
    let ready!: () => void;
    const printed = new Promise<void>((resolve) => (ready = resolve));
    const running = runSandboxCommand(
      context(tmp(), json, ready),
      { only: 'daspeak', daspeakPort: 0 },
      until,
    );
    await printed;
    const out = json[0] as Printed;
    stop('SIGINT');
    expect(await running).toBe(0);
    expect(out.genesys).toBeNull();
    expect(out.daspeak?.port).toBeGreaterThan(0);
  });

  it('--only twilio starts the Twilio stand-in alone; its calls stream to the emulator of --daspeak-port', async () => {
    const json: unknown[] = [];
    let stop!: (reason: string) => void;
    const until = new Promise<string>((resolve) => (stop = resolve));
    let ready!: () => void;
    const printed = new Promise<void>((resolve) => (ready = resolve));
    const running = runSandboxCommand(
      context(tmp(), json, ready),
      { only: 'twilio', twilioPort: 0, daspeakPort: 4999 },
      until,
    );
    await printed;
    const out = json[0] as Printed;
    try {
      expect(out.genesys).toBeNull();
      expect(out.daspeak).toBeNull();
      const placed = await fetch(`${out.twilio!.url}/sandbox/calls`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ from: '+34600000040', silent: true }),
      });
      const report = (await placed.json()) as { call: { streams: { url: string }[] } };
      expect(report.call.streams[0]!.url).toBe('ws://127.0.0.1:4999/twilio/ws');
    } finally {
      stop('SIGINT');
      expect(await running).toBe(0);
    }
  });

  it('with a backend: wired to both sandboxes, ready, and serving config.js that points at the emulator', async () => {
    const dir = tmp();
    const stack = await startLocalStack({
      genesysPort: 0,
      daspeakPort: 0,
      backendPort: 0,
      cwd: dir,
      dataDir: 'data',
    });
    try {
      const base = stack.backend!.url;
      expect((await fetch(`${base}healthz`)).status).toBe(200);
      const ready = await fetch(`${base}readyz`);
      expect(ready.status).toBe(200);
      const configJs = await (await fetch(`${base}config.js`)).text();
      expect(configJs).toContain(stack.daspeak!.urls.socketio);
      expect(configJs).not.toContain(stack.config.daspeak.auth.clientSecret);
      expect(stack.config.backend.databaseUrl).toBe(`sqlite:${dir}/data/credentials.db`);
    } finally {
      await stack.stop();
    }
  });

  it('demo (npm start) runs the whole stack as a process and stops cleanly on SIGTERM', async () => {
    const dir = tmp();
    const child = spawn(
      process.execPath,
      [BIN, '--json', 'demo', '--genesys-port', '0', '--daspeak-port', '0', '--backend-port', '0'],
      { cwd: dir, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 300 && !stdout.includes('"pid"'); i++) await new Promise((r) => setTimeout(r, 50));
    const out = JSON.parse(stdout) as Printed & { configFile: string };
    expect((await fetch(`${out.backend!.url}healthz`)).status).toBe(200);
    // The stack's config is written for commands run against it, and it validates.
    const validated = await runCli(['--config', out.configFile, 'validate'], { cwd: dir });
    expect(validated.stdout).toBe('ok\n');
    expect(readFileSync(out.configFile, 'utf8')).toContain(out.daspeak!.urls.audiohook);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
