/**
 * Runs one test suite against every store backend: SQLite in a temporary file, and PostgreSQL
 * (TEST_DATABASE_URL) in a freshly created schema per test, dropped afterwards. Without
 * TEST_DATABASE_URL the PostgreSQL suite is skipped with the reason in its name, except under CI,
 * where it fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { aniDigest } from '../../src/identity/index.js';
import {
  KeyRing,
  openStore,
  type CredentialStore,
  type OpenStoreOptions,
  type StoreConfig,
} from '../../src/store/index.js';

export const PG_URL = process.env.TEST_DATABASE_URL;

export const KEY_1 = { id: 'k1', key: randomBytes(32).toString('base64') };
export const KEY_2 = { id: 'k2', key: randomBytes(32).toString('base64') };

/** The keyed hash the store names a caller by, under `key` (KEY_1 unless said). */
export function callerHash(e164: string, key = KEY_1): string {
  return KeyRing.fromConfig([key]).callerHash(aniDigest(e164));
}

export const AGENT = { actor: { type: 'agent' as const, id: 'agent-0001' }, conversationId: 'conv-0001' };
export const IVR = { actor: { type: 'ivr' as const, id: 'ivr' }, conversationId: 'conv-0002' };

/** A clock tests move by hand. */
export class TestClock {
  constructor(public now = new Date('2025-01-01T00:00:00Z')) {}
  readonly read = (): Date => new Date(this.now.getTime());
  advanceDays(days: number): void {
    this.now = new Date(this.now.getTime() + days * 86_400_000);
  }
}

export interface Harness {
  kind: 'sqlite' | 'postgres';
  /** The database URL of the current test. */
  databaseUrl(): string;
  config(overrides?: Partial<StoreConfig>): StoreConfig;
  /** Opens a store on the current test's database; closed after the test. */
  open(overrides?: Partial<StoreConfig>, options?: OpenStoreOptions): Promise<CredentialStore>;
  /** Runs SQL (with `?` placeholders) on a separate connection, as an intruder or an operator would. */
  sql(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Everything the database holds, as bytes: SQLite file + WAL; PostgreSQL pg_dump and every column as text. */
  dump(): Promise<Buffer>;
  /** Something that makes the store's next operation meet a failing database (see `outage`). */
  disrupt(): Promise<void>;
  /** Undoes disrupt() where it left something behind. */
  restore(): Promise<void>;
  clock: TestClock;
}

type Body = (h: Harness) => void;

export function describeEachStore(title: string, body: Body): void {
  describe(`${title} [sqlite]`, () => body(sqliteHarness()));
  if (PG_URL) {
    describe(`${title} [postgres]`, () => body(postgresHarness(PG_URL)));
  } else if (process.env.CI) {
    describe(`${title} [postgres]`, () => {
      it('needs TEST_DATABASE_URL', () => {
        throw new Error(
          'TEST_DATABASE_URL is not set: CI must run the PostgreSQL store suite, never skip it',
        );
      });
    });
  } else {
    // reason: no PostgreSQL configured on this machine (CI sets TEST_DATABASE_URL and fails instead of skipping)
    describe.skip(`${title} [postgres] — skipped (reason: TEST_DATABASE_URL is not set) (e.g. postgres://postgres@127.0.0.1:5432/test)`, () => {
      it('runs the same suite against PostgreSQL', () => undefined);
    });
  }
}

function configFor(url: string, overrides: Partial<StoreConfig> = {}): StoreConfig {
  return {
    databaseUrl: url,
    encryptionKeys: [KEY_1],
    retention: { credentialDays: 30, auditDays: 90 },
    defaultCountry: 'ES',
    ...overrides,
  };
}

function sqliteHarness(): Harness {
  let dir = '';
  let file = '';
  let clock = new TestClock();
  const stores: CredentialStore[] = [];
  let locker: Database.Database | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'daspeak-store-'));
    file = join(dir, 'sub', 'store.db');
    clock = new TestClock();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    locker?.close();
    locker = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    kind: 'sqlite',
    databaseUrl: () => `sqlite:${file}`,
    config: (overrides) => configFor(`sqlite:${file}`, overrides),
    get clock() {
      return clock;
    },
    async open(overrides = {}, options = {}) {
      const store = await openStore(configFor(`sqlite:${file}`, overrides), {
        clock: clock.read,
        ...options,
      });
      stores.push(store);
      return store;
    },
    async sql(sql, params = []) {
      const db = new Database(file);
      try {
        const statement = db.prepare(sql);
        return statement.reader
          ? (statement.all(...params) as Record<string, unknown>[])
          : (statement.run(...params), []);
      } finally {
        db.close();
      }
    },
    async dump() {
      const parts = readdirSync(join(dir, 'sub')).map((f) => readFileSync(join(dir, 'sub', f)));
      return Buffer.concat(parts);
    },
    async disrupt() {
      // Another process holding the write lock: the store must wait, then answer store.unavailable.
      locker = new Database(file);
      locker.exec('BEGIN EXCLUSIVE');
    },
    async restore() {
      if (locker?.inTransaction) locker.exec('ROLLBACK');
      locker?.close();
      locker = undefined;
    },
  };
}

/**
 * URL of the test database with search_path set to one schema. The application name (which the
 * URL sets over the store's own) lets disrupt() cut this test's connections and no one else's.
 */
export function schemaUrl(base: string, schema: string): string {
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  url.searchParams.set('application_name', schema);
  return url.toString();
}

function postgresHarness(base: string): Harness {
  let schema = '';
  let clock = new TestClock();
  const stores: CredentialStore[] = [];
  let admin: pg.Client | undefined;
  beforeEach(async () => {
    schema = `t_store_${randomBytes(6).toString('hex')}`;
    clock = new TestClock();
    admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.query(`set search_path = ${schema}`);
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
    admin = undefined;
  });
  const url = () => schemaUrl(base, schema);
  let n = 0;
  return {
    kind: 'postgres',
    databaseUrl: url,
    config: (overrides) => configFor(url(), overrides),
    get clock() {
      return clock;
    },
    async open(overrides = {}, options = {}) {
      const store = await openStore(configFor(url(), overrides), { clock: clock.read, ...options });
      stores.push(store);
      return store;
    },
    async sql(sql, params = []) {
      n = 0;
      return (
        await admin!.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        )
      ).rows as Record<string, unknown>[];
    },
    async dump() {
      const { execFileSync } = await import('node:child_process');
      const u = new URL(base);
      const dumped = execFileSync(
        '/usr/bin/pg_dump',
        [
          '-h',
          u.hostname,
          '-p',
          u.port || '5432',
          '-U',
          decodeURIComponent(u.username) || 'postgres',
          '-n',
          schema,
          '--data-only',
          u.pathname.slice(1),
        ],
        { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) } },
      );
      const tables = await admin!.query<{ table_name: string }>(
        'select table_name from information_schema.tables where table_schema = $1',
        [schema],
      );
      const rows: string[] = [];
      for (const { table_name } of tables.rows) {
        const r = await admin!.query<{ row: string }>(`select t::text as row from ${schema}.${table_name} t`);
        rows.push(...r.rows.map((x) => x.row));
      }
      return Buffer.concat([dumped, Buffer.from(rows.join('\n'))]);
    },
    async disrupt() {
      // As if the server restarted: every connection of the store is cut.
      const cut = await admin!.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name = $1',
        [schema],
      );
      if (cut.rowCount === 0) throw new Error('disrupt() found no store connection to terminate');
    },
    async restore() {},
  };
}
