/**
 * How a PostgreSQL credential read is best sent: the ways compared on the same database, in the same
 * run, with the same 32 concurrent callers and alternating rounds (medians):
 *
 *   transaction   BEGIN + SET LOCAL; SELECT; [UPDATE]; INSERT audit; COMMIT — four round trips
 *   statement     one statement per read (data-modifying CTEs), unnamed: parsed and planned each time
 *   prepared      one statement per read, named: parsed once per connection, then a generic plan
 *   batched       the reads of one event-loop turn (up to 64) in one prepared statement (what the
 *                 store does)
 *
 * (Events — the audit rows of refusals and of what the backend did — are batched the same way.)
 *
 * for a read that finds the credential and one that finds nothing, and the same for an audit row
 * (recordEvent): operations per second, and where PostgreSQL runs on this machine, its CPU time per
 * operation (what several backend instances on one database share). Figures go to bench/results/store-read.json. Needs TEST_DATABASE_URL.
 * Run: node --import tsx bench/store-read.bench.ts   (or `npm run bench -- store-read`)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { silentLogger } from '../src/log.js';
import { KeyRing, MIGRATIONS, migrate } from '../src/store/index.js';
import { PostgresDriver } from '../src/store/postgres.js';
import { SqlCredentialStore } from '../src/store/sql-store.js';
import type { SqlDriver } from '../src/store/sql.js';
import { postgresCpuSeconds } from './pg-cpu.js';

const CONCURRENCY = 32;
const OPERATIONS = 3000;
const ROUNDS = 3;
const CALLER = '+34699000001';
const ctx = { actor: { type: 'ivr' as const, id: 'bench' }, conversationId: 'bench-conversation' };

type Variant = 'transaction' | 'statement' | 'prepared' | 'batched';
const VARIANTS: readonly Variant[] = ['transaction', 'statement', 'prepared', 'batched'];
const POOL = 10;

/** The real driver, with single statements off (transactions), unnamed, or named (prepared). */
function variantOf(real: PostgresDriver, variant: Variant): SqlDriver {
  const base: SqlDriver = {
    kind: real.kind,
    forUpdate: real.forUpdate,
    transaction: (fn, options) => real.transaction(fn, options),
    lockMigrations: (tx) => real.lockMigrations(tx),
    close: () => real.close(),
  };
  if (variant === 'transaction') return base;
  return {
    ...base,
    statement: (sql, params, options) =>
      real.statement(sql, params, variant === 'statement' ? { durability: options.durability } : options),
  };
}

interface Rate {
  perSecond: number;
  /** PostgreSQL's CPU microseconds per operation; undefined when PostgreSQL is not on this machine. */
  pgMicros: number | undefined;
}

async function rate(operation: () => Promise<unknown>): Promise<Rate> {
  let sent = 0;
  const cpuBefore = postgresCpuSeconds();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < OPERATIONS) {
        sent++;
        await operation();
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = postgresCpuSeconds();
  return {
    perSecond: OPERATIONS / seconds,
    pgMicros:
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : ((cpuAfter - cpuBefore) * 1e6) / OPERATIONS,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    console.error('store-read needs TEST_DATABASE_URL (a PostgreSQL database)');
    process.exitCode = 1;
    return;
  }
  const schema = `bench_read_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const real = new PostgresDriver(url.toString(), { max: POOL });
  try {
    const keys = KeyRing.fromConfig([{ id: 'bench', key: randomBytes(32).toString('base64') }]);
    await migrate(real, () => Date.now(), MIGRATIONS, keys);
    const options = {
      keys,
      clock: () => new Date(),
      logger: silentLogger,
      retention: { credentialDays: 730, auditDays: 365 },
    };
    const stores = Object.fromEntries(
      VARIANTS.map((v) => [
        v,
        new SqlCredentialStore(variantOf(real, v), {
          ...options,
          batch: v === 'batched' ? undefined : 1,
        }),
      ]),
    ) as Record<Variant, SqlCredentialStore>;
    await stores.prepared.putCredential(ctx, CALLER, {
      credential: randomBytes(3000).toString('base64'),
      modelHash: 'bench-model',
    });
    const scenarios = {
      'read (found)': (s: SqlCredentialStore) => () => s.getCredential(ctx, CALLER),
      'read (not found)': (s: SqlCredentialStore) => () => s.getCredential(ctx, '+34699000002'),
      'event (audit row)': (s: SqlCredentialStore) => () =>
        s.recordEvent(ctx, { action: 'relay.session', outcome: 'ok', ani: CALLER, detail: 'bench' }),
    };
    const figures: Record<string, Record<Variant, number>> = {};
    const pgCpu: Record<string, Record<Variant, number | null>> = {};
    for (const [name, make] of Object.entries(scenarios)) {
      const runs = Object.fromEntries(VARIANTS.map((v) => [v, [] as Rate[]])) as Record<Variant, Rate[]>;
      for (const v of VARIANTS) await rate(make(stores[v])); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        for (const v of VARIANTS) runs[v].push(await rate(make(stores[v])));
      }
      const f = Object.fromEntries(
        VARIANTS.map((v) => [v, median(runs[v].map((r) => r.perSecond))]),
      ) as Record<Variant, number>;
      const cpu = Object.fromEntries(
        VARIANTS.map((v) => {
          const micros = runs[v].map((r) => r.pgMicros);
          return [v, micros.every((m) => m !== undefined) ? median(micros) : null];
        }),
      ) as Record<Variant, number | null>;
      figures[name] = f;
      pgCpu[name] = cpu;
      const pgOf = (v: Variant) => (cpu[v] === null ? '' : `, PostgreSQL ${Math.round(cpu[v])} µs CPU/op`);
      console.log(
        `${name}: ${VARIANTS.map((v) => `${v} ${Math.round(f[v])}/s (${(f[v] / f.transaction).toFixed(2)}×${pgOf(v)})`).join('; ')}`,
      );
    }
    const out = fileURLToPath(new URL('./results/store-read.json', import.meta.url));
    mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
    writeFileSync(
      out,
      `${JSON.stringify(
        {
          benchmark: 'store-read',
          date: new Date().toISOString(),
          node: process.version,
          method: { concurrency: CONCURRENCY, operationsPerRound: OPERATIONS, rounds: ROUNDS, pool: POOL },
          operationsPerSecond: figures,
          postgresCpuMicrosPerOperation: pgCpu,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`written to ${out}`);
  } finally {
    await real.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

await main();
