/**
 * Several backend instances on one PostgreSQL database, clients spread over them: three processes of
 * the built CLI's `serve` (as an operator runs them), against one of them alone, in the same run:
 *
 * - data-action credential reads and writes, all to one instance, then spread over three in turn
 *   (alternating rounds, medians), with a bare node:http server answering the same read body as the
 *   usual baseline;
 * - das-Peak token requests to the auth server while 300 agents ask the three instances for /token
 *   at once (each instance fetches its own token: one per instance per token lifetime).
 *
 * On a 2-core machine three instances share the cores with PostgreSQL and the load generator, so the
 * figure to read is that spreading costs nothing, not that it scales. Needs TEST_DATABASE_URL and
 * `npm run build`. Figures go to bench/results/instances.json.
 * Run: node --import tsx bench/instances.bench.ts   (or `npm run bench -- instances`)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startFleet, type Fleet } from '../test/e2e/helpers/instances.js';
import { API_KEY_1, testConfigObject } from '../test/server/helpers/config.js';
import { schemaUrl } from '../test/server/helpers/databases.js';
import {
  agentToken,
  createWidgetClient,
  startConversation,
  startGenesys,
} from '../test/server/helpers/genesys.js';
import { startTokenServer } from '../test/server/helpers/token-server.js';
import { LoadWorker, type LoadJob, type LoadResult } from './load.js';

const INSTANCES = 3;
const CONCURRENCY = 32;
const REQUESTS = 1500;
const ROUNDS = 3;
const TOKEN_CLIENTS = 300;
const CALLER = '+34699000001';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    console.error('instances needs TEST_DATABASE_URL (a PostgreSQL database)');
    process.exitCode = 1;
    return;
  }
  const load = new LoadWorker();
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const genesys = await startGenesys();
    cleanup.push(() => genesys.stop());
    const tokens = await startTokenServer();
    cleanup.push(() => tokens.close());
    const schema = `bench_fleet_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    cleanup.push(async () => {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    });
    const fleet: Fleet = await startFleet(
      testConfigObject({
        genesysUrl: genesys.url,
        tokenUrl: tokens.tokenUrl,
        databaseUrl: schemaUrl(base, schema),
        backend: { rateLimit: { agentPerMinute: 10_000_000, apiKeyPerMinute: 10_000_000 } },
      }),
      INSTANCES,
    );
    cleanup.push(() => fleet.stop());
    const urls = fleet.instances.map((i) => i.url);
    const ivr = { 'X-API-Key': API_KEY_1 };
    const readPath = `api/v1/ivr/credentials/${encodeURIComponent(CALLER)}`;

    const put = await fetch(`${urls[0]}${readPath}`, {
      method: 'PUT',
      headers: { ...ivr, 'Content-Type': 'application/json' },
      body: JSON.stringify({ credential: randomBytes(3000).toString('base64') }),
    });
    if (put.status !== 200) throw new Error(`storing the bench credential answered ${put.status}`);
    const body = await (await fetch(`${urls[1]}${readPath}`, { headers: ivr })).text();
    const bare: Server = createServer((_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => bare.close(resolve)));
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;

    let writes = 0;
    const run = async (job: Omit<LoadJob, 'concurrency' | 'total'>): Promise<LoadResult> => {
      const result = await load.run({ ...job, concurrency: CONCURRENCY, total: REQUESTS });
      if ((result.statuses['200'] ?? 0) !== REQUESTS) {
        throw new Error(`not every answer was 200: ${JSON.stringify(result.statuses)}`);
      }
      return result;
    };
    // Each write round stores new callers: +34 69, the round (1 to 8), the request number (6 digits).
    const writeJob = (targets: string[]) => {
      const round = ++writes;
      return {
        url: targets.map((u) => `${u}api/v1/ivr/credentials/%2B3469${round}{{n}}`),
        headers: ivr,
        method: 'PUT' as const,
        body: JSON.stringify({ credential: 'YmVuY2gtY3JlZGVudGlhbA==' }),
      };
    };
    const scenarios = {
      'bare node:http (read body)': () => run({ url: bareUrl, headers: {} }),
      'read, one instance': () => run({ url: `${urls[0]}${readPath}`, headers: ivr }),
      'read, three instances': () => run({ url: urls.map((u) => `${u}${readPath}`), headers: ivr }),
      'write, one instance': () => run(writeJob([urls[0]!])),
      'write, three instances': () => run(writeJob(urls)),
    };
    const runs = Object.fromEntries(Object.keys(scenarios).map((k) => [k, [] as LoadResult[]]));
    for (const s of Object.values(scenarios)) await s(); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, s] of Object.entries(scenarios)) runs[name]!.push(await s());
    }
    const figures = Object.fromEntries(
      Object.entries(runs).map(([name, results]) => {
        const rps = median(results.map((r) => r.rps));
        const r = results.find((x) => x.rps === rps)!;
        return [name, { rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms }];
      }),
    );

    // /token from 300 agents' calls spread over the instances: the auth server's request count.
    const widgetClient = await createWidgetClient(genesys);
    const token = await agentToken(genesys, widgetClient);
    const conversationId = await startConversation(genesys, CALLER);
    const before = tokens.requests();
    const burst = await load.run({
      url: urls.map((u) => `${u}token`),
      headers: { Authorization: `Bearer ${token}`, 'X-Conversation-Id': conversationId },
      concurrency: TOKEN_CLIENTS,
      total: TOKEN_CLIENTS,
    });
    if ((burst.statuses['200'] ?? 0) !== TOKEN_CLIENTS)
      throw new Error(`/token: ${JSON.stringify(burst.statuses)}`);
    const upstream = tokens.requests() - before;

    const ratio = (a: string, b: string) => figures[a]!.rps / figures[b]!.rps;
    const out = {
      benchmark: 'instances',
      date: new Date().toISOString(),
      node: process.version,
      method: {
        instances: INSTANCES,
        concurrency: CONCURRENCY,
        requestsPerRound: REQUESTS,
        rounds: ROUNDS,
        process: 'built CLI `serve`, one config, one PostgreSQL schema',
        spread: 'requests go to the instances in turn',
      },
      figures,
      ratios: {
        readThreeOverOne: ratio('read, three instances', 'read, one instance'),
        writeThreeOverOne: ratio('write, three instances', 'write, one instance'),
        readOneOverBare: ratio('read, one instance', 'bare node:http (read body)'),
        readThreeOverBare: ratio('read, three instances', 'bare node:http (read body)'),
      },
      upstreamTokenRequests: { clients: TOKEN_CLIENTS, instances: INSTANCES, requests: upstream },
    };
    const file = fileURLToPath(new URL('./results/instances.json', import.meta.url));
    mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    for (const [name, f] of Object.entries(figures)) {
      console.log(
        `${name}: ${Math.round(f.rps)} req/s, p50 ${f.p50Ms.toFixed(2)} ms, p99 ${f.p99Ms.toFixed(2)} ms`,
      );
    }
    console.log(
      `three instances over one: reads ${out.ratios.readThreeOverOne.toFixed(2)}×, writes ${out.ratios.writeThreeOverOne.toFixed(2)}×; reads over bare node:http: one ${out.ratios.readOneOverBare.toFixed(2)}×, three ${out.ratios.readThreeOverBare.toFixed(2)}×`,
    );
    console.log(
      `das-Peak token requests: ${upstream} for ${TOKEN_CLIENTS} /token requests over ${INSTANCES} instances (one per instance per token lifetime)`,
    );
    console.log(`written to ${file}`);
    if (upstream > INSTANCES) process.exitCode = 1;
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    await load.stop();
  }
}

await main();
