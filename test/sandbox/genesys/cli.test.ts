import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import platformClient from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../../src/cli/command.js';
import { runSandboxCommand } from '../../../src/cli/commands/sandbox.js';
import { silentLogger } from '../../../src/log.js';
import { runCli } from '../../helpers/cli.js';

interface Printed {
  genesys: { url: string; port: number; organizationId: string; clientId: string; clientSecret: string };
}

/** A CLI context that records what the command prints; `onJson` fires at the first JSON line. */
function context(cwd: string, json: unknown[], lines: string[], onJson: () => void = () => {}): CliContext {
  return {
    io: { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd },
    globals: { json: true, verbose: false, quiet: false },
    logger: silentLogger,
    configPath: join(cwd, 'daspeak-genesys.yaml'),
    loadConfig: () => {
      throw new Error('not used');
    },
    print: (line) => lines.push(line),
    printJson: (value) => {
      json.push(value);
      onJson();
    },
    note: (line) => lines.push(line),
  };
}

describe('daspeak-genesys sandbox', () => {
  it('starts the org, prints URL and credentials as JSON, and stops when told', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
    try {
      const json: unknown[] = [];
      const lines: string[] = [];
      let stop!: (reason: string) => void;
      const until = new Promise<string>((resolve) => (stop = resolve));
      const running = runSandboxCommand(
        context(dir, json, lines),
        { genesysPort: 0, stateFile: 'org.json', rateLimit: 50 },
        until,
      );
      for (let i = 0; i < 200 && json.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const printed = json[0] as Printed;
      expect(printed.genesys.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = new platformClient.ApiClientClass();
      client.config.setConfigPath('');
      client.setGateway({ host: '127.0.0.1', port: printed.genesys.port, protocol: 'http' });
      await client.loginClientCredentialsGrant(printed.genesys.clientId, printed.genesys.clientSecret);
      const org = await new platformClient.OrganizationApi(client).getOrganizationsMe();
      expect(org.id).toBe(printed.genesys.organizationId);
      stop('SIGTERM');
      expect(await running).toBe(0);
      expect(lines.join('\n')).toMatch(/SIGTERM: stopping the sandbox/);
      await expect(fetch(`${printed.genesys.url}/sandbox/health`)).rejects.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says the das-Peak sandbox is not available yet, and refuses a bad port as a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
    try {
      const daspeak = await runCli(['sandbox', '--only', 'daspeak'], { cwd: dir });
      expect(daspeak.code).toBe(1);
      expect(daspeak.stderr).toMatch(/das-Peak sandbox is not available/);
      expect((await runCli(['sandbox', '--genesys-port', 'abc'], { cwd: dir })).code).toBe(2);
      expect((await runCli(['sandbox', '--only', 'twilio'], { cwd: dir })).code).toBe(2);
      expect((await runCli(['sandbox', '--rate-limit', '0'], { cwd: dir })).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
