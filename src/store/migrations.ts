/**
 * Versioned schema migrations, applied at start inside one transaction that holds the migration
 * lock, so two instances starting together never both apply one. A version, once released, is
 * never edited: a change to the schema is a new version.
 */
import { KitError } from '../errors.js';
import type { KeyRing } from './envelope.js';
import { StoreErrorCode } from './errors.js';
import { keyCallerHashes } from './migrate-caller-keys.js';
import type { SqlDriver, SqlTx } from './sql.js';

/** What a migration's code step gets besides the transaction. */
export interface MigrationContext {
  kind: 'sqlite' | 'postgres';
  /** The configured keys (migration 3 keys every caller hash under the current one). */
  keys: KeyRing;
  now: number;
}

export interface Migration {
  version: number;
  name: string;
  sqlite: readonly string[];
  postgres: readonly string[];
  /** Runs after the statements, in the same transaction, for what SQL alone cannot do. */
  run?: (tx: SqlTx, context: MigrationContext) => Promise<void>;
}

const MIGRATIONS_TABLE = {
  sqlite:
    'create table if not exists schema_migrations (version integer primary key, name text not null, applied_at integer not null) strict',
  postgres:
    'create table if not exists schema_migrations (version integer primary key, name text not null, applied_at bigint not null)',
} as const;

// Times are milliseconds since the epoch in both databases, so both behave the same.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'credentials, consents and audit log',
    sqlite: [
      `create table credentials (
        ani_hash text primary key,
        key_id text not null,
        wrapped_key blob not null,
        ciphertext blob not null,
        model_hash text not null,
        created_at integer not null,
        updated_at integer not null,
        last_used_at integer,
        active_at integer not null
      ) strict`,
      'create index credentials_key_id on credentials (key_id)',
      'create index credentials_active_at on credentials (active_at)',
      `create table consents (
        ani_hash text primary key,
        status text not null check (status in ('granted', 'withdrawn')),
        wording_version text,
        granted_at integer,
        granted_by_type text,
        granted_by_id text,
        granted_conversation_id text,
        withdrawn_at integer,
        withdrawn_by_type text,
        withdrawn_by_id text,
        withdrawn_conversation_id text,
        updated_at integer not null
      ) strict`,
      `create table audit_log (
        id integer primary key autoincrement,
        at integer not null,
        actor_type text not null,
        actor_id text not null,
        conversation_id text,
        ani_hash text,
        action text not null,
        outcome text not null,
        detail text
      ) strict`,
      'create index audit_log_at on audit_log (at)',
      'create index audit_log_ani_hash on audit_log (ani_hash, id)',
      'create index audit_log_conversation on audit_log (conversation_id, id)',
    ],
    postgres: [
      `create table credentials (
        ani_hash text primary key,
        key_id text not null,
        wrapped_key bytea not null,
        ciphertext bytea not null,
        model_hash text not null,
        created_at bigint not null,
        updated_at bigint not null,
        last_used_at bigint,
        active_at bigint not null
      )`,
      'create index credentials_key_id on credentials (key_id)',
      'create index credentials_active_at on credentials (active_at)',
      `create table consents (
        ani_hash text primary key,
        status text not null check (status in ('granted', 'withdrawn')),
        wording_version text,
        granted_at bigint,
        granted_by_type text,
        granted_by_id text,
        granted_conversation_id text,
        withdrawn_at bigint,
        withdrawn_by_type text,
        withdrawn_by_id text,
        withdrawn_conversation_id text,
        updated_at bigint not null
      )`,
      `create table audit_log (
        id bigserial primary key,
        at bigint not null,
        actor_type text not null,
        actor_id text not null,
        conversation_id text,
        ani_hash text,
        action text not null,
        outcome text not null,
        detail text
      )`,
      'create index audit_log_at on audit_log (at)',
      'create index audit_log_ani_hash on audit_log (ani_hash, id)',
      'create index audit_log_conversation on audit_log (conversation_id, id)',
    ],
  },
  {
    version: 2,
    name: 'consent refusals',
    // SQLite cannot change a check constraint in place: the table is rebuilt, its rows copied.
    sqlite: [
      `create table consents_v2 (
        ani_hash text primary key,
        status text not null check (status in ('granted', 'refused', 'withdrawn')),
        wording_version text,
        granted_at integer,
        granted_by_type text,
        granted_by_id text,
        granted_conversation_id text,
        refused_at integer,
        refused_by_type text,
        refused_by_id text,
        refused_conversation_id text,
        refused_wording_version text,
        withdrawn_at integer,
        withdrawn_by_type text,
        withdrawn_by_id text,
        withdrawn_conversation_id text,
        updated_at integer not null
      ) strict`,
      `insert into consents_v2 (ani_hash, status, wording_version, granted_at, granted_by_type, granted_by_id,
         granted_conversation_id, withdrawn_at, withdrawn_by_type, withdrawn_by_id, withdrawn_conversation_id, updated_at)
       select ani_hash, status, wording_version, granted_at, granted_by_type, granted_by_id,
         granted_conversation_id, withdrawn_at, withdrawn_by_type, withdrawn_by_id, withdrawn_conversation_id, updated_at
       from consents`,
      'drop table consents',
      'alter table consents_v2 rename to consents',
    ],
    postgres: [
      // The name PostgreSQL gave version 1's unnamed column constraint (<table>_<column>_check).
      'alter table consents drop constraint consents_status_check',
      "alter table consents add constraint consents_status_check check (status in ('granted', 'refused', 'withdrawn'))",
      `alter table consents add column refused_at bigint, add column refused_by_type text,
         add column refused_by_id text, add column refused_conversation_id text,
         add column refused_wording_version text`,
    ],
  },
  {
    version: 3,
    name: 'caller hashes keyed with HMAC; callers table',
    sqlite: [],
    postgres: [],
    run: keyCallerHashes,
  },
];

export interface MigrateResult {
  /** Versions applied by this call (empty when the schema was current). */
  applied: number[];
  /** Newest version in the database afterwards. */
  version: number;
}

export async function migrate(
  driver: SqlDriver,
  now: () => number,
  migrations: readonly Migration[] = MIGRATIONS,
  keys?: KeyRing,
): Promise<MigrateResult> {
  return driver.transaction(async (tx) => {
    await driver.lockMigrations(tx);
    await tx.run(MIGRATIONS_TABLE[driver.kind]);
    const rows = await tx.all<{ version: number | string }>('select version from schema_migrations');
    const done = new Set(rows.map((r) => Number(r.version)));
    const newestKnown = Math.max(0, ...migrations.map((m) => m.version));
    const newestApplied = Math.max(0, ...done);
    if (newestApplied > newestKnown) {
      throw new KitError(
        StoreErrorCode.schemaTooNew,
        `the database schema is at version ${newestApplied}, newer than this version of the kit knows (${newestKnown})`,
        { hint: 'upgrade daspeak-genesys on this machine; an older kit must not write to a newer schema' },
      );
    }
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      for (const statement of m[driver.kind]) await tx.run(statement);
      if (m.run) {
        if (!keys) throw new Error(`migration ${m.version} needs the key ring`);
        await m.run(tx, { kind: driver.kind, keys, now: now() });
      }
      await tx.run('insert into schema_migrations (version, name, applied_at) values (?, ?, ?)', [
        m.version,
        m.name,
        now(),
      ]);
      applied.push(m.version);
    }
    return { applied, version: Math.max(newestApplied, ...applied) };
  });
}
