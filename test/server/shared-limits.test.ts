/**
 * Issue 14 §7, the server's part: three backend instances behind one address book (one Genesys org,
 * one database, one Redis) keep one set of rate limits when backend.rateLimit.redisUrl is set, and
 * each counts alone without it. Redis on 127.0.0.1:6379 with a key prefix of each test's own; a TCP
 * relay in front of it lets a test take it away.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/cli.js';
import { testConfigObject } from './helpers/config.js';
import { codeOf, request } from './helpers/http.js';
import { startEnv, type TestEnv } from './helpers/env.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

const REDIS_HOST = '127.0.0.1';
const REDIS_PORT = 6379;

describe('rate limits across instances', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  /** One env (org, token server, database) and three backends on it, sharing `redisUrl` when given. */
  async function threeInstances(
    rateLimit: Record<string, unknown>,
  ): Promise<{ env: TestEnv; urls: string[] }> {
    const env = await startEnv('sqlite', { backend: { rateLimit } });
    closers.push(() => env.close());
    const more: RunningServer[] = [];
    for (let i = 0; i < 2; i++) {
      const server = await startServer(env.config, { host: '127.0.0.1', port: 0 });
      more.push(server);
      closers.push(() => server.close());
    }
    return { env, urls: [env.base, ...more.map((s) => s.url)] };
  }

  const prefix = () => `daspeak-test-${randomBytes(6).toString('hex')}:`;

  it('with Redis: one agent budget and one failure budget for all three instances', async () => {
    const { env, urls } = await threeInstances({
      agentPerMinute: 6,
      failuresPerMinute: 4,
      redisUrl: `redis://${REDIS_HOST}:${REDIS_PORT}/0`,
      redisPrefix: prefix(),
    });
    const agent = await env.onCall();
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await request(urls[i % 3]!, 'GET', '/token', agent)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429]);

    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 7; i++) {
      codes.push(codeOf(await request(urls[i % 3]!, 'GET', '/token', { token: `bad-${i}` })));
    }
    expect(codes).toEqual([
      'auth.invalid_token',
      'auth.invalid_token',
      'auth.invalid_token',
      'auth.invalid_token',
      'rate_limited',
      'rate_limited',
      'rate_limited',
    ]);
  });

  it('without Redis each instance counts alone (three times the budget in all)', async () => {
    const { env, urls } = await threeInstances({ agentPerMinute: 2 });
    const agent = await env.onCall();
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await request(urls[i % 3]!, 'GET', '/token', agent)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
  });

  it('fetches the das-Peak token once per instance and lifetime, not once per agent', async () => {
    const { env, urls } = await threeInstances({
      redisUrl: `redis://${REDIS_HOST}:${REDIS_PORT}/0`,
      redisPrefix: prefix(),
    });
    const agents = await Promise.all([env.onCall(), env.onCall('agent2@sandbox.example')]);
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => request(urls[i % 3]!, 'GET', '/token', agents[i % 2])),
    );
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    expect(env.tokens.requests()).toBe(3);
  });

  it('lets requests through while Redis is away, and counts again once it is back', async () => {
    const proxy: TcpProxy = await startTcpProxy(REDIS_HOST, REDIS_PORT);
    closers.push(() => proxy.close());
    const env = await startEnv('sqlite', {
      backend: {
        rateLimit: {
          agentPerMinute: 3,
          redisUrl: `redis://127.0.0.1:${proxy.port}/0`,
          redisPrefix: prefix(),
        },
      },
    });
    closers.push(() => env.close());
    const agent = await env.onCall();
    expect((await request(env.base, 'GET', '/token', agent)).status).toBe(200);
    proxy.takeDown();
    const during = await Promise.all(
      Array.from({ length: 6 }, () => request(env.base, 'GET', '/token', agent)),
    );
    expect(during.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const metrics = await request(env.base, 'GET', '/metrics');
    expect(metrics.text).toMatch(/daspeak_backend_rate_limit_store_errors_total [1-9]/);
    proxy.restore();
    // The client reconnects in the background; then the window counts again (1 before + what follows).
    let last = 200;
    for (let i = 0; i < 60 && last !== 429; i++) {
      await new Promise((r) => setTimeout(r, 100));
      last = (await request(env.base, 'GET', '/token', agent)).status;
    }
    expect(last).toBe(429);
  });

  it('serve refuses to start when the configured Redis cannot be reached (built CLI, exit 1, one line and a hint)', async () => {
    const env = await startEnv('sqlite');
    closers.push(() => env.close());
    const dir = mkdtempSync(join(tmpdir(), 'daspeak-redis-'));
    closers.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    const file = join(dir, 'daspeak-genesys.yaml');
    const config = testConfigObject({
      genesysUrl: env.genesys.url,
      tokenUrl: env.tokens.tokenUrl,
      databaseUrl: 'sqlite:./backend.db',
      backend: {
        listen: { host: '127.0.0.1', port: 0 },
        rateLimit: { redisUrl: 'redis://:pw-secret@127.0.0.1:9/0' },
      },
    });
    writeFileSync(file, stringify(config), { mode: 0o600 });
    const result = runBin(['serve', '--config', file], { cwd: dir });
    expect(result.code).toBe(1);
    const errors = result.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^error: cannot connect to the Redis of the rate limits at redis:\/\/127\.0\.0\.1:9\/0/,
    );
    expect(result.stderr).toMatch(/hint: start Redis or fix backend\.rateLimit\.redisUrl/);
    expect(result.stderr + result.stdout).not.toContain('pw-secret');
  });
});
