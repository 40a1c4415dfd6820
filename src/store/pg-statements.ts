/**
 * The store's frequent operations on PostgreSQL — credential reads and statuses, and the audit rows
 * of refusals and events — in ONE statement each, and the ones that reach the store in the same turn
 * of the event loop in the same statement (up to BATCH), the way SQLite's group commit shares one
 * commit among them. As a transaction a read took four round trips (BEGIN; SELECT; INSERT; COMMIT)
 * and a commit of its own; see docs/store.md, "One round trip per read", for the variants measured.
 *
 * All CTEs of a statement see one snapshot and run to completion whether or not the final SELECT
 * reads them; they talk to each other only through RETURNING and the rows read. Inputs are parallel
 * arrays, one element per operation (the caller's hash under each configured key as (operation,
 * hash) pairs), so one prepared statement serves every batch size. The commit is relaxed by
 * set_config(…, true) inside the statement: a transaction-local setting, in force when the
 * statement's implicit transaction commits, and gone after it.
 */
import type { AuditWrite } from './audit.js';
import type { Caller, CallerKey } from './callers.js';
import { LAST_USED_GRANULARITY_MS } from './last-used.js';
import type { Row, SqlDriver } from './sql.js';
import type { AuditAction, AuditOutcome } from './types.js';

/** The most operations one statement takes; more go in the next. */
export const BATCH = 64;

const RELAXED = "set_config('synchronous_commit', 'off', true) as relaxed";

/** $1–$8 and $9–$10 of both statements: each operation, who does it, and its caller's hashes. */
const OPERATIONS = `
  req as (
    select u.*, nextval(pg_get_serial_sequence('audit_log', 'id')) as audit_id
    from unnest($1::int[], $2::text[], $3::text[], $4::bytea[], $5::bigint[], $6::text[], $7::text[], $8::text[],
                $11::text[], $12::text[], $13::text[])
      as u(i, hash, key_id, sealed, at, actor_type, actor_id, conversation_id, action, outcome, detail)),
  cand as (select * from unnest($9::int[], $10::text[]) as c(i, hash))`;

/** The caller's row when it has no credential (found), and a row for a caller seen the first time. */
const CALLERS = `
  known as (
    select distinct on (c.i) c.i, k.ani_hash, k.key_id
    from cand c join req r on r.i = c.i join callers k on k.ani_hash = c.hash
    where not exists (select 1 from found f where f.i = c.i)
    order by c.i, (k.key_id = r.key_id) desc),
  added as (
    insert into callers (ani_hash, key_id, sealed, created_at)
    select distinct on (r.hash) r.hash, r.key_id, r.sealed, r.at from req r
    where r.hash is not null
      and not exists (select 1 from found f where f.i = r.i) and not exists (select 1 from known k where k.i = r.i)
    order by r.hash
    on conflict (ani_hash) do nothing
    returning 1)`;

/** Each operation's audit row, under its caller's hash: its credential's, else its row's, else new. */
const LOGGED = (outcome: string) => `
  logged as (
    insert into audit_log (id, at, actor_type, actor_id, conversation_id, ani_hash, ani_key_id, action, outcome, detail)
    select r.audit_id, r.at, r.actor_type, r.actor_id, r.conversation_id,
      coalesce(f.ani_hash, k.ani_hash, r.hash), coalesce(f.ani_key_id, k.key_id, r.key_id),
      r.action, ${outcome}, r.detail
    from req r left join found f on f.i = r.i left join known k on k.i = r.i
    returning 1)`;

/**
 * Credential reads and statuses (`action` credential.read / credential.status): the row (the sealed
 * credential only for a read), an audit row each (ok / not_found, with an id drawn up front, so a
 * read whose row then does not open can find its row), the caller's row when new, and for reads the
 * hourly last-use refresh.
 */
const LOOKUPS = `
with
  ${OPERATIONS},
  found as (
    select distinct on (c.i) c.i, cr.ani_hash, cr.ani_key_id, cr.key_id, cr.model_hash, cr.created_at,
      cr.updated_at, cr.last_used_at,
      case when r.action = 'credential.read' then cr.wrapped_key end as wrapped_key,
      case when r.action = 'credential.read' then cr.ciphertext end as ciphertext,
      r.action = 'credential.read' as is_read
    from cand c join req r on r.i = c.i join credentials cr on cr.ani_hash = c.hash
    order by c.i, (cr.ani_key_id = r.key_id) desc),
  ${CALLERS},
  touched as (
    update credentials cr set last_used_at = t.at, active_at = greatest(cr.active_at, t.at)
    from (select f.ani_hash, max(r.at) as at from found f join req r on r.i = f.i where f.is_read group by f.ani_hash) t
    where cr.ani_hash = t.ani_hash and (cr.last_used_at is null or cr.last_used_at < t.at - ${LAST_USED_GRANULARITY_MS})
    returning 1),
  ${LOGGED("case when f.i is null then 'not_found' else 'ok' end")}
select r.i, r.audit_id, f.ani_hash, f.ani_key_id, f.key_id, f.wrapped_key, f.ciphertext, f.model_hash,
  f.created_at, f.updated_at, f.last_used_at,
  (select count(*) from logged) + (select count(*) from added) + (select count(*) from touched) as writes, ${RELAXED}
from req r left join found f on f.i = r.i
order by r.i`;

/** Audit rows of refusals and events, each with its caller's row when new. */
const AUDITS = `
with
  ${OPERATIONS},
  found as (select null::int as i, null::text as ani_hash, null::text as ani_key_id where false),
  ${CALLERS},
  ${LOGGED('r.outcome')}
select (select count(*) from logged) + (select count(*) from added) as writes, ${RELAXED}`;

const READ_FAILED = `
with failed as (update audit_log set outcome = 'error', detail = $2::text where id = $1::bigint returning 1)
select (select count(*) from failed) as n, ${RELAXED}`;

/** The statements' text, for EXPLAIN and for docs/store.md. */
export const PG_STATEMENTS = { lookups: LOOKUPS, audits: AUDITS } as const;

export interface LookupRow {
  ani_hash: string | null;
  ani_key_id: string | null;
  key_id: string | null;
  wrapped_key: Buffer | null;
  ciphertext: Buffer | null;
  model_hash: string | null;
  created_at: number | string | null;
  updated_at: number | string | null;
  last_used_at: number | string | null;
  audit_id: number | string;
  [column: string]: unknown;
}

type Who = Pick<AuditWrite, 'at' | 'actor' | 'conversationId'>;

interface Operation {
  caller: Caller | null;
  who: Who;
  action: AuditAction;
  outcome: AuditOutcome | null;
  detail: string | null;
}

/**
 * Operations queued until the end of this turn's I/O phase (requests that arrive together reach
 * the store each from its own socket callback), then sent BATCH at a time, each batch as one
 * statement on its own connection.
 */
class Batcher<T> {
  readonly #queue: { op: Operation; resolve: (row: T) => void; reject: (err: unknown) => void }[] = [];
  #queued = false;

  constructor(
    private readonly limit: number,
    private readonly send: (ops: Operation[]) => Promise<T[]>,
  ) {}

  add(op: Operation): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ op, resolve, reject });
      if (!this.#queued) {
        this.#queued = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#queued = false;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.limit);
      this.send(batch.map((b) => b.op)).then(
        (rows) => batch.forEach((b, i) => b.resolve(rows[i]!)),
        (err: unknown) => {
          for (const b of batch) b.reject(err);
        },
      );
    }
  }
}

function paramsOf(ops: Operation[]): unknown[] {
  const cand: { i: number[]; hash: string[] } = { i: [], hash: [] };
  ops.forEach((op, i) => {
    for (const hash of op.caller?.hashes ?? []) {
      cand.i.push(i);
      cand.hash.push(hash);
    }
  });
  return [
    ops.map((_, i) => i),
    ops.map((op) => op.caller?.hash ?? null),
    ops.map((op) => op.caller?.keyId ?? null),
    ops.map((op) => op.caller?.sealed ?? null),
    ops.map((op) => op.who.at),
    ops.map((op) => op.who.actor.type),
    ops.map((op) => op.who.actor.id),
    ops.map((op) => op.who.conversationId),
    cand.i,
    cand.hash,
    ops.map((op) => op.action),
    ops.map((op) => op.outcome),
    ops.map((op) => op.detail),
  ];
}

export class PgStatements {
  readonly #lookups: Batcher<LookupRow>;
  readonly #audits: Batcher<undefined>;
  readonly #statement: NonNullable<SqlDriver['statement']>;

  /** `batch`: the most operations per statement (1 sends each alone, for comparison in bench/). */
  constructor(driver: SqlDriver, options: { batch?: number } = {}) {
    if (!driver.statement) throw new Error('the driver runs no single statements');
    const statement = driver.statement.bind(driver);
    this.#statement = statement;
    const limit = options.batch ?? BATCH;
    const run =
      <T extends Row>(sql: string, name: string) =>
      (ops: Operation[]) =>
        statement<T>(sql, paramsOf(ops), { durability: 'relaxed', name });
    this.#lookups = new Batcher(limit, run<LookupRow>(LOOKUPS, 'daspeak_lookups_v1'));
    this.#audits = new Batcher(limit, async (ops) => {
      await run(AUDITS, 'daspeak_audits_v1')(ops);
      return ops.map(() => undefined);
    });
  }

  /** The caller's credential row (all columns null when none is stored), read and audited. */
  read(caller: Caller, who: Who): Promise<LookupRow> {
    return this.#lookups.add({ caller, who, action: 'credential.read', outcome: null, detail: null });
  }

  /** The caller's credential row without the sealed credential, audited as credential.status. */
  status(caller: Caller, who: Who): Promise<LookupRow> {
    return this.#lookups.add({ caller, who, action: 'credential.status', outcome: null, detail: null });
  }

  /** One audit row (a refusal or an event), naming the caller if any. */
  audit(caller: Caller | null, entry: Omit<AuditWrite, 'caller'>): Promise<void> {
    return this.#audits.add({
      caller,
      who: entry,
      action: entry.action,
      outcome: entry.outcome,
      detail: entry.detail ?? null,
    });
  }

  /** A read found a row that did not open: its audit row, committed as ok, says so instead. */
  async readFailed(auditId: number | string, code: string): Promise<void> {
    await this.#statement(READ_FAILED, [auditId, code], { durability: 'relaxed' });
  }
}

export const keyOfRow = (row: { ani_hash: string | null; ani_key_id: string | null }): CallerKey | null =>
  row.ani_hash === null || row.ani_key_id === null ? null : { hash: row.ani_hash, keyId: row.ani_key_id };
