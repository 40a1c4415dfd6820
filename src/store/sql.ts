/**
 * The little a store needs from a SQL database, so that one implementation of the store's rules
 * (sql-store.ts) runs on SQLite and PostgreSQL alike. SQL text uses `?` placeholders; the
 * PostgreSQL driver numbers them.
 */
export type SqlValue = string | number | Buffer | null;
export type Row = Record<string, unknown>;

export interface SqlTx {
  /** Rows of a query (or of a statement with RETURNING). */
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface TxOptions {
  readOnly?: boolean;
  /**
   * 'full' (the default): the commit is on disk before transaction() resolves. 'relaxed': the
   * commit is atomic and survives a crash of this process, but a crash of the database server
   * (PostgreSQL) or of the operating system / a power cut (SQLite) may lose it — never partly, never
   * corrupting anything, never one commit while keeping a later 'full' one. Only for transactions
   * whose writes are worth less than their cost: a credential read's audit row and last-use time.
   */
  durability?: 'full' | 'relaxed';
}

export interface SqlDriver {
  readonly kind: 'sqlite' | 'postgres';
  /** Row-lock suffix for a SELECT that precedes a write of the same row ('' where writers are serialised anyway). */
  readonly forUpdate: string;
  /**
   * Runs fn in one transaction and commits; rolls back when it throws. Throws store.unavailable when
   * the database is unreachable, and never reports success for a commit that did not happen. fn may
   * run more than once (after a lost connection, before anything was committed), so it must do
   * nothing but database work.
   */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>, options?: TxOptions): Promise<T>;
  /**
   * PostgreSQL only: runs one statement as its own transaction, in one round trip (a parameterised
   * query in the extended protocol: Parse/Bind/Execute/Sync in one write; with `name`, a prepared
   * statement, so later runs on a connection skip the Parse). A 'relaxed' statement must relax its
   * own commit (`set_config('synchronous_commit', 'off', true)` in it): there is no BEGIN to carry
   * it. Retried like transaction() after a lost connection; since the commit is part of the statement,
   * a retried statement may have run twice, so only idempotent-enough statements (a read and its
   * audit row) may come here.
   */
  statement?<T extends Row = Row>(
    sql: string,
    params: readonly unknown[],
    options: { durability: 'full' | 'relaxed'; name?: string },
  ): Promise<T[]>;
  /** Makes schema migration exclusive among every process sharing the database, until the transaction ends. */
  lockMigrations(tx: SqlTx): Promise<void>;
  close(): Promise<void>;
}

/** A promise chain that runs async functions one at a time. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
