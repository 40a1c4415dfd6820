import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX } from '../../src/config/defaults.js';
import { runBin, runCli } from '../helpers/cli.js';
import { testConfigObject } from './helpers/config.js';
import { request } from './helpers/http.js';
import { startTokenServer } from './helpers/token-server.js';

const RUN_CLI = fileURLToPath(new URL('./fixtures/run-cli.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

function writeConfig(dir: string, tokenUrl: string, backend: Record<string, unknown> = {}): string {
  const file = join(dir, 'daspeak-genesys.yaml');
  const config = testConfigObject({
    genesysUrl: 'http://127.0.0.1:9',
    tokenUrl,
    databaseUrl: 'sqlite:./data/backend.db',
    backend,
  });
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

/** Resolves with the first complete JSON document the child prints on stdout. */
function firstJson(child: ChildProcessWithoutNullStreams): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        resolve(JSON.parse(out) as Record<string, unknown>);
      } catch {
        // not complete yet
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code} before printing: ${err}`)));
  });
}

describe('daspeak-genesys serve', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('opens the store, listens, prints the URL as JSON, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daspeak-serve-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const tokens = await startTokenServer();
    cleanups.push(() => tokens.close());
    const file = writeConfig(dir, tokens.tokenUrl);

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', RUN_CLI, 'serve', '--config', file, '--port', '0', '--json'],
      { cwd: REPO, env: { PATH: process.env.PATH ?? '' } },
    );
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const printed = await firstJson(child);
    expect(printed).toMatchObject({
      ok: true,
      publicUrl: 'http://127.0.0.1:18080/',
      database: 'sqlite:./data/backend.db',
    });
    const url = printed.url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(existsSync(join(dir, 'data', 'backend.db'))).toBe(true);

    expect((await request(url, 'GET', '/healthz')).status).toBe(200);
    const ready = await request(url, 'GET', '/readyz');
    expect(ready.body).toMatchObject({ status: 'ready' });

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM: stopping the backend');
    expect(stderr).not.toContain(tokens.clientSecret);
  });

  it('fails with exit code 1 and one line when the port is taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daspeak-serve-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as AddressInfo).port;
    const file = writeConfig(dir, 'http://127.0.0.1:9/token', { listen: { host: '127.0.0.1', port } });
    const result = await runCli(['serve', '--config', file], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: cannot listen on 127.0.0.1:${port}`);
  });

  it('refuses to serve a real region or an https public URL that keeps a sandbox secret (built CLI: exit 1, one line, a hint)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'daspeak-serve-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'daspeak-genesys.yaml');
    const values = testConfigObject({
      genesysUrl: 'http://127.0.0.1:9',
      tokenUrl: 'http://127.0.0.1:9/token',
      databaseUrl: 'sqlite:./backend.db',
      genesysClientSecret: 'a-real-org-client-secret-0123456789',
      backend: { apiKeys: [SANDBOX.backend.apiKey] },
    }) as { genesys: Record<string, unknown> };
    delete values.genesys.baseUrl;
    values.genesys.region = 'mypurecloud.ie';
    writeFileSync(file, stringify(values), { mode: 0o600 });

    for (const command of ['serve', 'validate']) {
      const result = runBin([command, '--config', file], { cwd: dir });
      expect(result.code, command).toBe(1);
      // serve: `error: <file>:<line> <path>: …`; validate lists each issue the same way.
      const errors = result.stderr.split('\n').filter((l) => l.includes('backend.apiKeys[0]'));
      expect(errors, result.stderr).toHaveLength(1);
      expect(errors[0]).toContain(
        'backend.apiKeys[0]: is a published sandbox test secret, and genesys.region is mypurecloud.ie: a real deployment must not use it',
      );
      expect(result.stderr).toContain('openssl rand -hex 24');
      expect(result.stderr + result.stdout).not.toContain(SANDBOX.backend.apiKey);
    }
    expect(existsSync(join(dir, 'backend.db'))).toBe(false);

    // The same secret with an https public URL (and a sandbox org) is refused too.
    const https = testConfigObject({
      genesysUrl: 'http://127.0.0.1:9',
      tokenUrl: 'http://127.0.0.1:9/token',
      databaseUrl: 'sqlite:./backend.db',
      backend: { publicUrl: 'https://vb.example.com/' },
    });
    writeFileSync(file, stringify(https), { mode: 0o600 });
    const refused = runBin(['validate', '--config', file], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'genesys.clientSecret: is a published sandbox test secret, and backend.publicUrl is https',
    );
  });

  it('refuses an invalid --port as a usage error', async () => {
    const result = await runCli(['serve', '--port', 'eighty'], { cwd: tmpdir() });
    expect(result.code).toBe(2);
  });
});
