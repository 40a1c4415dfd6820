import { isAbsolute, resolve } from 'node:path';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { KitError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { KeyRing, type KeySpec, type RandomBytes } from './envelope.js';
import { StoreErrorCode } from './errors.js';
import { migrate } from './migrations.js';
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
    const migrated = await migrate(driver, () => clock().getTime());
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
