import { chmodSync, closeSync, mkdirSync, openSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { isKitError, KitError } from '../errors.js';
import type { Logger } from '../log.js';
import { StoreErrorCode, storeClosed, storeFailed, storeUnavailable } from './errors.js';
import { SerialQueue, type Row, type SqlDriver, type SqlTx, type SqlValue, type TxOptions } from './sql.js';

export interface SqliteOptions {
  /** How long to wait for another process's write lock before answering store.unavailable (default 5000). */
  busyTimeoutMs?: number;
}

/** The most relaxed transactions one group commit takes; the rest go in the next group. */
const MAX_GROUP = 64;

/** Resolves in the check phase of the event loop: after every callback of the current poll phase. */
const endOfIoPhase = () => new Promise<void>((resolve) => setImmediate(resolve));

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
  /** Relaxed transactions waiting for the next group commit, and whether one is queued. */
  readonly #group: {
    fn: (tx: SqlTx) => Promise<unknown>;
    resolve: (value: unknown) => void;
    reject: (err: unknown) => void;
  }[] = [];
  #groupQueued = false;

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
    } catch (err) {
      throw storeUnavailable(err, `the SQLite database ${file} cannot be opened or created`);
    }
    if (path !== ':memory:') {
      // SQLite gives its -wal and -shm files the mode of the database file.
      for (const f of [path, `${path}-wal`, `${path}-shm`]) tightenMode(f, logger);
    }
    try {
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
      // Deleted content (a withdrawn credential, a replaced legacy hash) is overwritten with zeros
      // rather than left in free pages of the file.
      db.pragma('secure_delete = ON');
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
    if (options.durability === 'relaxed' && !options.readOnly && this.#canRelax) {
      return new Promise<T>((resolve, reject) => {
        this.#group.push({ fn, resolve: resolve as (value: unknown) => void, reject });
        if (!this.#groupQueued) {
          this.#groupQueued = true;
          // Takes its place in the queue now (so transactions queued after it still run after it),
          // but closes the group only at the end of this turn's I/O phase: requests that arrive
          // together reach the store each from its own socket callback, with the microtask queue
          // drained in between, so a group closed right away would hold one of them.
          void this.#queue.run(async () => {
            await endOfIoPhase();
            return this.#commitGroup();
          });
        }
      });
    }
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

  /**
   * Group commit of relaxed transactions (credential reads, denials): every one waiting when the
   * queue reaches the group runs in one SQLite transaction, each inside its own savepoint so a
   * failing one is rolled back alone, and the group commits once. Nobody is answered before that
   * commit, so "the audit row is committed before the credential is handed out" still holds; what
   * is saved is a BEGIN/COMMIT (a WAL append) per read under load.
   */
  async #commitGroup(): Promise<void> {
    this.#groupQueued = false;
    const group = this.#group.splice(0, MAX_GROUP);
    if (this.#group.length > 0) {
      this.#groupQueued = true;
      void this.#queue.run(() => this.#commitGroup());
    }
    const failAll = (err: unknown) => {
      const mapped = mapSqliteError(err);
      for (const member of group) member.reject(mapped);
    };
    if (this.#closed) return failAll(storeClosed());
    try {
      this.#setSynchronous('relaxed');
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      return failAll(err);
    }
    const results: ({ ok: true; value: unknown } | { ok: false; error: KitError })[] = [];
    for (const member of group) {
      try {
        this.#db.exec('SAVEPOINT grouped');
        const value = await member.fn(this.#tx);
        this.#db.exec('RELEASE grouped');
        results.push({ ok: true, value });
      } catch (err) {
        // An error SQLite answers by rolling back the whole transaction takes every member with it.
        if (!this.#db.inTransaction) return failAll(err);
        try {
          this.#db.exec('ROLLBACK TO grouped');
          this.#db.exec('RELEASE grouped');
        } catch (rollbackError) {
          this.#rollbackQuietly();
          return failAll(rollbackError);
        }
        results.push({ ok: false, error: mapSqliteError(err) });
      }
    }
    try {
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#rollbackQuietly();
      return failAll(err);
    }
    group.forEach((member, i) => {
      const r = results[i]!;
      if (r.ok) member.resolve(r.value);
      else member.reject(r.error);
    });
  }

  #rollbackQuietly(): void {
    if (!this.#db.inTransaction) return;
    try {
      this.#db.exec('ROLLBACK');
    } catch {
      // Already rolled back by SQLite.
    }
  }

  /**
   * Copies the WAL into the database file and empties it, so that page images written before (such
   * as those holding values a migration replaced) are gone from the WAL too.
   */
  truncateWal(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#closed || !this.#canRelax) return;
      try {
        this.#db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (err) {
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

/**
 * An existing database file that others may read (a copy, a restore, a file made by hand) is
 * tightened to 0600 when this process owns it, and refused otherwise: it holds sealed credentials and
 * the callers' hashes, and no other account has any business reading them.
 */
function tightenMode(file: string, logger: Logger | undefined): void {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return; // a -wal or -shm file that does not exist
  }
  const loose = stat.mode & 0o077;
  if (loose === 0) return;
  const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  const hint = `make it private to the account the backend runs as: chown <that account> ${file} && chmod 600 ${file}`;
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new KitError(
      StoreErrorCode.insecureFile,
      `the SQLite file ${file} has mode ${mode} (others may read it) and belongs to another account (uid ${stat.uid})`,
      { hint },
    );
  }
  try {
    chmodSync(file, 0o600);
  } catch (err) {
    throw new KitError(
      StoreErrorCode.insecureFile,
      `the SQLite file ${file} has mode ${mode} (others may read it), and it could not be changed`,
      { hint, cause: err },
    );
  }
  logger?.warn({ file, was: mode }, 'the SQLite file was readable by others: its mode is now 0600');
}

export function mapSqliteError(err: unknown): KitError {
  if (isKitError(err)) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE.test(code)) return storeUnavailable(err);
  return storeFailed(err);
}
