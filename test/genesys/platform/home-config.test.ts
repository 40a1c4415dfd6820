import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import platformClient from 'purecloud-platform-client-v2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPlatformClient, type PlatformClient } from '../../../src/genesys/platform/index.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  startFakeOrg,
  startScriptedServer,
  type FakeOrg,
  type ScriptedServer,
} from './helpers/scripted-server.js';

/*
 * The SDK reads ~/.genesyscloudjavascript/config while `new ApiClientClass()` runs and watches it
 * for changes. These tests point HOME at a temporary directory holding a hostile file that tries
 * to redirect every request to another server, log bodies to a file and the console, and keep
 * reloading; the kit's client must behave exactly as its own config says.
 */

let home: string;
let org: FakeOrg | undefined;
let evil: ScriptedServer | undefined;
let client: PlatformClient | undefined;

afterEach(async () => {
  client?.close();
  await org?.close();
  await evil?.close();
  vi.unstubAllEnvs();
  if (home) rmSync(home, { recursive: true, force: true });
  client = undefined;
  org = undefined;
  evil = undefined;
});

interface SdkInternals {
  configPath: string;
  watchedConfigPath: string | null | undefined;
  live_reload_config: boolean;
  gateway?: { host: string };
  updateConfigFromFile(): void;
  logger: { logger: { transports: unknown[] }; log_level: string };
}
const internals = (c: PlatformClient) => c.sdk.config as unknown as SdkInternals;

function hostileIni(evilPort: number, logFile: string): string {
  return [
    '[general]',
    'host = evil.example.com',
    'live_reload_config = true',
    '[gateway]',
    'host = 127.0.0.1',
    `port = ${evilPort}`,
    'protocol = http',
    '[logging]',
    'log_level = trace',
    'log_to_console = true',
    'log_request_body = true',
    'log_response_body = true',
    `log_file_path = ${logFile}`,
    '[reauthentication]',
    'refresh_access_token = true',
    '',
  ].join('\n');
}

function hostileJson(evilPort: number, logFile: string): string {
  return JSON.stringify({
    general: { host: 'evil.example.com', live_reload_config: true },
    gateway: { host: '127.0.0.1', port: evilPort, protocol: 'http' },
    logging: { log_level: 'trace', log_to_console: true, log_request_body: true, log_file_path: logFile },
  });
}

async function hostileHome(format: 'ini' | 'json') {
  evil = await startScriptedServer(() => ({ status: 200, body: { access_token: 'evil', expires_in: 3600 } }));
  home = mkdtempSync(join(tmpdir(), 'daspeak-home-'));
  const dir = join(home, '.genesyscloudjavascript');
  mkdirSync(dir);
  const configFile = join(dir, 'config');
  const logFile = join(home, 'sdk.log');
  writeFileSync(
    configFile,
    format === 'ini' ? hostileIni(evil.port, logFile) : hostileJson(evil.port, logFile),
  );
  vi.stubEnv('HOME', home);
  return { configFile, logFile, evil };
}

describe('~/.genesyscloudjavascript/config has no effect', () => {
  it.each(['ini', 'json'] as const)('ignores a hostile %s file for a base-URL org', async (format) => {
    const { logFile, evil } = await hostileHome(format);
    org = await startFakeOrg((r) =>
      r.path.endsWith('/missing')
        ? { status: 404, body: { status: 404, code: 'not.found', message: 'no' } }
        : { body: { organization: { id: 'good' } } },
    );
    client = createPlatformClient({ baseUrl: org.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });

    const me = await client.call(() => client!.api.tokens.getTokensMe());
    await expect(client.request('GET', '/api/v2/missing')).rejects.toMatchObject({ status: 404 });

    expect(me.organization?.id).toBe('good');
    expect(evil.requests).toHaveLength(0);
    expect(org.requests).toHaveLength(3);
    const sdk = internals(client);
    expect(sdk.logger.logger.transports).toHaveLength(0);
    expect(sdk.logger.log_level).toBe('none');
    // winston creates the file while the SDK constructor runs; nothing may be written to it.
    if (existsSync(logFile)) expect(readFileSync(logFile, 'utf8')).toBe('');
  });

  it('ignores the file for a region org', async () => {
    await hostileHome('ini');
    client = createPlatformClient({
      region: 'mypurecloud.ie',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    expect(client.endpoints).toEqual({
      api: 'https://api.mypurecloud.ie',
      login: 'https://login.mypurecloud.ie',
    });
    expect(internals(client).gateway).toBeUndefined();
  });

  it('does not watch or reload the file', async () => {
    const { configFile, evil } = await hostileHome('ini');
    org = await startFakeOrg(() => ({ body: { organization: { id: 'good' } } }));
    client = createPlatformClient({ baseUrl: org.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const sdk = internals(client);
    expect(sdk.configPath).toBe('');
    expect(sdk.watchedConfigPath ?? null).toBeNull();
    expect(sdk.live_reload_config).toBe(false);

    // What the SDK's file watcher would run after a change: with the path cleared it reads nothing.
    writeFileSync(
      configFile,
      hostileIni(evil.port, join(home, 'other.log')).replace('127.0.0.1', 'localhost'),
    );
    sdk.updateConfigFromFile();

    await client.call(() => client!.api.tokens.getTokensMe());
    expect(evil.requests).toHaveLength(0);
    expect(client.endpoints.api).toBe(org.url);
  });

  it("stops the watch of the SDK singleton's configuration, which the kit never uses", async () => {
    await hostileHome('ini');
    client = createPlatformClient({
      region: 'mypurecloud.ie',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    const singleton = platformClient.ApiClient.config as unknown as SdkInternals;
    expect(singleton.configPath).toBe('');
    expect(singleton.watchedConfigPath ?? null).toBeNull();
  });
});
