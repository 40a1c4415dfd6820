import pg from 'pg';
import { isKitError, type KitError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { storeClosed, storeFailed, storeUnavailable } from './errors.js';
import type { Row, SqlDriver, SqlTx, SqlValue, TxOptions } from './sql.js';

export interface PostgresOptions {
  /** Connections per process (default 10). */
  max?: number;
  /** How long to wait for a connection before answering store.unavailable (default 5000). */
  connectTimeoutMs?: number;
  /** Longest a statement may take before it is abandoned as store.unavailable (default 15000). */
  queryTimeoutMs?: number;
}

/** Attempts of one transaction when its connection broke before COMMIT was sent. */
const MAX_ATTEMPTS = 3;

type Failure = 'unavailable' | 'retry' | 'failed';

/**
 * SQLSTATE classes and codes, and Node/pg connection errors, that mean the database cannot be
 * reached or went away — as opposed to a statement the database rejected.
 */
function classify(err: unknown): Failure {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code === '40001' || code === '40P01') return 'retry';
    if (/^(08|57P0|53|28|3D000|25P03|57014)/.test(code)) return 'unavailable';
    if (/^E[A-Z]+$/.test(code) && code !== 'ERR') return 'unavailable';
  }
  const message = err instanceof Error ? err.message : '';
  if (
    /connection terminated|connection ended|terminating connection|timeout exceeded when trying to connect|query read timeout|not queryable|connection error|the database system is/i.test(
      message,
    )
  ) {
    return 'unavailable';
  }
  return 'failed';
}

/**
 * Whether a failure means the connection itself is gone — the server shut down or restarted
 * (57P01 admin_shutdown, 57P02 crash_shutdown), a connection exception (class 08), the socket was
 * reset or closed — rather than a statement failing on a live connection. The pool's other
 * connections to that server most likely died at the same moment.
 */
export function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^08/.test(code) || code === '57P01' || code === '57P02') return true;
    if (/^E[A-Z]+$/.test(code) && code !== 'ERR') return true;
  }
  const message = err instanceof Error ? err.message : '';
  return /connection terminated|connection ended|terminating connection|not queryable/i.test(message);
}

function toStoreError(err: unknown, kind: Failure): KitError {
  if (isKitError(err)) return err;
  return kind === 'failed' ? storeFailed(err) : storeUnavailable(err);
}

/** `?` placeholders become `$1, $2, …` (the store's SQL holds no `?` inside literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres' as const;
  readonly forUpdate = ' FOR UPDATE';
  readonly #config: pg.PoolConfig;
  readonly #logger: Logger;
  readonly #sql = new Map<string, string>();
  /** The pool new transactions draw from; replaced when its connections are found dead. */
  #pool: pg.Pool;
  /** Replaced pools still finishing the work they had, each with its (idempotent) end. */
  readonly #retired = new Map<pg.Pool, () => Promise<void>>();
  #closed = false;

  constructor(connectionString: string, options: PostgresOptions = {}, logger: Logger = silentLogger) {
    this.#logger = logger;
    this.#config = {
      connectionString,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      query_timeout: options.queryTimeoutMs ?? 15000,
      statement_timeout: options.queryTimeoutMs ?? 15000,
      // A process that stalls inside a transaction must not hold row locks for ever.
      idle_in_transaction_session_timeout: 60000,
      keepAlive: true,
      application_name: 'daspeak-genesys',
    };
    this.#pool = this.#newPool();
  }

  #newPool(): pg.Pool {
    const pool = new pg.Pool(this.#config);
    // A connection's error event with no listener would crash the process. The pool listens only
    // while a connection is idle; this covers the rest of its life (checked out, between two
    // queries, or in the same network read that completes its connect). The failing or next query
    // reports the error to its caller.
    pool.on('connect', (client) => {
      client.on('error', (err) =>
        this.#logger.debug({ reason: err.message }, 'a database connection failed while in use'),
      );
    });
    pool.on('error', (err) => {
      this.#logger.warn(
        { code: (err as { code?: unknown }).code, reason: err.message },
        'an idle database connection was lost; a new one is opened when needed',
      );
    });
    return pool;
  }

  /**
   * After a server restart every pooled connection is dead, but a connection only finds out when
   * it is next used (or when its socket's close is read, which may come after the next checkout).
   * Left in the pool, each would cost a request its attempts, one request after another. So the
   * first connection loss replaces the whole pool: new transactions, and the retry of the one that
   * failed, open fresh connections, and the old pool closes its idle connections and each busy one
   * when it is released. Callers already queued on the old pool for a connection are served first:
   * pg-pool's end() would leave them waiting until their connect timeout.
   */
  #replacePool(failed: pg.Pool, err: unknown): void {
    if (failed !== this.#pool || this.#closed) return; // another transaction has done it already
    this.#logger.warn(
      { code: (err as { code?: unknown }).code, reason: err instanceof Error ? err.message : undefined },
      'a database connection was lost; closing the pooled connections and opening new ones',
    );
    this.#pool = this.#newPool();
    let ending: Promise<void> | undefined;
    const end = (): Promise<void> => {
      if (ending === undefined) {
        failed.off('acquire', endWhenUnqueued);
        ending = failed
          .end()
          .catch(() => undefined)
          .finally(() => this.#retired.delete(failed));
      }
      return ending;
    };
    const endWhenUnqueued = () => {
      if (failed.waitingCount === 0) void end();
    };
    this.#retired.set(failed, end);
    failed.on('acquire', endWhenUnqueued);
    endWhenUnqueued();
  }

  #text(sql: string): string {
    let text = this.#sql.get(sql);
    if (text === undefined) {
      text = numbered(sql);
      this.#sql.set(sql, text);
    }
    return text;
  }

  #txFor(client: pg.PoolClient): SqlTx {
    return {
      all: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) =>
        (await client.query(this.#text(sql), params as SqlValue[])).rows as T[],
      run: async (sql: string, params: readonly SqlValue[] = []) =>
        (await client.query(this.#text(sql), params as SqlValue[])).rowCount ?? 0,
    };
  }

  async transaction<T>(fn: (tx: SqlTx) => Promise<T>, options: TxOptions = {}): Promise<T> {
    // One message in the simple query protocol: relaxing the commit costs no extra round trip. A
    // relaxed commit returns before its WAL record is flushed; a crash of the server may lose it
    // (whole), and any later commit that waits for the flush makes it durable too.
    const begin = options.readOnly
      ? 'BEGIN READ ONLY'
      : options.durability === 'relaxed'
        ? 'BEGIN; SET LOCAL synchronous_commit = off'
        : 'BEGIN';
    let committing = false;
    return this.#onConnection(
      'transaction',
      async (client) => {
        committing = false;
        await client.query(begin);
        const result = await fn(this.#txFor(client));
        committing = true;
        await client.query('COMMIT');
        return result;
      },
      async (client, err) => {
        const kind = isKitError(err) ? 'failed' : classify(err);
        let broken = kind === 'unavailable';
        if (!broken) {
          try {
            await client.query('ROLLBACK');
          } catch {
            broken = true;
          }
        }
        // Before COMMIT was sent nothing can have been committed, so running fn again is safe. A
        // failure during COMMIT leaves the outcome unknown: it is reported, never retried or acknowledged.
        return { kind, broken, retry: !committing && kind !== 'failed' };
      },
    );
  }

  async statement<T extends Row = Row>(
    sql: string,
    params: readonly unknown[],
    options: { durability: 'full' | 'relaxed'; name?: string },
  ): Promise<T[]> {
    if (options.durability === 'relaxed' && !this.#relaxes(sql)) {
      throw new Error('a relaxed statement must set synchronous_commit off for its own transaction');
    }
    const query: pg.QueryConfig = { text: this.#text(sql), values: params as unknown[] };
    if (options.name !== undefined) query.name = options.name;
    return this.#onConnection(
      'statement',
      async (client) => (await client.query(query)).rows as T[],
      async (_client, err) => {
        const kind = classify(err);
        return { kind, broken: kind === 'unavailable', retry: kind !== 'failed' };
      },
    );
  }

  /**
   * Runs `work` on a pooled connection; when `settle` (given the connection and the failure) says
   * it may, runs it again on a new connection, up to MAX_ATTEMPTS in all. A failure that says the
   * connection is gone replaces the pool first (#replacePool).
   */
  async #onConnection<T>(
    what: 'transaction' | 'statement',
    work: (client: pg.PoolClient) => Promise<T>,
    settle: (
      client: pg.PoolClient,
      err: unknown,
    ) => Promise<{ kind: Failure; broken: boolean; retry: boolean }>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw storeClosed();
      const pool = this.#pool;
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw toStoreError(err, classify(err));
      }
      let broken = false;
      try {
        return await work(client);
      } catch (err) {
        const settled = await settle(client, err);
        broken = settled.broken;
        if (!isKitError(err) && isConnectionLoss(err)) this.#replacePool(pool, err);
        if (!settled.retry || attempt >= MAX_ATTEMPTS) throw toStoreError(err, settled.kind);
        this.#logger.info(
          { attempt, kind: settled.kind },
          `database ${what} interrupted; retrying on a new connection`,
        );
      } finally {
        client.release(broken);
      }
    }
  }

  readonly #relaxing = new Map<string, boolean>();

  #relaxes(sql: string): boolean {
    let ok = this.#relaxing.get(sql);
    if (ok === undefined) {
      ok = /set_config\('synchronous_commit', 'off', true\)/.test(sql);
      this.#relaxing.set(sql, ok);
    }
    return ok;
  }

  async lockMigrations(tx: SqlTx): Promise<void> {
    // Held until the transaction ends: a second instance starting at the same time waits here, then
    // finds the migrations applied. Keyed by schema so separate deployments in one database do not wait on each other.
    await tx.all("select pg_advisory_xact_lock(hashtext('daspeak-genesys:migrations:' || current_schema()))");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#pool.end(), ...[...this.#retired.values()].map((end) => end())]);
  }
}
