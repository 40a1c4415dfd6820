/**
 * The fast path (BackendApp.handler, outside Express) must answer a credential read exactly as the
 * Express routes (BackendApp.app) do: status, headers, body, audit rows and metrics; and leave every
 * refusal to Express. The same app is served twice on 127.0.0.1 — its handler and its bare Express
 * app — so both share one store, one set of caches, one rate-limit budget and one registry.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/store/index.js';
import { API_KEY_1, API_KEY_2 } from './helpers/config.js';
import { describeEachDatabase } from './helpers/databases.js';
import { startEnv, type TestEnv } from './helpers/env.js';

interface Raw {
  status: number;
  /** Header names in the order they were written, lower case. */
  order: string[];
  headers: Record<string, string>;
  body: unknown;
}

/** A GET with node:http, so the order of the answer's headers is visible. */
function get(base: string, path: string, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path.replace(/^\//, ''), base), { headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const order: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) order.push(res.rawHeaders[i]!.toLowerCase());
        const kept: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (name !== 'date' && name !== 'x-request-id' && typeof value === 'string') kept[name] = value;
        }
        resolve({ status: res.statusCode!, order, headers: kept, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Express writes X-Request-Id (its first middleware) before the security headers; the fast path
 * writes the security headers first. That order is the only outward sign of which one answered.
 */
const servedByFastPath = (r: Raw) =>
  r.order.indexOf('content-security-policy') < r.order.indexOf('x-request-id');

async function serve(
  listener: Parameters<typeof createServer>[1],
): Promise<{ server: Server; base: string }> {
  const server = createServer(listener);
  // As startServer sets it, so the Keep-Alive header of both servers' answers is the same.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

const metric = async (env: TestEnv, line: string): Promise<number> => {
  const text = await env.server.backend.metrics.registry.metrics();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
};

/** Audit rows without their id and time, which differ between two otherwise equal requests. */
const rows = (entries: AuditEntry[]) => entries.map(({ id: _id, at: _at, ...rest }) => rest);

describeEachDatabase('fast path: same answers as the Express routes', (kind) => {
  let env: TestEnv;
  let express: { server: Server; base: string };
  let token: string;
  beforeAll(async () => {
    env = await startEnv(kind);
    express = await serve(env.server.backend.app);
    token = await env.agentToken();
  });
  afterAll(async () => {
    express?.server.closeAllConnections();
    await new Promise((resolve) => express?.server.close(resolve));
    await env?.close();
  });

  /**
   * The same request through Express, then through the handler; the answers must be equal, but for
   * `timeFields` of the body (the time of each read itself).
   */
  async function both(path: string, headers: Record<string, string>, timeFields: string[] = []) {
    const viaExpress = await get(express.base, path, headers);
    const viaHandler = await get(env.base, path, headers);
    expect(servedByFastPath(viaExpress)).toBe(false);
    expect(viaHandler.status).toBe(viaExpress.status);
    const timeless = (body: unknown) => {
      const copy = { ...(body as Record<string, unknown>) };
      for (const field of timeFields) {
        expect(typeof copy[field]).toBe('string');
        copy[field] = 'a time';
      }
      return copy;
    };
    expect(timeless(viaHandler.body)).toEqual(timeless(viaExpress.body));
    expect(viaHandler.headers).toEqual(viaExpress.headers);
    return { viaExpress, viaHandler };
  }

  it('data action: a stored credential, and none stored, read alike; the same audit rows and metrics', async () => {
    const ani = '+34644000001';
    const put = await fetch(`${env.base}api/v1/ivr/credentials/${encodeURIComponent(ani)}`, {
      method: 'PUT',
      headers: { 'X-API-Key': API_KEY_1, 'Content-Type': 'application/json' },
      body: JSON.stringify({ credential: 'fast-cred' }),
    });
    expect(put.status).toBe(200);
    const path = `/api/v1/ivr/credentials/${encodeURIComponent(ani)}?conversationId=0c0e5a1e-0000-4000-8000-0000000fa571`;
    const route = 'route="/api/v1/ivr/credentials/:ani",method="GET",status="200"';
    const before = await metric(env, `daspeak_backend_http_requests_total{${route}}`);
    const readsBefore = await metric(
      env,
      'daspeak_backend_store_operations_total{operation="getCredential",outcome="ok"}',
    );

    const found = await both(path, { 'X-API-Key': API_KEY_2 });
    expect(servedByFastPath(found.viaHandler)).toBe(true);
    expect(found.viaHandler.status).toBe(200);
    expect(found.viaHandler.body).toMatchObject({ found: true, credential: 'fast-cred' });
    expect(await metric(env, `daspeak_backend_http_requests_total{${route}}`)).toBe(before + 2);
    expect(
      await metric(env, 'daspeak_backend_store_operations_total{operation="getCredential",outcome="ok"}'),
    ).toBe(readsBefore + 2);
    const [second, first] = rows(await env.server.store.queryAudit({ ani, action: 'credential.read' }));
    expect(first).toMatchObject({
      outcome: 'ok',
      conversationId: '0c0e5a1e-0000-4000-8000-0000000fa571',
      actor: { type: 'ivr', id: 'api-key-2' },
    });
    expect(second).toEqual(first);

    const none = await both('/api/v1/ivr/credentials/%2B34644000002', { 'X-API-Key': API_KEY_1 });
    expect(servedByFastPath(none.viaHandler)).toBe(true);
    expect(none.viaHandler.body).toMatchObject({ found: false, credential: '' });
    const misses = rows(await env.server.store.queryAudit({ ani: '+34644000002' }));
    expect(misses).toHaveLength(2);
    expect(misses[1]).toMatchObject({ outcome: 'not_found', conversationId: null });
    expect(misses[0]).toEqual(misses[1]);
  });

  it('data action: a refusal or odd input is left to Express (same answer, same audit row)', async () => {
    const ani = '+34644000003';
    const path = `/api/v1/ivr/credentials/${encodeURIComponent(ani)}`;
    const refused = await both(path, { 'X-API-Key': `${API_KEY_1}x` });
    expect(refused.viaHandler.status).toBe(401);
    expect(servedByFastPath(refused.viaHandler)).toBe(false);
    const denied = rows(await env.server.store.queryAudit({ ani, outcome: 'denied' }));
    expect(denied.map((d) => d.detail)).toEqual(['auth.invalid_api_key', 'auth.invalid_api_key']);
    expect(denied[0]).toEqual(denied[1]);

    for (const odd of [
      `${path}?other=1`,
      '/api/v1/ivr/credentials/abc',
      '/api/v1/ivr/credentials/%E0%A4%A',
    ]) {
      const answer = await both(odd, { 'X-API-Key': API_KEY_1 });
      expect(answer.viaHandler.status, odd).toBe(400);
      expect(servedByFastPath(answer.viaHandler)).toBe(false);
    }
    const cors = await both(path, { 'X-API-Key': API_KEY_1, Origin: 'https://elsewhere.example' });
    expect(cors.viaHandler.status).toBe(403);
  });

  it('widget: the seed and the JSON read answer alike once the verdict and the conversation are cached', async () => {
    const ani = '+34644000004';
    const conversationId = await env.conversation(ani);
    const stored = await fetch(`${env.base}database/storeCredential`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'X-Conversation-Id': conversationId,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ id: ani, credential: 'widget-cred' }).toString(),
    });
    expect(stored.status).toBe(201);
    const headers = { Authorization: `Bearer ${token}`, 'X-Conversation-Id': conversationId };

    const seed = await both(`/database/getCredential?id=${encodeURIComponent(ani)}`, headers);
    expect(servedByFastPath(seed.viaHandler)).toBe(true);
    expect(seed.viaHandler.body).toEqual({ credential: 'widget-cred' });

    const resource = await both(
      `/api/v1/credentials/${encodeURIComponent(ani)}?conversationId=${conversationId}`,
      { Authorization: `Bearer ${token}` },
      ['lastUsedAt'],
    );
    expect(servedByFastPath(resource.viaHandler)).toBe(true);
    expect(resource.viaHandler.body).toMatchObject({ ani, credential: 'widget-cred' });

    const reads = rows(await env.server.store.queryAudit({ ani, action: 'credential.read' }));
    expect(reads).toHaveLength(4);
    const agentId = env.genesys.agents[0]!.id;
    for (const r of reads) {
      expect(r).toEqual({
        actor: { type: 'agent', id: agentId },
        conversationId,
        aniHash: reads[0]!.aniHash,
        action: 'credential.read',
        outcome: 'ok',
        detail: null,
      });
    }
  });

  it('widget: nothing stored is the same 404; a refusal (ani.mismatch) is left to Express and audited alike', async () => {
    const ani = '+34644000005';
    const conversationId = await env.conversation(ani);
    const headers = { Authorization: `Bearer ${token}`, 'X-Conversation-Id': conversationId };
    const missing = await both(`/database/getCredential?id=${encodeURIComponent(ani)}`, headers);
    expect(missing.viaHandler.status).toBe(404);
    expect(servedByFastPath(missing.viaHandler)).toBe(true);
    expect(missing.viaHandler.body).toEqual({
      error: { code: 'credential.not_found', message: 'no voice credential is stored for this caller' },
    });
    const notFound = rows(await env.server.store.queryAudit({ ani }));
    expect(notFound.map((r) => r.outcome)).toEqual(['not_found', 'not_found']);
    expect(notFound[0]).toEqual(notFound[1]);

    const other = '+34644000099';
    const refused = await both(`/database/getCredential?id=${encodeURIComponent(other)}`, headers);
    expect(refused.viaHandler.status).toBe(403);
    expect(servedByFastPath(refused.viaHandler)).toBe(false);
    const denied = rows(await env.server.store.queryAudit({ ani: other }));
    expect(denied.map((d) => d.detail)).toEqual(['ani.mismatch', 'ani.mismatch']);
    expect(denied[0]).toEqual(denied[1]);
  });
});

describe('fast path: rate limits', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function env(backend: Record<string, unknown>) {
    const e = await startEnv('sqlite', { backend });
    cleanup.push(() => e.close());
    const express = await serve(e.server.backend.app);
    cleanup.push(async () => {
      express.server.closeAllConnections();
      await new Promise((resolve) => express.server.close(resolve));
    });
    return { e, express };
  }

  it('data action: one budget for both paths; the fast path answers the 429 as Express does', async () => {
    const { e, express } = await env({ rateLimit: { apiKeyPerMinute: 2 } });
    const path = '/api/v1/ivr/credentials/%2B34644000010';
    const headers = { 'X-API-Key': API_KEY_1 };
    expect((await get(express.base, path, headers)).status).toBe(200);
    const allowed = await get(e.base, path, headers);
    expect(allowed.status).toBe(200);
    expect(servedByFastPath(allowed)).toBe(true);
    const fast = await get(e.base, path, headers);
    const slow = await get(express.base, path, headers);
    expect(servedByFastPath(fast)).toBe(true);
    for (const limited of [fast, slow]) {
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({
        error: {
          code: 'rate_limited',
          message: 'this API key sent more than 2 requests in a minute; wait before trying again',
        },
      });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect({ ...fast.headers, 'retry-after': '' }).toEqual({ ...slow.headers, 'retry-after': '' });
    expect(await metric(e, 'daspeak_backend_rate_limited_total{kind="api_key"}')).toBe(2);
    expect(
      await metric(
        e,
        'daspeak_backend_http_requests_total{route="/api/v1/ivr/credentials/:ani",method="GET",status="429"}',
      ),
    ).toBe(2);
  });

  it('widget: one budget for both paths; the fast path answers the 429 as Express does', async () => {
    const { e, express } = await env({ rateLimit: { agentPerMinute: 2 } });
    const token = await e.agentToken();
    const ani = '+34644000011';
    const conversationId = await e.conversation(ani);
    const path = `/database/getCredential?id=${encodeURIComponent(ani)}`;
    const headers = { Authorization: `Bearer ${token}`, 'X-Conversation-Id': conversationId };
    expect((await get(express.base, path, headers)).status).toBe(404);
    const allowed = await get(e.base, path, headers);
    expect(allowed.status).toBe(404);
    expect(servedByFastPath(allowed)).toBe(true);
    const fast = await get(e.base, path, headers);
    const slow = await get(express.base, path, headers);
    expect(servedByFastPath(fast)).toBe(true);
    for (const limited of [fast, slow]) {
      expect(limited.status).toBe(429);
      expect((limited.body as { error: { code: string } }).error.code).toBe('rate_limited');
    }
    expect(fast.body).toEqual(slow.body);
    expect(await metric(e, 'daspeak_backend_rate_limited_total{kind="agent"}')).toBe(2);
    // A 429 is not a refusal of who asks: no audit row; the two allowed reads wrote theirs.
    expect((await e.server.store.queryAudit({ ani })).map((r) => r.outcome)).toEqual([
      'not_found',
      'not_found',
    ]);
  });
});
