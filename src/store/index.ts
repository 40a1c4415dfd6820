export * from './types.js';
export { StoreErrorCode } from './errors.js';
export { KeyRing, type Binding, type KeySpec, type RandomBytes, type Sealed } from './envelope.js';
export { MIGRATIONS, migrate, type Migration, type MigrateResult } from './migrations.js';
export {
  describeDatabaseUrl,
  openStore,
  parseDatabaseUrl,
  type DatabaseTarget,
  type OpenStoreOptions,
  type StoreConfig,
} from './open.js';
export type { PostgresOptions } from './postgres.js';
export type { SqliteOptions } from './sqlite.js';
