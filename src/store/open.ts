import { isAbsolute, resolve } from 'node:path';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { KitError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { KeyRing, type KeySpec, type RandomBytes } from './envelope.js';
import { StoreErrorCode, storeUnknownKeys } from './errors.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { PostgresDriver, type PostgresOptions } from './postgres.js';
import { SqlCredentialStore } from './sql-store.js';
import { SqliteDriver, type SqliteOptions } from './sqlite.js';
import type { SqlDriver } from './sql.js';
import type { CredentialStore } from './types.js';

/** The part of the kit config's `backend` section the store reads (KitConfig['backend'] fits). */
export interface StoreConfig {
  /** `sqlite:<path>`, `sqlite::memory:`, or `postgres://user@host:port/db`. */
  databaseUrl: string;
  /** The first key encrypts new rows; every key decrypts. */
  encryptionKeys: readonly KeySpec[];
  retention: { credentialDays: number; auditDays: number };
  defaultCountry?: string | undefined;
}

export interface OpenStoreOptions {
  clock?: () => Date;
  logger?: Logger;
  /** Source of data keys and IVs (tests may make it deterministic). */
  randomBytes?: RandomBytes;
  /** Directory relative sqlite: paths are resolved against (default: the process's working directory). */
  baseDir?: string;
  sqlite?: SqliteOptions;
  postgres?: PostgresOptions;
}

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export function parseDatabaseUrl(databaseUrl: string, baseDir: string = process.cwd()): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return { kind: 'postgres', url: databaseUrl };
  const sqlite = /^sqlite:(\/\/)?(.+)$/i.exec(databaseUrl);
  if (sqlite) {
    const path = sqlite[2]!;
    if (path === ':memory:') return { kind: 'sqlite', file: ':memory:' };
    return { kind: 'sqlite', file: isAbsolute(path) ? path : resolve(baseDir, path) };
  }
  throw new KitError(
    StoreErrorCode.badConfig,
    'backend.databaseUrl is neither sqlite:<path> nor postgres://…',
    {
      hint: 'write sqlite:./daspeak-genesys.db or postgres://user@host:5432/db',
    },
  );
}

/** The database URL without its password, for logs and messages. */
export function describeDatabaseUrl(databaseUrl: string): string {
  if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) return databaseUrl;
  try {
    const url = new URL(databaseUrl);
    url.password = '';
    url.search = '';
    return url.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/**
 * Opens the credential store the config names, creating the SQLite file on first start, and brings
 * the schema up to date. Throws store.unavailable when the database cannot be reached.
 */
export async function openStore(
  config: StoreConfig,
  options: OpenStoreOptions = {},
): Promise<CredentialStore> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? (() => new Date());
  const keys = KeyRing.fromConfig(config.encryptionKeys, options.randomBytes ?? nodeRandomBytes);
  for (const [name, days] of Object.entries(config.retention ?? {})) {
    if (!Number.isInteger(days) || days < 1) {
      throw new KitError(
        StoreErrorCode.badConfig,
        `backend.retention.${name} must be a whole number of days, at least 1`,
      );
    }
  }
  const target = parseDatabaseUrl(config.databaseUrl, options.baseDir);
  const driver: SqlDriver =
    target.kind === 'sqlite'
      ? SqliteDriver.open(target.file, options.sqlite, logger)
      : new PostgresDriver(target.url, options.postgres, logger);
  try {
    const store = new SqlCredentialStore(driver, {
      keys,
      clock,
      logger,
      retention: config.retention,
      defaultCountry: config.defaultCountry,
    });
    const migrated = await migrate(driver, () => clock().getTime(), MIGRATIONS, keys);
    if (migrated.applied.includes(3)) await afterKeyingCallerHashes(driver, logger);
    await refuseMissingKeys(driver, keys);
    logger.info(
      {
        database: describeDatabaseUrl(config.databaseUrl),
        schemaVersion: migrated.version,
        applied: migrated.applied,
        encryptionKey: keys.currentId,
      },
      'credential store ready',
    );
    return store;
  } catch (err) {
    await driver.close().catch(() => undefined);
    throw err;
  }
}

/**
 * A caller is found by its hash under a configured key, so rows under a key that was taken out of
 * the config are not merely unreadable: they are invisible, and the caller would look unregistered
 * (and could be registered a second time). Such a config is refused at start.
 */
async function refuseMissingKeys(driver: SqlDriver, keys: KeyRing): Promise<void> {
  const ids = keys.ids;
  const list = ids.map(() => '?').join(', ');
  const rows = await driver.transaction(
    (tx) =>
      tx.all<{ key_id: string }>(
        `select distinct key_id from callers where key_id not in (${list})
         union select distinct key_id from credentials where key_id not in (${list})`,
        [...ids, ...ids],
      ),
    { readOnly: true },
  );
  if (rows.length > 0) throw storeUnknownKeys(rows.map((r) => r.key_id).sort());
}

/**
 * Migration 3 replaced every legacy (unkeyed, reversible) hash in the live rows. The database may
 * still hold the old values where deleted data lingers: SQLite ran the migration with secure_delete
 * (freed pages zeroed) and its WAL is truncated here; PostgreSQL keeps dead row versions until a
 * VACUUM FULL, which takes locks an automatic start must not take, so it is only recommended.
 */
async function afterKeyingCallerHashes(driver: SqlDriver, logger: Logger): Promise<void> {
  if (driver instanceof SqliteDriver) {
    await driver.truncateWal();
    logger.info(
      'caller hashes are now keyed; the legacy hashes were overwritten in the database file and its WAL',
    );
  } else {
    logger.warn(
      'caller hashes are now keyed; PostgreSQL keeps the replaced (legacy, reversible) hashes in dead row versions until: VACUUM FULL credentials, consents, audit_log',
    );
  }
}
