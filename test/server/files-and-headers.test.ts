import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTokenProvider } from '../../src/daspeak/index.js';
import { openStore } from '../../src/store/index.js';
import { BUNDLE_FILE, startServer } from '../../src/server/index.js';
import {
  API_KEY_1,
  API_KEY_2,
  DASPEAK_SOCKET_URL,
  ENCRYPTION_KEY,
  MODEL_HASH,
  testConfig,
} from './helpers/config.js';
import { codeOf, importConfigJs, request } from './helpers/http.js';
import { startEnv, type TestEnv } from './helpers/env.js';
import { genesysOf } from '../../src/config/platform.js';

const REPO_UTILS = new URL('../../widget/utils.js', import.meta.url);

describe('widget files, security headers, health and metrics', () => {
  let env: TestEnv;
  let widgetDir: string;
  beforeAll(async () => {
    widgetDir = mkdtempSync(join(tmpdir(), 'daspeak-widget-'));
    env = await startEnv('sqlite', { server: { widgetDir } });
  });
  afterAll(async () => {
    await env?.close();
    rmSync(widgetDir, { recursive: true, force: true });
  });

  it('renders config.js from the kit config, with no secret in it', async () => {
    const answer = await request(env.base, 'GET', '/config.js');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const config = await importConfigJs(answer.text);
    expect(config).toEqual({
      backendUrl: 'http://127.0.0.1:18080/',
      authUrl: 'http://127.0.0.1:18080/token',
      sioUrl: DASPEAK_SOCKET_URL,
      sioPath: '/socket.io',
      registerNamespace: '/socket.io/register',
      verifyNamespace: '/socket.io/verify',
      tokenTransport: 'auth',
      platform: 'genesys',
      audioProtocol: 'audiohook',
      audioFormat: 'raw',
      audioCodec: 'mulaw',
      sampleFormat: '',
      sampleRate: 8000,
      channels: 1,
      audioTotalDuration: { register: 5, verify: 3 },
      authenticityThreshold: 0.8,
      verificationThreshold: 0.5,
      modelHash: MODEL_HASH,
      genesysRegion: null,
      genesysBaseUrl: env.genesys.url,
      genesysAppsOrigin: new URL(env.genesys.url).origin,
      genesysClientId: 'widget-client-id',
      redirectUri: 'http://127.0.0.1:18080/auth-popup.html',
      widgetName: 'Voice Biometrics',
      signalling: 'direct',
      relay: null,
      requireConsent: false,
      consentWordingVersion: '1',
    });
    const c = env.config;
    for (const secret of [
      c.daspeak.auth.clientSecret,
      c.daspeak.rest.apiKey,
      c.daspeak.audiohook!.clientSecret,
      genesysOf(c).clientSecret,
      API_KEY_1,
      API_KEY_2,
      ENCRYPTION_KEY.key,
    ]) {
      expect(answer.text).not.toContain(secret);
    }
  });

  it('answers 404 widget.not_built for the bundle and the page until widget/dist exists, then serves them', async () => {
    for (const path of [`/${BUNDLE_FILE}`, '/', '/index.html', '/utils.js']) {
      const answer = await request(env.base, 'GET', path);
      expect(answer.status, path).toBe(404);
      expect(codeOf(answer)).toBe('widget.not_built');
    }
    mkdirSync(join(widgetDir, 'dist'));
    writeFileSync(
      join(widgetDir, 'dist', BUNDLE_FILE),
      'customElements.define("x", class extends HTMLElement {});',
    );
    writeFileSync(join(widgetDir, 'dist', 'index.html'), '<!doctype html><title>widget</title>');
    writeFileSync(join(widgetDir, 'dist', 'callback.html'), '<!doctype html><title>callback</title>');
    writeFileSync(join(widgetDir, 'utils.js'), 'export const x = 1;');
    const bundle = await request(env.base, 'GET', `/${BUNDLE_FILE}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await request(env.base, 'GET', '/')).text).toContain('<title>widget</title>');
    expect((await request(env.base, 'GET', '/callback.html')).status).toBe(200);
    expect((await request(env.base, 'GET', '/utils.js')).text).toBe('export const x = 1;');
    expect((await request(env.base, 'GET', '/..%2Fpackage.json')).status).toBe(404);
  });

  it('sets a strict CSP that lets only the Genesys apps origin frame the widget', async () => {
    const answer = await request(env.base, 'GET', '/config.js');
    const csp = answer.headers.get('content-security-policy') ?? '';
    const directives: Record<string, string[]> = Object.fromEntries(
      csp.split(';').map((d): [string, string[]] => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    const genesysOrigin = new URL(env.genesys.url).origin;
    expect(directives['frame-ancestors']).toEqual([genesysOrigin]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['connect-src']).toEqual([
      "'self'",
      DASPEAK_SOCKET_URL,
      DASPEAK_SOCKET_URL.replace('http', 'ws'),
      genesysOrigin,
    ]);
    expect(answer.headers.get('x-frame-options')).toBeNull();
    expect(answer.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers /healthz, and /readyz with the database and das-Peak auth checks', async () => {
    expect((await request(env.base, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(env.base, 'GET', '/readyz')).body).toEqual({
      status: 'ready',
      checks: { database: 'ok', daspeakAuth: 'ok' },
    });
    env.tokens.setMode('down');
    expect((await request(env.base, 'GET', '/readyz')).body).toEqual({
      status: 'ready',
      checks: { database: 'ok', daspeakAuth: 'cached' },
    });
    env.tokens.setMode('ok');
  });

  it('exposes Prometheus metrics by route pattern, never by caller number', async () => {
    const token = await env.agentToken();
    await request(
      env.base,
      'GET',
      '/api/v1/credentials/%2B34644000001?conversationId=0c0e5a1e-0000-4000-8000-0000000000c1',
      { token },
    );
    await request(env.base, 'GET', '/api/v1/ivr/credentials/%2B34644000001', { apiKey: API_KEY_1 });
    await request(env.base, 'GET', '/api/v1/ivr/credentials/%2B34644000001', { apiKey: 'wrong-key' });
    const metrics = await request(env.base, 'GET', '/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.text).toContain(
      'daspeak_backend_http_requests_total{route="/api/v1/ivr/credentials/:ani",method="GET",status="200"} 1',
    );
    expect(metrics.text).toContain('daspeak_backend_http_request_duration_seconds_bucket');
    expect(metrics.text).toContain(
      'daspeak_backend_store_operations_total{operation="getCredential",outcome="not_found"} 1',
    );
    expect(metrics.text).toContain(
      'daspeak_backend_auth_failures_total{kind="api_key",code="auth.invalid_api_key"} 1',
    );
    expect(metrics.text).toContain(
      'daspeak_backend_auth_failures_total{kind="agent",code="conversation.not_found"} 1',
    );
    expect(metrics.text).toMatch(
      /daspeak_backend_agent_token_checks_total\{source="genesys",outcome="ok"\} \d/,
    );
    expect(metrics.text).not.toContain('34644000001');
  });
});

describe('security headers for a Genesys Cloud region', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });

  it('frames from apps.<region>, connects to api.<region>, and upgrades insecure requests on https', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daspeak-region-'));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const base = testConfig({
      genesysUrl: 'http://127.0.0.1:9',
      tokenUrl: 'http://127.0.0.1:9/token',
      databaseUrl: `sqlite:${join(dir, 'db.sqlite')}`,
      genesysClientSecret: 'a-real-org-client-secret-0123456789',
      backend: { publicUrl: 'https://vb.example.com/', allowedOrigins: ['https://crm.example.com'] },
    });
    const config = {
      ...base,
      genesys: { ...genesysOf(base), baseUrl: undefined, region: 'mypurecloud.ie' as const },
      daspeak: {
        ...base.daspeak,
        socketio: { ...base.daspeak.socketio, url: 'https://api.eu.veri-das.com' },
      },
    };
    const store = await openStore(config.backend);
    stops.push(() => store.close());
    const server = await startServer(config, {
      host: '127.0.0.1',
      port: 0,
      store,
      tokenProvider: createTokenProvider(config.daspeak.auth),
    });
    stops.unshift(() => server.close());
    const answer = await request(server.url, 'GET', '/healthz');
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toContain('frame-ancestors https://apps.mypurecloud.ie https://crm.example.com;');
    expect(csp).toContain(
      "connect-src 'self' https://api.eu.veri-das.com wss://api.eu.veri-das.com https://api.mypurecloud.ie",
    );
    expect(csp).toContain('upgrade-insecure-requests');
    expect(answer.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    const crm = await request(server.url, 'OPTIONS', '/token', {
      headers: { Origin: 'https://crm.example.com', 'Access-Control-Request-Method': 'GET' },
    });
    expect(crm.headers.get('access-control-allow-origin')).toBe('https://crm.example.com');
    const apps = await request(server.url, 'OPTIONS', '/token', {
      headers: { Origin: 'https://apps.mypurecloud.ie', 'Access-Control-Request-Method': 'GET' },
    });
    expect(apps.headers.get('access-control-allow-origin')).toBe('https://apps.mypurecloud.ie');
    const config_js = await request(server.url, 'GET', '/config.js');
    expect(config_js.text).toContain('"genesysRegion": "mypurecloud.ie"');
  });

  it('keeps /metrics behind backend.metricsToken when one is set', async () => {
    const metricsToken = 'metrics-token-0123456789abcdef';
    const env = await startEnv('sqlite', { backend: { metricsToken } });
    stops.push(() => env.close());
    const open = await request(env.base, 'GET', '/metrics');
    expect(open.status).toBe(401);
    expect(codeOf(open)).toBe('metrics.unauthorized');
    expect(open.text).not.toContain('daspeak_backend_');
    expect(
      (await request(env.base, 'GET', '/metrics', { token: 'wrong-token-0123456789abcdef' })).status,
    ).toBe(401);
    const scraped = await request(env.base, 'GET', '/metrics', { token: metricsToken });
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain('daspeak_backend_http_requests_total');
    // Probes stay open.
    expect((await request(env.base, 'GET', '/healthz')).status).toBe(200);
  });

  it('serves the repository’s widget/utils.js by default', async () => {
    const env = await startEnv('sqlite');
    stops.push(() => env.close());
    const answer = await request(env.base, 'GET', '/utils.js');
    expect(answer.status).toBe(200);
    // widget/dist/utils.js, once the widget build writes one, takes precedence over the source.
    expect(answer.text).toContain('export async function getTemporaryToken(');
    expect(readFileSync(REPO_UTILS, 'utf8')).toContain('export function setSession(');
  });
});
