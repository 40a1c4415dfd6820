import { closeSync, mkdirSync, openSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { isKitError, type KitError } from '../errors.js';
import type { Logger } from '../log.js';
import { storeClosed, storeFailed, storeUnavailable } from './errors.js';
import { SerialQueue, type Row, type SqlDriver, type SqlTx, type SqlValue, type TxOptions } from './sql.js';

export interface SqliteOptions {
  /** How long to wait for another process's write lock before answering store.unavailable (default 5000). */
  busyTimeoutMs?: number;
}

/** SQLite result codes that mean "the database cannot serve now", not "this statement is wrong". */
const UNAVAILABLE =
  /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|PROTOCOL|NOTADB|CORRUPT|NOMEM|PERM|AUTH)/;

/**
 * better-sqlite3 blocks the thread while it waits for another connection's lock. Two connections to
 * one file in one process (two stores, a CLI command beside a server in tests) must therefore never
 * be inside transactions at the same time: the waiting one would block the holder until the busy
 * timeout. Connections to the same file share one queue; processes still exclude each other
 * through SQLite's own locks.
 */
const fileQueues = new Map<string, { queue: SerialQueue; users: number }>();

function acquireQueue(file: string): SerialQueue {
  if (file === ':memory:') return new SerialQueue();
  const entry = fileQueues.get(file) ?? { queue: new SerialQueue(), users: 0 };
  entry.users++;
  fileQueues.set(file, entry);
  return entry.queue;
}

function releaseQueue(file: string): void {
  const entry = fileQueues.get(file);
  if (entry && --entry.users === 0) fileQueues.delete(file);
}

export class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite' as const;
  readonly forUpdate = '';
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #queue: SerialQueue;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #tx: SqlTx;
  /** Whether relaxed transactions may commit with synchronous = NORMAL: only in WAL mode. */
  readonly #canRelax: boolean;
  /** The connection's current synchronous level, switched only between transactions. */
  #synchronous: 'FULL' | 'NORMAL' = 'FULL';
  #closed = false;

  private constructor(db: Database.Database, file: string, wal: boolean) {
    this.#db = db;
    this.#file = file;
    this.#canRelax = wal;
    this.#queue = acquireQueue(file);
    this.#tx = {
      all: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) =>
        this.#prepare(sql).all(...params) as T[],
      run: async (sql: string, params: readonly SqlValue[] = []) => this.#prepare(sql).run(...params).changes,
    };
  }

  /** Opens (and on first start creates, mode 0600) the database file, in WAL mode. */
  static open(file: string, options: SqliteOptions = {}, logger?: Logger): SqliteDriver {
    let db: Database.Database;
    let path = file;
    try {
      if (file !== ':memory:') {
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        // Created here rather than by SQLite so that it is private from its first byte.
        closeSync(openSync(file, 'a', 0o600));
        path = realpathSync(file);
      }
      db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
    } catch (err) {
      throw storeUnavailable(err, `the SQLite database ${file} cannot be opened or created`);
    }
    let mode: string;
    try {
      mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
      if (file !== ':memory:' && mode !== 'wal') {
        logger?.warn(
          { journalMode: mode },
          'SQLite could not switch to WAL mode; concurrent readers will wait, and reads commit with a full fsync',
        );
      }
      // An acknowledged write must survive a power cut, not only a process crash. Relaxed
      // transactions (credential reads) lower this for their own commit only; see transaction().
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
    } catch (err) {
      db.close();
      throw mapSqliteError(err);
    }
    return new SqliteDriver(db, path, mode === 'wal');
  }

  /**
   * In WAL mode, synchronous = NORMAL appends the commit to the WAL without an fsync: it survives a
   * crash of the process (the bytes are in the OS's cache), and an OS crash or power cut can only
   * lose the last such commits whole, never corrupt the file. A later FULL commit fsyncs the WAL,
   * making every earlier frame durable with it, so a relaxed commit is never lost while a later
   * full one survives. Outside WAL mode NORMAL is not that safe, so there every commit stays FULL.
   * SQLite refuses the change inside a transaction, hence between them, and only when it differs
   * (a run of reads, or of writes, switches nothing).
   */
  #setSynchronous(durability: TxOptions['durability']): void {
    const wanted = durability === 'relaxed' && this.#canRelax ? 'NORMAL' : 'FULL';
    if (wanted === this.#synchronous) return;
    this.#db.exec(`PRAGMA synchronous = ${wanted}`);
    this.#synchronous = wanted;
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  transaction<T>(fn: (tx: SqlTx) => Promise<T>, options: TxOptions = {}): Promise<T> {
    // better-sqlite3 has one connection; transactions of concurrent async callers must not interleave.
    return this.#queue.run(async () => {
      if (this.#closed) throw storeClosed();
      try {
        // A read-only transaction commits nothing, so whatever level is set serves it.
        if (!options.readOnly) this.#setSynchronous(options.durability);
        // IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading a read lock.
        this.#db.exec(options.readOnly ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE');
      } catch (err) {
        throw mapSqliteError(err);
      }
      try {
        const result = await fn(this.#tx);
        this.#db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.#db.inTransaction) {
          try {
            this.#db.exec('ROLLBACK');
          } catch {
            // SQLite has already rolled back after the error that brought us here.
          }
        }
        throw mapSqliteError(err);
      }
    });
  }

  async lockMigrations(): Promise<void> {
    // BEGIN IMMEDIATE already excludes every other writer of the file.
  }

  close(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#statements.clear();
      this.#db.close();
      releaseQueue(this.#file);
    });
  }
}

export function mapSqliteError(err: unknown): KitError {
  if (isKitError(err)) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE.test(code)) return storeUnavailable(err);
  return storeFailed(err);
}
