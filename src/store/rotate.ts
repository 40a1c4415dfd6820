/**
 * `store rotate`: after a new key was put first in backend.encryptionKeys, moves everything that
 * still depends on an older key to the new one, in resumable batches (one transaction each):
 *
 * 1. callers: each caller under an older key gets its hash under the new key (computed from its
 *    sealed reference), its reference sealed again under the new key, and every row of the caller —
 *    credential, consent, audit rows — takes the new hash, in the same transaction;
 * 2. credentials: each one sealed under an older key gets a fresh data key wrapped under the new key;
 * 3. rows written under an older hash after their caller moved (a read on another instance that
 *    raced the move) are found by recomputing each caller's older hashes, and moved too.
 *
 * Nothing that does not open is changed: such rows are counted (corrupt, unknown key) and left for
 * an operator, and `remaining` says how much still depends on an older key.
 */
import { isKitError } from '../errors.js';
import type { Logger } from '../log.js';
import { writeAudit } from './audit.js';
import { digestOfReference } from './callers.js';
import type { KeyRing, Sealed } from './envelope.js';
import { StoreErrorCode } from './errors.js';
import type { SqlDriver, SqlTx } from './sql.js';
import type { Actor, RotateOptions, RotateResult } from './types.js';
import { checkCount } from './validate.js';

const ROTATION_ACTOR: Actor = { type: 'system', id: 'rotation' };
/** Tables whose rows name a caller by hash; credentials and consents hold one row per caller. */
const CALLER_TABLES = ['credentials', 'consents', 'audit_log'] as const;

export interface RotateDeps {
  db: SqlDriver;
  keys: KeyRing;
  logger: Logger;
  now: () => number;
}

type Failure = 'corrupt' | 'unknownKey';

function failureOf(err: unknown): Failure {
  if (isKitError(err) && err.code === StoreErrorCode.unknownKey) return 'unknownKey';
  if (isKitError(err) && err.code === StoreErrorCode.corrupt) return 'corrupt';
  throw err;
}

const count = async (tx: SqlTx, sql: string, params: (string | number)[] = []) =>
  Number((await tx.all<{ n: number | string }>(sql, params))[0]?.n ?? 0);

export async function rotateKeys(deps: RotateDeps, options: RotateOptions): Promise<RotateResult> {
  const { db, keys } = deps;
  const batchSize = checkCount(options.batchSize ?? 100, 'batchSize', 1, 10_000);
  let batchesLeft =
    options.maxBatches === undefined
      ? Infinity
      : checkCount(options.maxBatches, 'maxBatches', 1, Number.MAX_SAFE_INTEGER);
  const current = keys.currentId;

  const before = await db.transaction(
    async (tx) => ({
      callers: await count(tx, 'select count(*) as n from callers where key_id = ?', [current]),
      credentials: await count(tx, 'select count(*) as n from credentials where key_id = ?', [current]),
    }),
    { readOnly: true },
  );

  // 1. Callers, with every row of each.
  const callers = { rekeyed: 0, alreadyCurrent: before.callers, corrupt: 0, unknownKey: 0, conflicts: 0 };
  let cursor = '';
  let callersDone = false;
  while (batchesLeft > 0) {
    batchesLeft--;
    const batch = await db.transaction(async (tx) => {
      const rows = await tx.all<{ ani_hash: string; key_id: string; sealed: Buffer }>(
        `select ani_hash, key_id, sealed from callers where key_id <> ? and ani_hash > ? order by ani_hash limit ?${db.forUpdate}`,
        [current, cursor, batchSize],
      );
      const counts = { rekeyed: 0, corrupt: 0, unknownKey: 0, conflicts: 0 };
      for (const row of rows) {
        let reference: Buffer;
        try {
          reference = keys.openCaller(Buffer.from(row.sealed), row.key_id, row.ani_hash);
        } catch (err) {
          counts[failureOf(err)]++;
          continue;
        }
        const digest = digestOfReference(reference);
        if (digest === null) {
          counts.corrupt++;
          continue;
        }
        const hash = keys.callerHash(digest, current);
        // The caller already has a row under the new key: the old key was taken out of the config
        // while this caller still had rows under it, and the caller came back meanwhile. Two sets of
        // rows for one caller are for an operator to reconcile; nothing is merged by guesswork.
        if ((await tx.all('select 1 as one from callers where ani_hash = ?', [hash])).length > 0) {
          counts.conflicts++;
          continue;
        }
        const sealed = keys.sealCaller(reference, current, hash);
        await tx.run('update callers set ani_hash = ?, key_id = ?, sealed = ? where ani_hash = ?', [
          hash,
          current,
          sealed,
          row.ani_hash,
        ]);
        for (const table of CALLER_TABLES) {
          await tx.run(`update ${table} set ani_hash = ?, ani_key_id = ? where ani_hash = ?`, [
            hash,
            current,
            row.ani_hash,
          ]);
        }
        counts.rekeyed++;
      }
      return { ...counts, selected: rows.length, last: rows[rows.length - 1]?.ani_hash };
    });
    callers.rekeyed += batch.rekeyed;
    callers.corrupt += batch.corrupt;
    callers.unknownKey += batch.unknownKey;
    callers.conflicts += batch.conflicts;
    if (batch.last !== undefined) cursor = batch.last;
    if (batch.selected < batchSize) {
      callersDone = true;
      break;
    }
  }

  // 2. Credentials sealed under an older key. The seal is bound to the caller's digest, read from
  // the caller's sealed reference.
  const credentials = { rotated: 0, corrupt: 0, unknownKey: 0 };
  let credentialsDone = false;
  cursor = '';
  while (batchesLeft > 0) {
    batchesLeft--;
    const batch = await db.transaction(async (tx) => {
      const rows = await tx.all<{
        ani_hash: string;
        key_id: string;
        wrapped_key: Buffer;
        ciphertext: Buffer;
        caller_key_id: string | null;
        caller_sealed: Buffer | null;
      }>(
        `select c.ani_hash, c.key_id, c.wrapped_key, c.ciphertext, k.key_id as caller_key_id, k.sealed as caller_sealed
         from credentials c left join callers k on k.ani_hash = c.ani_hash
         where c.key_id <> ? and c.ani_hash > ? order by c.ani_hash limit ?`,
        [current, cursor, batchSize],
      );
      const counts = { rotated: 0, corrupt: 0, unknownKey: 0 };
      for (const row of rows) {
        let resealed: Sealed;
        try {
          if (row.caller_key_id === null || row.caller_sealed === null) {
            counts.corrupt++; // a credential whose caller row is gone cannot be bound to anyone
            continue;
          }
          const reference = keys.openCaller(Buffer.from(row.caller_sealed), row.caller_key_id, row.ani_hash);
          const digest = digestOfReference(reference);
          if (digest === null) {
            counts.corrupt++;
            continue;
          }
          const binding = { purpose: 'credential' as const, subject: digest };
          // A fresh data key as well as a new wrap: nothing sealed under the old key remains.
          const plaintext = keys.open(
            {
              keyId: row.key_id,
              wrappedKey: Buffer.from(row.wrapped_key),
              ciphertext: Buffer.from(row.ciphertext),
            },
            binding,
          );
          try {
            resealed = keys.seal(plaintext, binding);
          } finally {
            plaintext.fill(0);
          }
        } catch (err) {
          counts[failureOf(err)]++;
          continue;
        }
        // Only if the row is still the one read: a concurrent write already used the current key.
        counts.rotated += await tx.run(
          'update credentials set key_id = ?, wrapped_key = ?, ciphertext = ? where ani_hash = ? and key_id = ? and wrapped_key = ?',
          [
            resealed.keyId,
            resealed.wrappedKey,
            resealed.ciphertext,
            row.ani_hash,
            row.key_id,
            row.wrapped_key,
          ],
        );
      }
      return { ...counts, selected: rows.length, last: rows[rows.length - 1]?.ani_hash };
    });
    credentials.rotated += batch.rotated;
    credentials.corrupt += batch.corrupt;
    credentials.unknownKey += batch.unknownKey;
    if (batch.last !== undefined) cursor = batch.last;
    if (batch.selected < batchSize) {
      credentialsDone = true;
      break;
    }
  }

  // 3. Rows under an older hash whose caller has moved on.
  if (callersDone && credentialsDone) await moveStragglers(deps, batchSize);

  const at = deps.now();
  const left = await db.transaction(async (tx) => {
    const counts = {
      credentials: await count(tx, 'select count(*) as n from credentials where key_id <> ?', [current]),
      callers: await count(tx, 'select count(*) as n from callers where key_id <> ?', [current]),
      unlinked: 0,
    };
    for (const table of CALLER_TABLES) {
      counts.unlinked += await count(
        tx,
        `select count(*) as n from ${table} t where t.ani_key_id <> ? and not exists (select 1 from callers k where k.ani_hash = t.ani_hash)`,
        [current],
      );
    }
    const remaining = counts.credentials + counts.callers + counts.unlinked;
    const failed =
      credentials.corrupt + credentials.unknownKey + callers.corrupt + callers.unknownKey + callers.conflicts;
    await writeAudit(tx, deps.logger, {
      at,
      actor: ROTATION_ACTOR,
      conversationId: null,
      caller: null,
      action: 'keys.rotate',
      outcome: failed > 0 ? 'error' : 'ok',
      detail:
        `key=${current} rotated=${credentials.rotated} corrupt=${credentials.corrupt} unknown_key=${credentials.unknownKey}` +
        ` callers_rekeyed=${callers.rekeyed} callers_failed=${callers.corrupt + callers.unknownKey + callers.conflicts}` +
        ` unlinked=${counts.unlinked} remaining=${remaining}`,
    });
    return { ...counts, remaining };
  });

  const result: RotateResult = {
    keyId: current,
    rotated: credentials.rotated,
    alreadyCurrent: before.credentials,
    corrupt: credentials.corrupt,
    unknownKey: credentials.unknownKey,
    callers: { ...callers, remaining: left.callers },
    unlinked: left.unlinked,
    remaining: left.remaining,
  };
  deps.logger.info(result, 'key rotation run done');
  return result;
}

/**
 * Rows still keyed under an older hash although their caller is under the current key: written by a
 * read or a refusal on another instance that looked the caller up just before it moved (reads take
 * no lock, by design). Each caller's hash under every older key still configured is recomputed, and
 * its rows under that hash move to the current one.
 */
async function moveStragglers(deps: RotateDeps, batchSize: number): Promise<void> {
  const { db, keys } = deps;
  const current = keys.currentId;
  const stale = new Map<string, string>(); // older hash -> its key id
  await db.transaction(
    async (tx) => {
      for (const table of CALLER_TABLES) {
        const rows = await tx.all<{ ani_hash: string; ani_key_id: string }>(
          `select ani_hash, ani_key_id from ${table} where ani_key_id <> ? group by ani_hash, ani_key_id`,
          [current],
        );
        for (const r of rows) if (keys.has(r.ani_key_id)) stale.set(r.ani_hash, r.ani_key_id);
      }
    },
    { readOnly: true },
  );
  if (stale.size === 0) return;
  const olderKeys = [...new Set(stale.values())];

  let cursor = '';
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const rows = await tx.all<{ ani_hash: string; sealed: Buffer }>(
        'select ani_hash, sealed from callers where key_id = ? and ani_hash > ? order by ani_hash limit ?',
        [current, cursor, batchSize],
      );
      for (const row of rows) {
        let digest: string | null;
        try {
          digest = digestOfReference(keys.openCaller(Buffer.from(row.sealed), current, row.ani_hash));
        } catch {
          continue;
        }
        if (digest === null) continue;
        for (const keyId of olderKeys) {
          const older = keys.callerHash(digest, keyId);
          if (stale.get(older) !== keyId) continue;
          for (const table of CALLER_TABLES) {
            // One credential and one consent per caller: a straggler never replaces the current row.
            const guard =
              table === 'audit_log' ? '' : ` and not exists (select 1 from ${table} x where x.ani_hash = ?)`;
            await tx.run(
              `update ${table} set ani_hash = ?, ani_key_id = ? where ani_hash = ?${guard}`,
              table === 'audit_log'
                ? [row.ani_hash, current, older]
                : [row.ani_hash, current, older, row.ani_hash],
            );
          }
          stale.delete(older);
        }
      }
      return { selected: rows.length, last: rows[rows.length - 1]?.ani_hash };
    });
    if (batch.last !== undefined) cursor = batch.last;
    if (batch.selected < batchSize || stale.size === 0) break;
  }
}
