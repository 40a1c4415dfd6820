import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteDriver } from '../../src/store/sqlite.js';
import { useTmpDir } from '../helpers/tmp.js';

describe('SQLite group commit of relaxed transactions', () => {
  const tmp = useTmpDir();

  async function open() {
    const file = join(tmp(), 'group.db');
    const driver = SqliteDriver.open(file);
    await driver.transaction((tx) => tx.run('CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT)'));
    return { file, driver };
  }

  it('commits concurrent relaxed transactions together; a failing one is rolled back alone', async () => {
    const { file, driver } = await open();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, n) =>
        driver.transaction(
          async (tx) => {
            await tx.run('INSERT INTO t (n, v) VALUES (?, ?)', [n, `row ${n}`]);
            if (n === 7) throw new Error('member 7 fails after its insert');
            return n;
          },
          { durability: 'relaxed' },
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(19);
    expect(outcomes[7]).toMatchObject({ status: 'rejected' });
    // Seen from another connection, as another process would: everything but member 7 is committed.
    const other = new Database(file, { readonly: true });
    try {
      const rows = other.prepare('SELECT n FROM t ORDER BY n').all() as { n: number }[];
      expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, n) => n).filter((n) => n !== 7));
    } finally {
      other.close();
      await driver.close();
    }
  });

  it('answers a member only once its group is committed', async () => {
    const { file, driver } = await open();
    const other = new Database(file, { readonly: true });
    try {
      const seenAtAnswer = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          driver
            .transaction((tx) => tx.run('INSERT INTO t (n, v) VALUES (?, ?)', [n, 'x']), {
              durability: 'relaxed',
            })
            .then(() => (other.prepare('SELECT count(*) AS c FROM t WHERE n = ?').get(n) as { c: number }).c),
        ),
      );
      expect(seenAtAnswer).toEqual(Array.from({ length: 10 }, () => 1));
    } finally {
      other.close();
      await driver.close();
    }
  });

  it('groups members started by separate callbacks of one event-loop turn (as requests from several sockets are)', async () => {
    const { file, driver } = await open();
    const other = new Database(file, { readonly: true });
    try {
      // What another connection sees of the earlier members while each member runs: in one group,
      // none of them is committed yet.
      const committedBefore: number[] = [];
      // Immediates queued together run in one check phase, each callback followed by its
      // microtasks, like the socket callbacks of one poll phase. (Timers due "together" may straddle
      // a millisecond and fire in two phases on a loaded machine, so they would not test this.)
      const members = Array.from(
        { length: 8 },
        (_, n) =>
          new Promise((resolve, reject) => {
            setImmediate(() => {
              driver
                .transaction(
                  async (tx) => {
                    committedBefore.push(
                      (other.prepare('SELECT count(*) AS c FROM t').get() as { c: number }).c,
                    );
                    return tx.run('INSERT INTO t (n, v) VALUES (?, ?)', [n, 'x']);
                  },
                  { durability: 'relaxed' },
                )
                .then(resolve, reject);
            });
          }),
      );
      await Promise.all(members);
      expect(committedBefore).toEqual(Array.from({ length: 8 }, () => 0));
      expect((other.prepare('SELECT count(*) AS c FROM t').get() as { c: number }).c).toBe(8);
    } finally {
      other.close();
      await driver.close();
    }
  });

  it('a transaction started after a relaxed one still runs after its group', async () => {
    const { driver } = await open();
    const order: string[] = [];
    await Promise.all([
      driver.transaction(
        async (tx) => {
          order.push('relaxed');
          return tx.all('SELECT count(*) AS c FROM t');
        },
        { durability: 'relaxed' },
      ),
      driver.transaction(async (tx) => {
        order.push('full');
        return tx.run('INSERT INTO t (n, v) VALUES (1, ?)', ['x']);
      }),
    ]);
    expect(order).toEqual(['relaxed', 'full']);
    await driver.close();
  });

  it('commits every one of more members than one group takes', async () => {
    const { driver } = await open();
    await Promise.all(
      Array.from({ length: 150 }, (_, n) =>
        driver.transaction((tx) => tx.run('INSERT INTO t (n, v) VALUES (?, ?)', [n, 'r']), {
          durability: 'relaxed',
        }),
      ),
    );
    const total = await driver.transaction((tx) => tx.all<{ c: number }>('SELECT count(*) AS c FROM t'));
    expect(total[0]!.c).toBe(150);
    await driver.close();
  });

  it('a member after close is refused with store.closed', async () => {
    const { driver } = await open();
    await driver.close();
    await expect(
      driver.transaction((tx) => tx.run('INSERT INTO t (n, v) VALUES (1, ?)', ['x']), {
        durability: 'relaxed',
      }),
    ).rejects.toMatchObject({ code: 'store.closed' });
  });
});
