/**
 * The store's rules, written once over SqlDriver: what is encrypted and how, what each operation
 * writes to the audit log in the same transaction, consent, retention and key rotation. The SQLite
 * and PostgreSQL drivers only run the SQL.
 */
import { isKitError, KitError } from '../errors.js';
import type { Logger } from '../log.js';
import { writeAudit, type AuditWrite } from './audit.js';
import { Callers, type Caller, type CallerKey } from './callers.js';
import type { KeyRing, Sealed } from './envelope.js';
import { StoreErrorCode } from './errors.js';
import { rotateKeys } from './rotate.js';
import type { SqlDriver, SqlTx, SqlValue } from './sql.js';
import type {
  AccessContext,
  Actor,
  AuditAction,
  AuditEntry,
  AuditOutcome,
  AuditEvent,
  AuditQuery,
  ConsentRecord,
  CredentialStatus,
  CredentialStore,
  DeniedAccess,
  PurgeResult,
  PutCredentialInput,
  PutCredentialResult,
  RecordConsentInput,
  RotateOptions,
  RotateResult,
  StoredCredential,
  WithdrawConsentResult,
} from './types.js';
import {
  checkAction,
  checkActorType,
  checkAniHash,
  checkContext,
  checkConversationId,
  checkCount,
  checkCredential,
  checkDate,
  checkDecision,
  checkEventAction,
  checkEventDetail,
  checkModelHash,
  checkOutcome,
  checkReason,
  checkWordingVersion,
  type CheckedContext,
} from './validate.js';

const DAY_MS = 86_400_000;
/**
 * A read refreshes the stored last_used_at (and active_at) only when it is older than this, so that
 * a caller verified again and again does not rewrite the row each time. Retention counts in whole
 * days, so a credential old enough to be purged is always refreshed by its next read.
 */
export const LAST_USED_GRANULARITY_MS = 3_600_000;
const PURGE_BATCH = 500;
const RETENTION_ACTOR: Actor = { type: 'system', id: 'retention' };

export interface SqlStoreOptions {
  keys: KeyRing;
  clock: () => Date;
  logger: Logger;
  retention: { credentialDays: number; auditDays: number };
  defaultCountry?: string | undefined;
}

interface CredentialTimesRow {
  ani_hash: string;
  ani_key_id: string;
  model_hash: string;
  created_at: number | string;
  updated_at: number | string;
  last_used_at: number | string | null;
  [column: string]: unknown;
}

interface CredentialRow extends CredentialTimesRow {
  key_id: string;
  wrapped_key: Buffer;
  ciphertext: Buffer;
}

interface ConsentRow {
  status: 'granted' | 'refused' | 'withdrawn';
  wording_version: string | null;
  granted_at: number | string | null;
  granted_by_type: string | null;
  granted_by_id: string | null;
  granted_conversation_id: string | null;
  refused_at: number | string | null;
  refused_by_type: string | null;
  refused_by_id: string | null;
  refused_conversation_id: string | null;
  refused_wording_version: string | null;
  withdrawn_at: number | string | null;
  withdrawn_by_type: string | null;
  withdrawn_by_id: string | null;
  withdrawn_conversation_id: string | null;
  [column: string]: unknown;
}

interface AuditRow {
  id: number | string;
  at: number | string;
  actor_type: string;
  actor_id: string;
  conversation_id: string | null;
  ani_hash: string | null;
  action: string;
  outcome: string;
  detail: string | null;
  [column: string]: unknown;
}

/** Both databases hand back bigints in their own way (number or string). */
const ms = (value: number | string): Date => new Date(Number(value));
const msOrNull = (value: number | string | null): Date | null => (value === null ? null : ms(value));

const CONSENT_COLUMNS =
  'status, wording_version, granted_at, granted_by_type, granted_by_id, granted_conversation_id, refused_at, refused_by_type, refused_by_id, refused_conversation_id, refused_wording_version, withdrawn_at, withdrawn_by_type, withdrawn_by_id, withdrawn_conversation_id';

const CREDENTIAL_COLUMNS =
  'ani_hash, ani_key_id, key_id, wrapped_key, ciphertext, model_hash, created_at, updated_at, last_used_at';

export class SqlCredentialStore implements CredentialStore {
  readonly #db: SqlDriver;
  readonly #keys: KeyRing;
  readonly #callers: Callers;
  readonly #clock: () => Date;
  readonly #logger: Logger;
  readonly #retention: { credentialDays: number; auditDays: number };

  constructor(driver: SqlDriver, options: SqlStoreOptions) {
    this.#db = driver;
    this.#keys = options.keys;
    this.#callers = new Callers(options.keys, options.defaultCountry);
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#retention = {
      credentialDays: checkCount(options.retention.credentialDays, 'retention.credentialDays', 1, 1_000_000),
      auditDays: checkCount(options.retention.auditDays, 'retention.auditDays', 1, 1_000_000),
    };
  }

  get kind(): 'sqlite' | 'postgres' {
    return this.#db.kind;
  }

  #now(): number {
    const t = this.#clock().getTime();
    if (!Number.isFinite(t))
      throw new KitError('store.bad_clock', 'the injected clock returned an invalid date');
    return t;
  }

  #caller(ani: string): Caller {
    return this.#callers.of(ani);
  }

  /** The caller's row key, adding the caller when new; writers lock it and seal a number learnt. */
  #resolve(tx: SqlTx, caller: Caller, now: number, write = false): Promise<CallerKey> {
    return this.#callers.resolve(
      tx,
      caller,
      write ? { now, lock: this.#db.forUpdate, learnNumber: true } : { now },
    );
  }

  #audit(tx: SqlTx, entry: AuditWrite): Promise<void> {
    return writeAudit(tx, this.#logger, entry);
  }

  #auditFor(who: CheckedContext, at: number) {
    return (
      key: CallerKey | null,
      action: AuditAction,
      outcome: AuditOutcome,
      detail: string | null = null,
    ): AuditWrite => ({
      at,
      actor: who.actor,
      conversationId: who.conversationId,
      caller: key,
      action,
      outcome,
      detail,
    });
  }

  async putCredential(
    ctx: AccessContext,
    ani: string,
    input: PutCredentialInput,
  ): Promise<PutCredentialResult> {
    const who = checkContext(ctx);
    const caller = this.#caller(ani);
    const modelHash = checkModelHash(input?.modelHash);
    const plaintext = checkCredential(input?.credential);
    let sealed: Sealed;
    try {
      sealed = this.#keys.seal(plaintext, { purpose: 'credential', subject: caller.digest });
    } finally {
      plaintext.fill(0);
    }
    const now = this.#now();
    const entry = this.#auditFor(who, now);

    const outcome = await this.#db.transaction(async (tx) => {
      const key = await this.#resolve(tx, caller, now, true);
      if (input.requireConsent) {
        const consent = await tx.all<{ status: string }>(
          `select status from consents where ani_hash = ?${this.#db.forUpdate}`,
          [key.hash],
        );
        const status = consent[0]?.status;
        if (status !== 'granted') {
          const reason = status === 'refused' ? 'consent_refused' : 'consent_required';
          await this.#audit(tx, entry(key, 'credential.store', 'denied', reason));
          return { refused: reason } as const;
        }
      }
      const before = await tx.all<{ created_at: number | string }>(
        `select created_at from credentials where ani_hash = ?${this.#db.forUpdate}`,
        [key.hash],
      );
      const rows = await tx.all<{ created_at: number | string; last_used_at: number | string | null }>(
        `insert into credentials (ani_hash, ani_key_id, key_id, wrapped_key, ciphertext, model_hash, created_at, updated_at, last_used_at, active_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, null, ?)
         on conflict (ani_hash) do update set key_id = excluded.key_id, wrapped_key = excluded.wrapped_key,
           ciphertext = excluded.ciphertext, model_hash = excluded.model_hash, updated_at = excluded.updated_at,
           active_at = excluded.active_at
         returning created_at, last_used_at`,
        [key.hash, key.keyId, sealed.keyId, sealed.wrappedKey, sealed.ciphertext, modelHash, now, now, now],
      );
      const created = before.length === 0;
      await this.#audit(tx, entry(key, 'credential.store', 'ok', created ? 'created' : 'replaced'));
      return { created, row: rows[0]! };
    });

    if ('refused' in outcome) {
      throw new KitError(
        StoreErrorCode.consentRequired,
        outcome.refused === 'consent_refused'
          ? 'the caller refused consent to voice registration'
          : 'the caller has not consented to voice registration',
        {
          status: 409,
          hint: 'record the caller consent (recordConsent) before storing a credential',
        },
      );
    }
    return {
      created: outcome.created,
      ani: caller.e164,
      modelHash,
      createdAt: ms(outcome.row.created_at),
      updatedAt: new Date(now),
      lastUsedAt: msOrNull(outcome.row.last_used_at),
    };
  }

  async getCredential(ctx: AccessContext, ani: string): Promise<StoredCredential | null> {
    const who = checkContext(ctx);
    const caller = this.#caller(ani);
    const now = this.#now();
    const stale = now - LAST_USED_GRANULARITY_MS;
    const entry = this.#auditFor(who, now);

    // A read writes its audit row (never skipped, and committed before the credential is handed
    // out) but changes nothing that must outlive a crash of the machine, so its commit is relaxed:
    // no fsync on SQLite, no wait for the WAL flush on PostgreSQL. See TxOptions.durability and
    // docs/store.md.
    const outcome = await this.#db.transaction(
      async (tx) => {
        const rows = await tx.all<CredentialRow>(
          `select ${CREDENTIAL_COLUMNS} from credentials where ${this.#callers.inHashes}`,
          caller.hashes,
        );
        const row = rows[0];
        if (!row) {
          const key = await this.#resolve(tx, caller, now);
          await this.#audit(tx, entry(key, 'credential.read', 'not_found'));
          return { found: false as const };
        }
        const key = { hash: row.ani_hash, keyId: row.ani_key_id };
        let credential: string;
        try {
          const plaintext = this.#keys.open(sealedOf(row), { purpose: 'credential', subject: caller.digest });
          credential = plaintext.toString('utf8');
          plaintext.fill(0);
        } catch (err) {
          // The failure is recorded (and committed) before it is reported; the row is left as it is.
          const code = isKitError(err) ? err.code : StoreErrorCode.corrupt;
          await this.#audit(tx, entry(key, 'credential.read', 'error', code));
          return { found: true as const, error: err };
        }
        // Skipped (no statement at all) while the stored time is recent; the condition is repeated
        // in SQL for a concurrent read, and active_at never moves back (another instance's clock).
        if (row.last_used_at === null || Number(row.last_used_at) < stale) {
          await tx.run(
            `update credentials set last_used_at = ?, active_at = case when active_at > ? then active_at else ? end
             where ani_hash = ? and (last_used_at is null or last_used_at < ?)`,
            [now, now, now, key.hash, stale],
          );
        }
        await this.#audit(tx, entry(key, 'credential.read', 'ok'));
        return { found: true as const, credential, row };
      },
      { durability: 'relaxed' },
    );

    if (!outcome.found) return null;
    if ('error' in outcome) {
      this.#logger.error(
        { aniHash: caller.hash, code: (outcome.error as KitError).code },
        'stored credential unreadable',
      );
      throw outcome.error;
    }
    return {
      ani: caller.e164,
      credential: outcome.credential,
      modelHash: outcome.row.model_hash,
      createdAt: ms(outcome.row.created_at),
      updatedAt: ms(outcome.row.updated_at),
      lastUsedAt: new Date(now),
    };
  }

  async credentialStatus(ctx: AccessContext, ani: string): Promise<CredentialStatus | null> {
    const who = checkContext(ctx);
    const caller = this.#caller(ani);
    const now = this.#now();
    const entry = this.#auditFor(who, now);
    // Like a read, it changes no data and is asked often (the widget asks on every call), so its
    // audit row is committed with relaxed durability; it opens nothing, so it cannot fail on a key.
    const row = await this.#db.transaction(
      async (tx) => {
        const rows = await tx.all<CredentialTimesRow>(
          `select ani_hash, ani_key_id, model_hash, created_at, updated_at, last_used_at from credentials where ${this.#callers.inHashes}`,
          caller.hashes,
        );
        const found = rows[0];
        const key = found
          ? { hash: found.ani_hash, keyId: found.ani_key_id }
          : await this.#resolve(tx, caller, now);
        await this.#audit(tx, entry(key, 'credential.status', found ? 'ok' : 'not_found'));
        return found;
      },
      { durability: 'relaxed' },
    );
    if (!row) return null;
    return {
      ani: caller.e164,
      modelHash: row.model_hash,
      createdAt: ms(row.created_at),
      updatedAt: ms(row.updated_at),
      lastUsedAt: msOrNull(row.last_used_at),
    };
  }

  async deleteCredential(ctx: AccessContext, ani: string): Promise<boolean> {
    const who = checkContext(ctx);
    const caller = this.#caller(ani);
    const now = this.#now();
    const entry = this.#auditFor(who, now);
    return this.#db.transaction(async (tx) => {
      const key = await this.#resolve(tx, caller, now, true);
      const deleted = (await tx.run('delete from credentials where ani_hash = ?', [key.hash])) > 0;
      await this.#audit(tx, entry(key, 'credential.delete', deleted ? 'ok' : 'not_found'));
      return deleted;
    });
  }

  async recordConsent(ctx: AccessContext, ani: string, input: RecordConsentInput): Promise<ConsentRecord> {
    const who = checkContext(ctx);
    const caller = this.#caller(ani);
    const wordingVersion = checkWordingVersion(input?.wordingVersion);
    const decision = checkDecision(input?.decision);
    const now = this.#now();
    const entry = this.#auditFor(who, now);
    const rows = await this.#db.transaction(async (tx) => {
      const key = await this.#resolve(tx, caller, now, true);
      if (decision === 'granted') {
        // A grant starts a new consent: an earlier refusal or withdrawal no longer stands.
        await tx.run(
          `insert into consents (ani_hash, ani_key_id, status, wording_version, granted_at, granted_by_type, granted_by_id, granted_conversation_id, updated_at)
           values (?, ?, 'granted', ?, ?, ?, ?, ?, ?)
           on conflict (ani_hash) do update set status = excluded.status, wording_version = excluded.wording_version,
             granted_at = excluded.granted_at, granted_by_type = excluded.granted_by_type,
             granted_by_id = excluded.granted_by_id, granted_conversation_id = excluded.granted_conversation_id,
             refused_at = null, refused_by_type = null, refused_by_id = null, refused_conversation_id = null,
             refused_wording_version = null,
             withdrawn_at = null, withdrawn_by_type = null, withdrawn_by_id = null, withdrawn_conversation_id = null,
             updated_at = excluded.updated_at`,
          [key.hash, key.keyId, wordingVersion, now, who.actor.type, who.actor.id, who.conversationId, now],
        );
      } else {
        // The grant columns stay (what the caller had agreed to before), and nothing is deleted: a
        // refusal to a new request is not a withdrawal of an earlier consent.
        await tx.run(
          `insert into consents (ani_hash, ani_key_id, status, refused_at, refused_by_type, refused_by_id, refused_conversation_id, refused_wording_version, updated_at)
           values (?, ?, 'refused', ?, ?, ?, ?, ?, ?)
           on conflict (ani_hash) do update set status = excluded.status, refused_at = excluded.refused_at,
             refused_by_type = excluded.refused_by_type, refused_by_id = excluded.refused_by_id,
             refused_conversation_id = excluded.refused_conversation_id,
             refused_wording_version = excluded.refused_wording_version, updated_at = excluded.updated_at`,
          [key.hash, key.keyId, now, who.actor.type, who.actor.id, who.conversationId, wordingVersion, now],
        );
      }
      await this.#audit(
        tx,
        entry(
          key,
          'consent.record',
          'ok',
          `${decision === 'refused' ? 'refused:' : ''}wording:${wordingVersion}`,
        ),
      );
      return tx.all<ConsentRow>(`select ${CONSENT_COLUMNS} from consents where ani_hash = ?`, [key.hash]);
    });
    return consentOf(caller.e164, rows[0]!);
  }

  async getConsent(ani: string): Promise<ConsentRecord | null> {
    const caller = this.#caller(ani);
    const rows = await this.#db.transaction(
      (tx) =>
        tx.all<ConsentRow>(
          `select ${CONSENT_COLUMNS} from consents where ${this.#callers.inHashes}`,
          caller.hashes,
        ),
      { readOnly: true },
    );
    const row = rows[0];
    return row ? consentOf(caller.e164, row) : null;
  }

  async withdrawConsent(ctx: AccessContext, ani: string): Promise<WithdrawConsentResult> {
    const who = checkContext(ctx);
    const caller = this.#caller(ani);
    const now = this.#now();
    const entry = this.#auditFor(who, now);
    return this.#db.transaction(async (tx) => {
      const key = await this.#resolve(tx, caller, now, true);
      const rows = await tx.all<{ status: string }>(
        `select status from consents where ani_hash = ?${this.#db.forUpdate}`,
        [key.hash],
      );
      const wasGranted = rows[0]?.status === 'granted';
      // The grant columns stay: they show what the caller had agreed to before withdrawing.
      await tx.run(
        `insert into consents (ani_hash, ani_key_id, status, withdrawn_at, withdrawn_by_type, withdrawn_by_id, withdrawn_conversation_id, updated_at)
         values (?, ?, 'withdrawn', ?, ?, ?, ?, ?)
         on conflict (ani_hash) do update set status = excluded.status, withdrawn_at = excluded.withdrawn_at,
           withdrawn_by_type = excluded.withdrawn_by_type, withdrawn_by_id = excluded.withdrawn_by_id,
           withdrawn_conversation_id = excluded.withdrawn_conversation_id, updated_at = excluded.updated_at`,
        [key.hash, key.keyId, now, who.actor.type, who.actor.id, who.conversationId, now],
      );
      const credentialDeleted = (await tx.run('delete from credentials where ani_hash = ?', [key.hash])) > 0;
      await this.#audit(tx, entry(key, 'consent.withdraw', 'ok', wasGranted ? null : 'not_granted'));
      if (credentialDeleted)
        await this.#audit(tx, entry(key, 'credential.delete', 'ok', 'consent_withdrawn'));
      return { wasGranted, credentialDeleted };
    });
  }

  /** The caller a refusal or an event names, if its number normalises; such rows are kept without one. */
  #callerIfAny(ani: string | null | undefined): Caller | null {
    if (ani === undefined || ani === null) return null;
    try {
      return this.#caller(ani);
    } catch {
      return null;
    }
  }

  /** One audit row naming `caller` (if any), committed with relaxed durability before it resolves. */
  async #relaxedAudit(
    caller: Caller | null,
    write: (key: CallerKey | null) => AuditWrite,
    now: number,
  ): Promise<void> {
    await this.#db.transaction(
      async (tx) => this.#audit(tx, write(caller ? await this.#resolve(tx, caller, now) : null)),
      { durability: 'relaxed' },
    );
  }

  async recordDenied(ctx: AccessContext, denied: DeniedAccess): Promise<void> {
    const who = checkContext(ctx);
    const action = checkAction(denied?.action);
    const reason = checkReason(denied?.reason);
    const now = this.#now();
    const entry = this.#auditFor(who, now);
    // A denial changes no data, and anyone can cause one (a bad token costs nothing to send): like a
    // read's audit row it is committed with relaxed durability, so a flood of refusals cannot turn
    // into a flood of fsyncs. It is still written before the refusal is answered.
    await this.#relaxedAudit(
      this.#callerIfAny(denied.ani),
      (key) => entry(key, action, 'denied', reason),
      now,
    );
  }

  async recordEvent(ctx: AccessContext, event: AuditEvent): Promise<void> {
    const who = checkContext(ctx);
    const action = checkEventAction(event?.action);
    const outcome = checkOutcome(event?.outcome);
    const detail = checkEventDetail(event?.detail);
    const now = this.#now();
    const entry = this.#auditFor(who, now);
    // Evidence of something done elsewhere (a token handed out, a relayed session): relaxed like a read.
    await this.#relaxedAudit(this.#callerIfAny(event.ani), (key) => entry(key, action, outcome, detail), now);
  }

  async queryAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (clause: string, ...values: SqlValue[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (query.ani !== undefined) add(this.#callers.inHashes, ...this.#caller(query.ani).hashes);
    if (query.aniHash !== undefined) add('ani_hash = ?', checkAniHash(query.aniHash));
    if (query.conversationId !== undefined)
      add('conversation_id = ?', checkConversationId(query.conversationId));
    if (query.actorType !== undefined) add('actor_type = ?', checkActorType(query.actorType));
    if (query.actorId !== undefined) add('actor_id = ?', String(query.actorId));
    if (query.action !== undefined) add('action = ?', checkAction(query.action));
    if (query.outcome !== undefined) add('outcome = ?', checkOutcome(query.outcome));
    if (query.since !== undefined) add('at >= ?', checkDate(query.since, 'since'));
    if (query.until !== undefined) add('at < ?', checkDate(query.until, 'until'));
    if (query.beforeId !== undefined)
      add('id < ?', checkCount(query.beforeId, 'beforeId', 1, Number.MAX_SAFE_INTEGER));
    const limit = checkCount(query.limit ?? 100, 'limit', 1, 1000);
    const sql = `select id, at, actor_type, actor_id, conversation_id, ani_hash, action, outcome, detail from audit_log${
      where.length > 0 ? ` where ${where.join(' and ')}` : ''
    } order by id desc limit ${limit}`;
    const rows = await this.#db.transaction((tx) => tx.all<AuditRow>(sql, params), { readOnly: true });
    return rows.map((r) => ({
      id: Number(r.id),
      at: ms(r.at),
      actor: { type: r.actor_type as Actor['type'], id: r.actor_id },
      conversationId: r.conversation_id,
      aniHash: r.ani_hash,
      action: r.action as AuditAction,
      outcome: r.outcome as AuditOutcome,
      detail: r.detail,
    }));
  }

  async purge(now: Date = this.#clock()): Promise<PurgeResult> {
    const at = checkDate(now, 'now');
    const credentialCutoff = at - this.#retention.credentialDays * DAY_MS;
    const auditCutoff = at - this.#retention.auditDays * DAY_MS;
    const system = { actor: RETENTION_ACTOR, conversationId: null };

    let credentials = 0;
    for (;;) {
      const batch = await this.#db.transaction(async (tx) => {
        const rows = await tx.all<{ ani_hash: string; ani_key_id: string }>(
          'select ani_hash, ani_key_id from credentials where active_at < ? order by active_at limit ?',
          [credentialCutoff, PURGE_BATCH],
        );
        let deleted = 0;
        for (const { ani_hash, ani_key_id } of rows) {
          // The condition is checked again: a read since the select makes the credential current.
          if (
            (await tx.run('delete from credentials where ani_hash = ? and active_at < ?', [
              ani_hash,
              credentialCutoff,
            ])) > 0
          ) {
            deleted++;
            await this.#audit(tx, {
              at,
              ...system,
              caller: { hash: ani_hash, keyId: ani_key_id },
              action: 'credential.purge',
              outcome: 'ok',
              detail: 'retention',
            });
          }
        }
        return { selected: rows.length, deleted };
      });
      credentials += batch.deleted;
      if (batch.selected < PURGE_BATCH) break;
    }

    let audit = 0;
    for (;;) {
      const deleted = await this.#db.transaction((tx) =>
        tx.run(
          'delete from audit_log where id in (select id from audit_log where at < ? order by id limit ?)',
          [auditCutoff, PURGE_BATCH * 10],
        ),
      );
      audit += deleted;
      if (deleted < PURGE_BATCH * 10) break;
    }
    if (audit > 0) {
      await this.#db.transaction((tx) =>
        this.#audit(tx, {
          at,
          ...system,
          caller: null,
          action: 'audit.purge',
          outcome: 'ok',
          detail: `deleted=${audit}`,
        }),
      );
    }

    // A caller's sealed number goes when nothing of the caller is left: no credential, no consent
    // (consents are kept for ever, so a caller who ever decided is kept too) and no audit row. A
    // caller first seen within the audit retention is kept in any case (it may be in use right now).
    let callers = 0;
    for (;;) {
      const deleted = await this.#db.transaction((tx) =>
        tx.run(
          `delete from callers where ani_hash in (
             select k.ani_hash from callers k where k.created_at < ?
               and not exists (select 1 from credentials c where c.ani_hash = k.ani_hash)
               and not exists (select 1 from consents c where c.ani_hash = k.ani_hash)
               and not exists (select 1 from audit_log a where a.ani_hash = k.ani_hash)
             limit ?)`,
          [auditCutoff, PURGE_BATCH],
        ),
      );
      callers += deleted;
      if (deleted < PURGE_BATCH) break;
    }
    this.#logger.info({ credentials, audit, callers }, 'retention purge done');
    return { credentials, audit, callers };
  }

  rotate(options: RotateOptions = {}): Promise<RotateResult> {
    return rotateKeys(
      { db: this.#db, keys: this.#keys, logger: this.#logger, now: () => this.#now() },
      options,
    );
  }

  async ping(): Promise<void> {
    await this.#db.transaction((tx) => tx.all('select 1 as ok'), { readOnly: true });
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

export function sealedOf(row: { key_id: string; wrapped_key: Buffer; ciphertext: Buffer }): Sealed {
  return {
    keyId: row.key_id,
    wrappedKey: Buffer.from(row.wrapped_key),
    ciphertext: Buffer.from(row.ciphertext),
  };
}

function consentOf(ani: string, row: ConsentRow): ConsentRecord {
  const actor = (type: string | null, id: string | null): Actor => ({
    type: (type ?? 'system') as Actor['type'],
    id: id ?? '',
  });
  return {
    ani,
    status: row.status,
    granted:
      row.granted_at === null
        ? null
        : {
            at: ms(row.granted_at),
            actor: actor(row.granted_by_type, row.granted_by_id),
            conversationId: row.granted_conversation_id,
            wordingVersion: row.wording_version ?? '',
          },
    refused:
      row.status !== 'refused' || row.refused_at === null
        ? null
        : {
            at: ms(row.refused_at),
            actor: actor(row.refused_by_type, row.refused_by_id),
            conversationId: row.refused_conversation_id,
            wordingVersion: row.refused_wording_version ?? '',
          },
    withdrawn:
      row.status !== 'withdrawn' || row.withdrawn_at === null
        ? null
        : {
            at: ms(row.withdrawn_at),
            actor: actor(row.withdrawn_by_type, row.withdrawn_by_id),
            conversationId: row.withdrawn_conversation_id,
          },
  };
}
