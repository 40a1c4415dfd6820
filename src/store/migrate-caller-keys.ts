/**
 * Migration 3: rows were keyed by the unsalted SHA-256 of the caller's number, which anyone with a
 * dump reverses by trying every number. From now on a caller is named by
 * HMAC(key derived from a configured key, SHA-256(number)) — see KeyRing.callerHash — with the id of
 * that key in each row, and a `callers` table holds each caller's reference (the number, sealed) so
 * that `store rotate` can compute the hash under a new key.
 *
 * Because the new hash is an HMAC *of the old one*, every existing row is re-keyed here, at once, in
 * this one transaction, without knowing the numbers: no row keeps the legacy hash after the
 * migration, and no lookup ever needs to try it. For callers known only by a legacy row, the callers
 * table holds the sealed legacy digest (`sha256:<hex>`) until the number is seen again (the next
 * store or consent change of that caller seals the number in its place).
 */
import { KitError } from '../errors.js';
import { StoreErrorCode } from './errors.js';
import type { MigrationContext } from './migrations.js';
import type { SqlTx, SqlValue } from './sql.js';

/** Legacy hashes turned into callers rows per statement. */
const PAGE = 500;
const DIGEST = /^[0-9a-f]{64}$/;

const CALLERS = {
  sqlite: `create table callers (
    ani_hash text primary key,
    key_id text not null,
    sealed blob not null,
    created_at integer not null
  ) strict`,
  postgres: `create table callers (
    ani_hash text primary key,
    key_id text not null,
    sealed bytea not null,
    created_at bigint not null
  )`,
} as const;

/** SQLite cannot add a NOT NULL column or a check constraint to a table: those are rebuilt. */
const SQLITE_REBUILD = [
  `create table credentials_v3 (
    ani_hash text primary key,
    ani_key_id text not null,
    key_id text not null,
    wrapped_key blob not null,
    ciphertext blob not null,
    model_hash text not null,
    created_at integer not null,
    updated_at integer not null,
    last_used_at integer,
    active_at integer not null
  ) strict`,
  `insert into credentials_v3 (ani_hash, ani_key_id, key_id, wrapped_key, ciphertext, model_hash, created_at, updated_at, last_used_at, active_at)
   select m.new, ?, c.key_id, c.wrapped_key, c.ciphertext, c.model_hash, c.created_at, c.updated_at, c.last_used_at, c.active_at
   from credentials c join legacy_map m on m.old = c.ani_hash`,
  'drop table credentials',
  'alter table credentials_v3 rename to credentials',
  'create index credentials_key_id on credentials (key_id)',
  'create index credentials_active_at on credentials (active_at)',
  `create table consents_v3 (
    ani_hash text primary key,
    ani_key_id text not null,
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
  `insert into consents_v3 (ani_hash, ani_key_id, status, wording_version, granted_at, granted_by_type, granted_by_id,
     granted_conversation_id, refused_at, refused_by_type, refused_by_id, refused_conversation_id, refused_wording_version,
     withdrawn_at, withdrawn_by_type, withdrawn_by_id, withdrawn_conversation_id, updated_at)
   select m.new, ?, c.status, c.wording_version, c.granted_at, c.granted_by_type, c.granted_by_id,
     c.granted_conversation_id, c.refused_at, c.refused_by_type, c.refused_by_id, c.refused_conversation_id,
     c.refused_wording_version, c.withdrawn_at, c.withdrawn_by_type, c.withdrawn_by_id, c.withdrawn_conversation_id, c.updated_at
   from consents c join legacy_map m on m.old = c.ani_hash`,
  'drop table consents',
  'alter table consents_v3 rename to consents',
  `create table audit_log_v3 (
    id integer primary key autoincrement,
    at integer not null,
    actor_type text not null,
    actor_id text not null,
    conversation_id text,
    ani_hash text,
    ani_key_id text,
    action text not null,
    outcome text not null,
    detail text,
    check ((ani_hash is null) = (ani_key_id is null))
  ) strict`,
  // Ids are kept, so audit pages (beforeId) and references to rows stay valid.
  `insert into audit_log_v3 (id, at, actor_type, actor_id, conversation_id, ani_hash, ani_key_id, action, outcome, detail)
   select a.id, a.at, a.actor_type, a.actor_id, a.conversation_id, m.new, case when m.new is null then null else ? end,
     a.action, a.outcome, a.detail
   from audit_log a left join legacy_map m on m.old = a.ani_hash`,
  // AUTOINCREMENT never hands out an id used before, even one deleted since: the counter moves over.
  `insert or replace into sqlite_sequence (name, seq)
   select 'audit_log_v3', max(seq) from sqlite_sequence where name in ('audit_log', 'audit_log_v3') having count(*) > 0`,
  'drop table audit_log',
  'alter table audit_log_v3 rename to audit_log',
  'create index audit_log_at on audit_log (at)',
  'create index audit_log_ani_hash on audit_log (ani_hash, id)',
  'create index audit_log_conversation on audit_log (conversation_id, id)',
] as const;

/** Statements of SQLITE_REBUILD that take the current key id as their one parameter. */
const TAKES_KEY_ID = (sql: string) => sql.includes('?');

const POSTGRES_ALTER = [
  'alter table credentials add column ani_key_id text',
  'update credentials c set ani_hash = m.new, ani_key_id = ? from legacy_map m where c.ani_hash = m.old',
  'alter table credentials alter column ani_key_id set not null',
  'alter table consents add column ani_key_id text',
  'update consents c set ani_hash = m.new, ani_key_id = ? from legacy_map m where c.ani_hash = m.old',
  'alter table consents alter column ani_key_id set not null',
  'alter table audit_log add column ani_key_id text',
  'update audit_log a set ani_hash = m.new, ani_key_id = ? from legacy_map m where a.ani_hash = m.old',
  'alter table audit_log add constraint audit_log_ani_key check ((ani_hash is null) = (ani_key_id is null))',
] as const;

export async function keyCallerHashes(tx: SqlTx, { kind, keys, now }: MigrationContext): Promise<void> {
  const keyId = keys.currentId;
  await tx.run(CALLERS[kind]);
  await tx.run('create index callers_key_id on callers (key_id)');
  const onCommit = kind === 'postgres' ? ' on commit drop' : '';
  await tx.run(`create temp table legacy_hashes (old text primary key)${onCommit}`);
  await tx.run(`create temp table legacy_map (old text primary key, new text not null)${onCommit}`);
  await tx.run(
    `insert into legacy_hashes (old)
     select ani_hash from credentials union select ani_hash from consents
     union select ani_hash from audit_log where ani_hash is not null`,
  );

  // Each legacy digest becomes a caller: its HMAC under the current key, and the digest itself,
  // sealed, so that a later rotation can compute the HMAC under the next key.
  let cursor = '';
  for (;;) {
    const page = await tx.all<{ old: string }>(
      'select old from legacy_hashes where old > ? order by old limit ?',
      [cursor, PAGE],
    );
    if (page.length === 0) break;
    const callers: SqlValue[] = [];
    const map: SqlValue[] = [];
    for (const { old } of page) {
      if (!DIGEST.test(old)) {
        throw new KitError(
          StoreErrorCode.migrationFailed,
          'a stored row is keyed by something that is not a SHA-256 digest of a caller number, so its caller cannot be re-keyed',
          {
            hint: 'find the row with: select * from credentials/consents/audit_log where length(ani_hash) <> 64; nothing was changed',
          },
        );
      }
      const hash = keys.callerHash(old, keyId);
      callers.push(hash, keyId, keys.sealCaller(Buffer.from(`sha256:${old}`, 'utf8'), keyId, hash), now);
      map.push(old, hash);
    }
    await tx.run(
      `insert into callers (ani_hash, key_id, sealed, created_at) values ${page.map(() => '(?, ?, ?, ?)').join(', ')}`,
      callers,
    );
    await tx.run(`insert into legacy_map (old, new) values ${page.map(() => '(?, ?)').join(', ')}`, map);
    cursor = page[page.length - 1]!.old;
  }

  if (kind === 'sqlite') {
    for (const sql of SQLITE_REBUILD) await tx.run(sql, TAKES_KEY_ID(sql) ? [keyId] : []);
    await tx.run('drop table legacy_hashes');
    await tx.run('drop table legacy_map');
  } else {
    for (const sql of POSTGRES_ALTER) await tx.run(sql, TAKES_KEY_ID(sql) ? [keyId] : []);
  }
}
