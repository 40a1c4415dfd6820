/**
 * Backend throughput: `GET /token` and a credential read (the widget's `GET /database/getCredential`,
 * and the data actions' `GET /api/v1/ivr/credentials/{ani}`) against the real backend on 127.0.0.1,
 * each as a ratio to a bare node:http server answering the same payload in the same run, and the
 * number of upstream das-Peak token requests while 500 clients ask at once, over several token
 * lifetimes. Targets: token ≥ 0.5×, credential read ≥ 0.3×, one upstream request per token lifetime.
 *
 * The load comes from a worker thread (its own event loop) over keep-alive connections; every
 * server is on loopback, port 0, and each scenario sends a fixed number of requests. The figures are
 * steady-state ones: each server first answers WARMUP requests (V8 has optimised the backend's much
 * longer path by then; with 500 the first rounds still ran part-optimised code), then ROUNDS
 * alternating rounds, medians.
 *
 * For the reads two more figures say where the time goes: the same store read (read, audit row,
 * decryption) behind a bare node:http server answering the same body — what the database costs on
 * this machine, with no kit route around it — and, where PostgreSQL runs on this machine, its CPU
 * time per request (PostgreSQL, the load generator and the backend share the machine's cores).
 * Run: node --import tsx bench/backend.bench.ts   (or `npm run bench -- backend`)
 * With TEST_DATABASE_URL set, the credential reads also run on PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringify } from 'yaml';
import { parseConfigText, type KitConfig } from '../src/config/index.js';
import { ManualClock, startGenesysSandbox, type GenesysSandbox } from '../src/sandbox/genesys/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { LoadWorker, type LoadResult } from './load.js';
import { postgresCpuSeconds } from './pg-cpu.js';

const TARGETS = { tokenRatio: 0.5, credentialReadRatio: 0.3, upstreamPerLifetime: 1 };
const CONCURRENCY = 32;
const WARMUP = 5000;
const ROUNDS = 5;
const TOKEN_REQUESTS = 6000;
const READ_REQUESTS = 5000;
const BURST_CLIENTS = 500;
const LIFETIMES = 5;
const TOKEN_LIFETIME_S = 3600;
const CALLER = '+34699000001';

// ---------------------------------------------------------------------------------------------------
// Main thread: servers and scenarios

interface Comparison {
  baseline: LoadResult;
  backend: LoadResult;
  /** Median backend req/s over median baseline req/s. */
  ratio: number;
  /** Median backend p99 over median baseline p99. */
  p99Ratio: number;
  /**
   * PostgreSQL's CPU microseconds per backend request (median of the rounds); null when the reads
   * are not on PostgreSQL or it does not run on this machine.
   */
  postgresMicrosPerRequest: number | null;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The run whose req/s is the median of the rounds, so its p50/p99 belong to one real run. */
function medianRun(runs: LoadResult[]): LoadResult {
  const m = median(runs.map((r) => r.rps));
  return runs.find((r) => r.rps === m)!;
}

/**
 * Baseline and backend in alternating rounds after a warm-up of each, so that a slow moment of the
 * machine falls on both; the figures are the medians.
 */
async function compare(
  load: LoadWorker,
  baselineUrl: string,
  url: string,
  headers: Record<string, string>,
  requests: number,
  /** Whether the backend's rounds read PostgreSQL (so that its CPU time per request means something). */
  onPostgres = false,
): Promise<Comparison> {
  const run = async (target: string, total: number) => {
    const result = await load.run({ url: target, headers, concurrency: CONCURRENCY, total });
    if ((result.statuses['200'] ?? 0) !== total) {
      throw new Error(`${target}: not every answer was 200: ${JSON.stringify(result.statuses)}`);
    }
    return result;
  };
  await run(baselineUrl, WARMUP);
  await run(url, WARMUP);
  const baseline: LoadResult[] = [];
  const backend: LoadResult[] = [];
  const pgMicros: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    baseline.push(await run(baselineUrl, requests));
    const before = onPostgres ? postgresCpuSeconds() : undefined;
    backend.push(await run(url, requests));
    const after = onPostgres ? postgresCpuSeconds() : undefined;
    if (before !== undefined && after !== undefined) pgMicros.push(((after - before) * 1e6) / requests);
  }
  const b = medianRun(baseline);
  const k = medianRun(backend);
  return {
    baseline: b,
    backend: k,
    ratio: k.rps / b.rps,
    p99Ratio: k.p99Ms / b.p99Ms,
    postgresMicrosPerRequest: pgMicros.length === ROUNDS ? median(pgMicros) : null,
  };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`),
    ),
  );
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** The baseline: node:http answering a fixed body, nothing else. */
async function bareServer(body: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  return { url: await listen(server), server };
}

/**
 * A bare node:http server that, for each request, does the store's read of the caller (the same
 * read, audit row and decryption as the backend's routes) and answers the given body.
 */
async function storeBehindBare(
  server: RunningServer,
  body: string,
): Promise<{ url: string; server: Server }> {
  const ctx = { actor: { type: 'agent' as const, id: 'bench' }, conversationId: 'bench-conversation' };
  const bare = createServer((_req, res) => {
    server.store.getCredential(ctx, CALLER).then(
      (found) => {
        if (!found) throw new Error('the bench credential is not stored');
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
      },
      (err: unknown) => {
        res.writeHead(500).end(String(err));
      },
    );
  });
  return { url: await listen(bare), server: bare };
}

/** The das-Peak authentication server: client credentials, counting requests. */
async function tokenServer(): Promise<{ url: string; server: Server; requests: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          access_token: `bench-token-${n}`,
          token_type: 'Bearer',
          expires_in: TOKEN_LIFETIME_S,
        }),
      );
    });
  });
  return { url: `${await listen(server)}oauth2/token`, server, requests: () => n };
}

function benchConfig(genesysUrl: string, tokenUrl: string, databaseUrl: string, apiKey: string): KitConfig {
  const raw = {
    genesys: { baseUrl: genesysUrl, clientId: 'sandbox-admin-client', clientSecret: 'sandbox-admin-secret' },
    daspeak: {
      rest: { baseUrl: 'http://127.0.0.1:9/dpsrest', apiKey: 'unused-rest-key' },
      socketio: { url: 'http://127.0.0.1:9' },
      auth: { tokenUrl, clientId: 'bench-client', clientSecret: 'bench-secret' },
      audiohook: {
        connectionUri: 'ws://127.0.0.1:9/audiohook',
        apiKey: 'unused',
        clientSecret: randomBytes(32).toString('base64'),
      },
      modelHash: 'bench-model',
    },
    backend: {
      publicUrl: 'http://127.0.0.1:18080/',
      databaseUrl,
      encryptionKeys: [{ id: 'bench', key: randomBytes(32).toString('base64') }],
      apiKeys: [apiKey],
      rateLimit: { agentPerMinute: 10_000_000, apiKeyPerMinute: 10_000_000 },
    },
    // The routes measured here (GET /token, the widget's credential read) are direct mode's; relay
    // mode, the default, closes them (403 *.relay_mode).
    widget: { signalling: 'direct' },
  };
  return parseConfigText(stringify(raw), 'bench.yaml', { env: {} }).config;
}

async function agentSession(genesys: GenesysSandbox): Promise<{ token: string; conversationId: string }> {
  const admin = await fetch(`${genesys.url}/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${genesys.adminClient.id}:${genesys.adminClient.secret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const client = await fetch(`${genesys.url}/api/v2/oauth/clients`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${admin.access_token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name: 'bench widget',
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: ['http://127.0.0.1/'],
    }),
  }).then((r) => r.json() as Promise<{ id: string }>);
  const authorize = await fetch(
    `${genesys.url}/oauth/authorize?${new URLSearchParams({ client_id: client.id, redirect_uri: 'http://127.0.0.1/', response_type: 'token' })}`,
    { redirect: 'manual' },
  );
  const token = new URLSearchParams(new URL(authorize.headers.get('location')!).hash.slice(1)).get(
    'access_token',
  )!;
  const conversation = await fetch(`${genesys.url}/sandbox/conversations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ani: CALLER, queue: 'Support' }),
  }).then((r) => r.json() as Promise<{ id: string }>);
  return { token, conversationId: conversation.id };
}

/** Bodies exactly as the backend answers them, for the baseline to send. */
async function bodyOf(url: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, { headers });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return res.text();
}

interface ReadFigures {
  database: string;
  /** The widget's GET /database/getCredential (agent token and conversation checks, cached). */
  widget: Comparison;
  /** The data actions' GET /api/v1/ivr/credentials/{ani} (API key). */
  dataAction: Comparison;
  /** The store's read behind a bare node:http server (as `backend`), against the bare server. */
  storeBehindBare: Comparison;
  /** store.getCredential called directly, same concurrency: what the database itself allows. */
  storeOnly: { rps: number };
}

/** store.getCredential without HTTP, with the same number of concurrent callers. */
async function storeOnly(server: RunningServer, total: number): Promise<{ rps: number }> {
  const ctx = { actor: { type: 'ivr' as const, id: 'bench' } };
  let sent = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < total) {
        sent++;
        await server.store.getCredential(ctx, CALLER);
      }
    }),
  );
  return { rps: total / (Number(process.hrtime.bigint() - started) / 1e9) };
}

async function main(): Promise<void> {
  const load = new LoadWorker();
  const dir = mkdtempSync(join(tmpdir(), 'daspeak-bench-'));
  const cleanup: (() => Promise<unknown>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  try {
    const genesys = await startGenesysSandbox({ port: 0, host: '127.0.0.1', rateLimitPerMinute: 10_000_000 });
    cleanup.push(() => genesys.stop());
    const auth = await tokenServer();
    cleanup.push(() => close(auth.server));
    const apiKey = randomBytes(24).toString('hex');
    const session = await agentSession(genesys);
    const widgetHeaders = {
      Authorization: `Bearer ${session.token}`,
      'X-Conversation-Id': session.conversationId,
    };
    const ivrHeaders = { 'X-API-Key': apiKey };
    const start = async (databaseUrl: string, clock?: ManualClock): Promise<RunningServer> => {
      const server = await startServer(benchConfig(genesys.url, auth.url, databaseUrl, apiKey), {
        host: '127.0.0.1',
        port: 0,
        ...(clock ? { clock } : {}),
      });
      cleanup.push(() => server.close());
      return server;
    };
    const withStore = async (server: RunningServer, body: string) => {
      const b = await storeBehindBare(server, body);
      cleanup.push(() => close(b.server));
      return b.url;
    };
    const bare = async (url: string, headers: Record<string, string>) => {
      const b = await bareServer(await bodyOf(url, headers));
      cleanup.push(() => close(b.server));
      return b.url;
    };

    // --- GET /token -------------------------------------------------------------------------------
    const sqlite = await start(`sqlite:${join(dir, 'bench.db')}`);
    const tokenUrl = `${sqlite.url}token`;
    const token = await compare(
      load,
      await bare(tokenUrl, widgetHeaders),
      tokenUrl,
      widgetHeaders,
      TOKEN_REQUESTS,
    );

    // --- credential reads -------------------------------------------------------------------------
    const readsOn = async (server: RunningServer, database: string): Promise<ReadFigures> => {
      const put = await fetch(`${server.url}api/v1/ivr/credentials/${encodeURIComponent(CALLER)}`, {
        method: 'PUT',
        headers: { ...ivrHeaders, 'Content-Type': 'application/json' },
        body: JSON.stringify({ credential: randomBytes(3000).toString('base64') }),
      });
      if (put.status !== 200) throw new Error(`storing the bench credential answered ${put.status}`);
      const widgetUrl = `${server.url}database/getCredential?id=${encodeURIComponent(CALLER)}`;
      const ivrUrl = `${server.url}api/v1/ivr/credentials/${encodeURIComponent(CALLER)}`;
      const onPostgres = database === 'postgres';
      return {
        database,
        widget: await compare(
          load,
          await bare(widgetUrl, widgetHeaders),
          widgetUrl,
          widgetHeaders,
          READ_REQUESTS,
          onPostgres,
        ),
        dataAction: await compare(
          load,
          await bare(ivrUrl, ivrHeaders),
          ivrUrl,
          ivrHeaders,
          READ_REQUESTS,
          onPostgres,
        ),
        storeBehindBare: await compare(
          load,
          await bare(widgetUrl, widgetHeaders),
          await withStore(server, await bodyOf(widgetUrl, widgetHeaders)),
          widgetHeaders,
          READ_REQUESTS,
          onPostgres,
        ),
        storeOnly: await storeOnly(server, READ_REQUESTS),
      };
    };
    const reads: ReadFigures[] = [await readsOn(sqlite, 'sqlite')];
    const pgUrl = process.env.TEST_DATABASE_URL;
    if (pgUrl) {
      const schema = `bench_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      cleanup.push(async () => {
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      });
      const url = new URL(pgUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      reads.push(await readsOn(await start(url.toString()), 'postgres'));
    }

    // --- upstream token requests: 500 clients at once, once per token lifetime --------------------
    const clock = new ManualClock(Date.now());
    const auth2 = await tokenServer();
    cleanup.push(() => close(auth2.server));
    const burstServer = await startServer(
      benchConfig(genesys.url, auth2.url, `sqlite:${join(dir, 'burst.db')}`, apiKey),
      { host: '127.0.0.1', port: 0, clock },
    );
    cleanup.push(() => burstServer.close());
    const bursts: LoadResult[] = [];
    for (let i = 0; i < LIFETIMES; i++) {
      const burst = await load.run({
        url: `${burstServer.url}token`,
        headers: widgetHeaders,
        concurrency: BURST_CLIENTS,
        total: BURST_CLIENTS,
      });
      if ((burst.statuses['200'] ?? 0) !== BURST_CLIENTS)
        throw new Error(`burst: ${JSON.stringify(burst.statuses)}`);
      bursts.push(burst);
      clock.advance(TOKEN_LIFETIME_S * 1000);
    }
    const upstream = auth2.requests();

    const figures = {
      benchmark: 'backend',
      date: new Date().toISOString(),
      node: process.version,
      method: {
        concurrency: CONCURRENCY,
        warmup: WARMUP,
        rounds: ROUNDS,
        tokenRequestsPerRound: TOKEN_REQUESTS,
        readRequestsPerRound: READ_REQUESTS,
        loadGenerator: 'worker thread, node:http keep-alive agent',
        baseline: 'bare node:http server answering the same body, alternating rounds, medians',
      },
      token,
      credentialRead: reads,
      upstreamTokenRequests: {
        clients: BURST_CLIENTS,
        tokenLifetimes: LIFETIMES,
        requests: upstream,
        perLifetime: upstream / LIFETIMES,
        burstP99Ms: bursts.map((b) => b.p99Ms),
      },
      target: TARGETS,
      met: {
        token: token.ratio >= TARGETS.tokenRatio,
        credentialRead: reads.every((r) => r.widget.ratio >= TARGETS.credentialReadRatio),
        upstream: upstream / LIFETIMES <= TARGETS.upstreamPerLifetime,
      },
    };
    const out = fileURLToPath(new URL('./results/backend.json', import.meta.url));
    mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
    writeFileSync(out, `${JSON.stringify(figures, null, 2)}\n`);

    const f = (n: number) => n.toFixed(2);
    const pgCpu = (c: Comparison) =>
      c.postgresMicrosPerRequest === null
        ? ''
        : `, PostgreSQL ${Math.round(c.postgresMicrosPerRequest)} µs CPU/request`;
    const line = (name: string, c: Comparison, target?: number) =>
      `${name}: ${Math.round(c.backend.rps)} req/s, p99 ${f(c.backend.p99Ms)} ms${pgCpu(c)}; bare node:http ${Math.round(c.baseline.rps)} req/s, p99 ${f(c.baseline.p99Ms)} ms → ${f(c.ratio)}×${target === undefined ? '' : ` (target ≥ ${target}×)`}`;
    console.log(line('GET /token', token, TARGETS.tokenRatio));
    for (const r of reads) {
      console.log(line(`credential read [${r.database}] widget`, r.widget, TARGETS.credentialReadRatio));
      console.log(line(`credential read [${r.database}] data action`, r.dataAction));
      console.log(line(`credential read [${r.database}] store behind bare node:http`, r.storeBehindBare));
      console.log(
        `credential read [${r.database}] widget route against the store behind bare node:http: ${f(r.widget.backend.rps / r.storeBehindBare.backend.rps)}×`,
      );
      console.log(`credential read [${r.database}] store alone: ${Math.round(r.storeOnly.rps)} reads/s`);
    }
    console.log(
      `upstream token requests: ${upstream} for ${BURST_CLIENTS} concurrent clients over ${LIFETIMES} token lifetimes (target: ${TARGETS.upstreamPerLifetime} per lifetime)`,
    );
    console.log(`written to ${out}`);
    if (!Object.values(figures.met).every(Boolean)) process.exitCode = 1;
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    await load.stop();
  }
}

await main();
