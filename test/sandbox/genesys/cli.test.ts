import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** Runs the command until the returned stop() is called; resolves once it has printed its JSON. */
async function startCommand(dir: string) {
  const json: unknown[] = [];
  const lines: string[] = [];
  let stop!: (reason: string) => void;
  const until = new Promise<string>((resolve) => (stop = resolve));
  let ready!: () => void;
  const printedOnce = new Promise<void>((resolve) => (ready = resolve));
  const running = runSandboxCommand(
    context(dir, json, lines, ready),
    { genesysPort: 0, daspeakPort: 0, twilioPort: 0 },
    until,
  );
  await printedOnce;
  return { printed: json[0] as Printed, lines, stop: async () => (stop('SIGINT'), running) };
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
        { genesysPort: 0, only: 'genesys', stateFile: 'org.json', rateLimit: 50 },
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

  it('refuses bad ports, sandbox names and rate limits as usage errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
    try {
      expect((await runCli(['sandbox', '--daspeak-port', '70000'], { cwd: dir })).code).toBe(2);
      expect((await runCli(['sandbox', '--genesys-port', 'abc'], { cwd: dir })).code).toBe(2);
      expect((await runCli(['sandbox', '--only', 'flex'], { cwd: dir })).code).toBe(2);
      expect((await runCli(['sandbox', '--rate-limit', '0'], { cwd: dir })).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('executes data actions with the offline executor against a real web service', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
    const service = createServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ score: 0.9, path: req.url, key: req.headers['x-api-key'] }));
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    const servicePort = (service.address() as AddressInfo).port;
    const { printed, stop } = await startCommand(dir);
    try {
      const base = printed.genesys.url;
      const login = await fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${printed.genesys.clientId}:${printed.genesys.clientSecret}`).toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      const token = ((await login.json()) as { access_token: string }).access_token;
      const api = async <T>(method: string, path: string, body?: unknown) => {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: (await res.json()) as T };
      };
      const integration = await api<{ id: string }>('POST', '/api/v2/integrations', {
        name: 'VB',
        integrationType: { id: 'custom-rest-actions' },
      });
      const cred = await api<{ id: string }>('POST', '/api/v2/integrations/credentials', {
        name: 'backend',
        type: 'userDefined',
        credentialFields: { apiKey: 'k-1' },
      });
      await api('PUT', `/api/v2/integrations/${integration.body.id}/config/current`, {
        name: 'VB',
        version: 1,
        credentials: { basicAuth: { id: cred.body.id } },
      });
      const action = await api<{ id: string }>('POST', '/api/v2/integrations/actions', {
        name: 'Score',
        category: 'VB',
        integrationId: integration.body.id,
        config: {
          request: {
            requestUrlTemplate: `http://127.0.0.1:${servicePort}/score/\${input.ani}`,
            requestType: 'GET',
            headers: { 'X-API-KEY': '${credentials.apiKey}' },
          },
          response: { translationMap: { score: '$.score' }, successTemplate: '{"score": ${score}}' },
        },
        contract: {
          input: { inputSchema: { type: 'object', properties: { ani: { type: 'string' } } } },
          output: { successSchema: { type: 'object', properties: { score: { type: 'number' } } } },
        },
      });
      expect(action.status).toBe(200);
      const executed = await api<{ score: number }>(
        'POST',
        `/api/v2/integrations/actions/${action.body.id}/execute`,
        {
          ani: '34600000000',
        },
      );
      expect(executed).toEqual({ status: 200, body: { score: 0.9 } });
      const tested = await api<{ success: boolean; operations: unknown[] }>(
        'POST',
        `/api/v2/integrations/actions/${action.body.id}/test`,
        { ani: '34600000000' },
      );
      expect(tested.body.success).toBe(true);
      expect(tested.body.operations.length).toBeGreaterThan(3);
    } finally {
      await stop();
      await new Promise((resolve) => service.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
