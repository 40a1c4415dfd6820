/**
 * Several backend instances on one database, as behind a load balancer: three processes of the built
 * CLI's `serve` on one PostgreSQL schema, with clients spread over them. What one instance
 * acknowledges, the others serve; losing an instance (SIGKILL, mid-write) loses nothing it
 * acknowledged; and the audit log holds every instance's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GenesysSandbox } from '../../src/sandbox/genesys/index.js';
import { openStore, type CredentialStore } from '../../src/store/index.js';
import { API_KEY_1, ENCRYPTION_KEY, testConfigObject } from '../server/helpers/config.js';
import { schemaUrl } from '../server/helpers/databases.js';
import {
  agentToken,
  createWidgetClient,
  startConversation,
  startGenesys,
} from '../server/helpers/genesys.js';
import { request } from '../server/helpers/http.js';
import { startTokenServer, type TokenServer } from '../server/helpers/token-server.js';
import { describeOnPostgres } from '../store/harness.js';
import { startFleet, type Fleet, type Instance } from './helpers/instances.js';

describeOnPostgres('three backend instances (built CLI) on one PostgreSQL database', (pgUrl) => {
  let genesys: GenesysSandbox;
  let tokens: TokenServer;
  let admin: pg.Client;
  let schema: string;
  let fleet: Fleet;
  let store: CredentialStore;
  const ivr = { apiKey: API_KEY_1 };
  const path = (ani: string) => `/api/v1/ivr/credentials/${encodeURIComponent(ani)}`;
  const put = (i: Instance, ani: string, credential: string) =>
    request(i.url, 'PUT', path(ani), { ...ivr, json: { credential } });
  const get = (i: Instance, ani: string) =>
    request<{ found: boolean; credential: string }>(i.url, 'GET', path(ani), ivr);

  beforeAll(async () => {
    genesys = await startGenesys();
    tokens = await startTokenServer();
    schema = `t_fleet_${randomBytes(6).toString('hex')}`;
    admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const databaseUrl = schemaUrl(pgUrl, schema);
    fleet = await startFleet(
      testConfigObject({
        genesysUrl: genesys.url,
        tokenUrl: tokens.tokenUrl,
        databaseUrl,
        backend: { rateLimit: { agentPerMinute: 100_000, apiKeyPerMinute: 100_000 } },
      }),
      3,
    );
    store = await openStore({
      databaseUrl,
      encryptionKeys: [ENCRYPTION_KEY],
      retention: { credentialDays: 730, auditDays: 365 },
      defaultCountry: 'ES',
    });
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await fleet?.stop();
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
    await tokens?.close();
    await genesys?.stop();
  }, 60_000);

  it('runs three processes, each on its own port, one schema migrated once', async () => {
    const [a, b, c] = fleet.instances;
    expect(new Set([a!.url, b!.url, c!.url]).size).toBe(3);
    expect(new Set([a!.pid, b!.pid, c!.pid]).size).toBe(3);
    for (const i of fleet.instances) expect((await request(i.url, 'GET', '/readyz')).status).toBe(200);
    const versions = await admin.query(
      `select version, count(*) as n from ${schema}.schema_migrations group by version`,
    );
    expect(versions.rows.every((r: { n: string }) => r.n === '1')).toBe(true);
  });

  it('serves what one instance wrote from the others: credentials, consent, deletions, the widget route', async () => {
    const [a, b, c] = fleet.instances as [Instance, Instance, Instance];
    const ani = '+34611000001';
    const credential = randomBytes(2000).toString('base64');
    expect((await put(a, ani, credential)).status).toBe(200);
    for (const other of [b, c]) {
      const read = await get(other, ani);
      expect(read.status).toBe(200);
      expect(read.body.credential).toBe(credential);
    }

    const consent = `/api/v1/ivr/consent/${encodeURIComponent(ani)}`;
    expect((await request(b.url, 'PUT', consent, { ...ivr, json: { wordingVersion: 'v1' } })).status).toBe(
      200,
    );
    expect((await request(c.url, 'GET', consent, ivr)).body).toMatchObject({ status: 'granted' });

    // An agent on the caller's conversation reads through the widget route of a third instance.
    const widgetClient = await createWidgetClient(genesys);
    const token = await agentToken(genesys, widgetClient);
    const conversationId = await startConversation(genesys, ani);
    const widget = await request<{ credential: string }>(
      c.url,
      'GET',
      `/database/getCredential?id=${encodeURIComponent(ani)}`,
      { token, conversationId },
    );
    expect(widget.status).toBe(200);
    expect(widget.body.credential).toBe(credential);

    expect((await request(c.url, 'DELETE', path(ani), ivr)).status).toBe(200);
    // The data-action shape: 200 with found: false (a 404 would take the flow's failure path).
    expect((await get(a, ani)).body).toMatchObject({ found: false, credential: '' });
    // One audit log for all: the store, the reads on B and C, the consent, the delete, the read on A.
    const actions = (await store.queryAudit({ ani })).map((e) => `${e.action}:${e.outcome}`).reverse();
    expect(actions).toEqual([
      'credential.store:ok',
      'credential.read:ok',
      'credential.read:ok',
      'consent.record:ok',
      'credential.read:ok',
      'credential.delete:ok',
      'credential.read:not_found',
    ]);
  }, 60_000);

  it('takes writes and reads spread over the instances, each read answered from any of them', async () => {
    const callers = Array.from({ length: 60 }, (_, i) => `+3461100${String(1000 + i)}`);
    const sent = new Map(callers.map((ani) => [ani, randomBytes(600).toString('base64')]));
    const writes = await Promise.all(
      callers.map((ani, i) => put(fleet.instances[i % 3]!, ani, sent.get(ani)!)),
    );
    expect(writes.map((w) => w.status)).toEqual(callers.map(() => 200));
    // Each credential read from the two instances that did not store it.
    const reads = await Promise.all(
      callers.flatMap((ani, i) => [1, 2].map((k) => get(fleet.instances[(i + k) % 3]!, ani))),
    );
    expect(reads.map((r) => r.body.credential)).toEqual(
      callers.flatMap((ani) => [sent.get(ani), sent.get(ani)]),
    );
  }, 60_000);

  it('loses nothing an instance acknowledged when it is killed (SIGKILL) in the middle of writes', async () => {
    const victim = await fleet.start('D');
    const survivors = fleet.instances.slice(0, 2);
    const outcomes: { ani: string; credential: string; acked: boolean; via: string }[] = [];
    let n = 0;
    const writer = async (instance: Instance, count: number) => {
      for (let k = 0; k < count; k++) {
        const ani = `+346120${String(10000 + n++).padStart(5, '0')}`;
        const credential = randomBytes(400).toString('base64');
        const acked = await put(instance, ani, credential).then(
          (r) => r.status === 200,
          () => false, // the connection died with the instance: not acknowledged
        );
        outcomes.push({ ani, credential, acked, via: instance.name });
      }
    };
    // Eight writers on the victim, two on each survivor; the victim dies once it acknowledged 40.
    const killed = (async () => {
      while (outcomes.filter((o) => o.via === 'D' && o.acked).length < 40) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      victim.child.kill('SIGKILL');
    })();
    await Promise.all([
      ...Array.from({ length: 8 }, () => writer(victim, 30)),
      ...survivors.flatMap((s) => [writer(s, 20), writer(s, 20)]),
      killed,
    ]);
    expect(await victim.exited).toBe('SIGKILL');

    const onVictim = outcomes.filter((o) => o.via === 'D');
    expect(onVictim.filter((o) => o.acked).length).toBeGreaterThanOrEqual(40);
    expect(onVictim.some((o) => !o.acked)).toBe(true); // the kill did land in the middle
    expect(outcomes.filter((o) => o.via !== 'D').every((o) => o.acked)).toBe(true);
    // Every acknowledged write is there, in full, served by the survivors; one that was not
    // acknowledged is either there in full or not at all.
    for (const [i, o] of outcomes.entries()) {
      const read = await get(survivors[i % 2]!, o.ani);
      expect(read.status).toBe(200);
      if (o.acked) expect(read.body.credential, `${o.ani} acknowledged by ${o.via}`).toBe(o.credential);
      else if (read.body.found) expect(read.body.credential).toBe(o.credential);
    }
    // What the killed instance logged never held a credential or a number.
    const log = victim.stderr();
    for (const o of onVictim.slice(0, 20)) {
      expect(log).not.toContain(o.credential);
      expect(log).not.toContain(o.ani.slice(1));
    }
  }, 120_000);
});

describeOnPostgres('rate limits across three backend instances (built CLI) counted in one Redis', (pgUrl) => {
  const LIMIT = 30;
  let genesys: GenesysSandbox;
  let tokens: TokenServer;
  let admin: pg.Client;
  let schema: string;
  let fleet: Fleet | undefined;

  afterAll(async () => {
    await fleet?.stop();
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
    await tokens?.close();
    await genesys?.stop();
  }, 60_000);

  // reason: backend.rateLimit.redisUrl is the server developer's (issue 14 §7); until it is on this
  // branch's main there is no shared store to test, and this test says so instead of passing
  it(`lets an API key make ${LIMIT} requests a minute in all, however they are spread`, async () => {
    genesys = await startGenesys();
    tokens = await startTokenServer();
    schema = `t_fleet_rl_${randomBytes(6).toString('hex')}`;
    admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    fleet = await startFleet(
      testConfigObject({
        genesysUrl: genesys.url,
        tokenUrl: tokens.tokenUrl,
        databaseUrl: schemaUrl(pgUrl, schema),
        backend: {
          rateLimit: {
            apiKeyPerMinute: LIMIT,
            redisUrl: 'redis://127.0.0.1:6379/0',
            // Its own keys, so that no other run shares the count.
            redisPrefix: `daspeak-store-e2e-${randomBytes(6).toString('hex')}:`,
          },
        },
      }),
      3,
    );
    const path = `/api/v1/ivr/credentials/${encodeURIComponent('+34611000099')}`;
    const answers = await Promise.all(
      Array.from({ length: 2 * LIMIT }, (_, i) =>
        request(fleet!.instances[i % 3]!.url, 'GET', path, { apiKey: API_KEY_1 }),
      ),
    );
    // Counted per instance, all 60 would pass (20 each, under each one's 30).
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(LIMIT);
  }, 120_000);
});
