import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_KEY_1 } from './helpers/config.js';
import { codeOf, request } from './helpers/http.js';
import { describeEachDatabase, PG_URL, schemaUrl } from './helpers/databases.js';
import { startEnv, type TestEnv } from './helpers/env.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

interface Outage {
  takeDown(): Promise<void>;
  restore(): Promise<void>;
}

const put = (env: TestEnv, ani: string, credential: string) =>
  request(env.base, 'PUT', `/api/v1/ivr/credentials/${encodeURIComponent(ani)}`, {
    apiKey: API_KEY_1,
    json: { credential },
  });
const get = (env: TestEnv, ani: string) =>
  request<{ found: boolean; credential: string }>(
    env.base,
    'GET',
    `/api/v1/ivr/credentials/${encodeURIComponent(ani)}`,
    {
      apiKey: API_KEY_1,
    },
  );
const aniOf = (worker: number, n: number) =>
  `+3465${String(worker).padStart(2, '0')}${String(n).padStart(5, '0')}`;

describeEachDatabase('the database going away', (kind) => {
  let env: TestEnv;
  let proxy: TcpProxy | undefined;
  let locker: Database.Database | undefined;
  let outage: Outage;

  beforeAll(async () => {
    if (kind === 'postgres') {
      const target = new URL(PG_URL!);
      proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
      env = await startEnv(kind, {
        databaseUrl: (db) => schemaUrl(PG_URL!, db.schema!, { host: '127.0.0.1', port: proxy!.port }),
        server: { storeOptions: { postgres: { connectTimeoutMs: 1000 } } },
      });
      outage = {
        takeDown: async () => proxy!.takeDown(),
        restore: async () => proxy!.restore(),
      };
    } else {
      env = await startEnv(kind, { server: { storeOptions: { sqlite: { busyTimeoutMs: 100 } } } });
      const file = env.config.backend.databaseUrl.replace(/^sqlite:/, '');
      // Another process holding the write lock: SQLite's way of being unavailable.
      outage = {
        takeDown: async () => {
          locker = new Database(file);
          locker.exec('BEGIN EXCLUSIVE');
        },
        restore: async () => {
          locker?.exec('ROLLBACK');
          locker?.close();
          locker = undefined;
        },
      };
    }
  });
  afterAll(async () => {
    await outage?.restore();
    await env?.close();
    await proxy?.close();
  });

  it('answers 503 store.unavailable mid-traffic, loses nothing acknowledged, and recovers by itself', async () => {
    const acknowledged = new Map<string, string>();
    const refused: string[] = [];
    const workers = kind === 'postgres' ? 6 : 1;
    let phase: 'before' | 'down' | 'after' = 'before';
    let stop = false;

    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const ani = aniOf(w, n);
        const credential = `cred-${w}-${n}`;
        const answer = await put(env, ani, credential);
        if (answer.status === 200) acknowledged.set(ani, credential);
        else {
          expect(answer.status).toBe(503);
          expect(codeOf(answer)).toBe('store.unavailable');
          expect(answer.headers.get('retry-after')).toBe('5');
          refused.push(phase);
        }
      }
    };
    const running = Array.from({ length: workers }, (_, w) =>
      worker(w).catch((err: unknown) => {
        stop = true;
        throw err;
      }),
    );
    const until = async (done: () => boolean) => {
      while (!done()) {
        if (stop) await Promise.all(running);
        await new Promise((r) => setImmediate(r));
      }
    };

    await until(() => acknowledged.size >= 20);
    await outage.takeDown();
    phase = 'down';
    await until(() => refused.length >= 5);
    const readDuring = await get(env, aniOf(0, 0));
    expect(readDuring.status).toBe(503);
    if (kind === 'postgres') {
      // (A SQLite writer's lock leaves reads possible, so there /readyz still answers ready.)
      const ready = await request<{ checks: Record<string, string> }>(env.base, 'GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(codeOf(ready)).toBe('not_ready');
      expect(ready.body.checks.database).toBe('store.unavailable');
    }

    await outage.restore();
    phase = 'after';
    const ackedBeforeRecovery = acknowledged.size;
    await until(() => acknowledged.size >= ackedBeforeRecovery + 20);
    stop = true;
    await Promise.all(running);

    expect(refused.filter((p) => p === 'before')).toEqual([]);
    for (const [ani, credential] of acknowledged) {
      const answer = await get(env, ani);
      expect(answer.body, ani).toMatchObject({ found: true, credential });
    }
    expect((await request(env.base, 'GET', '/readyz')).status).toBe(200);
    expect((await request(env.base, 'GET', '/healthz')).status).toBe(200);
  });

  if (kind === 'postgres') {
    it('recovers by itself from terminated connections (a PostgreSQL restart)', async () => {
      for (let n = 0; n < 5; n++) expect((await put(env, aniOf(90, n), `t-${n}`)).status).toBe(200);
      const cut = await env.db.sql!(
        'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()',
        [env.db.schema],
      );
      expect(cut.length).toBeGreaterThan(0);
      // The store retries on a fresh connection; pooled connections that died with the others may
      // still cost a request a 503 (never a wrong answer) until the pool has replaced them.
      let unavailable = 0;
      for (let n = 0; n < 5; n++) {
        let answer = await get(env, aniOf(90, n));
        while (answer.status === 503 && unavailable < 10) {
          expect(codeOf(answer)).toBe('store.unavailable');
          unavailable++;
          answer = await get(env, aniOf(90, n));
        }
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ found: true, credential: `t-${n}` });
      }
      expect(unavailable).toBeLessThan(10);
    });
  }
});
