import { expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { KeyRing, MIGRATIONS, migrate, parseDatabaseUrl } from '../../src/store/index.js';
import { PostgresDriver } from '../../src/store/postgres.js';
import { SqlCredentialStore } from '../../src/store/sql-store.js';
import type { SqlDriver, TxOptions } from '../../src/store/sql.js';
import { SqliteDriver } from '../../src/store/sqlite.js';
import { AGENT, describeEachStore, IVR, KEY_1, type Harness } from './harness.js';

const ANI = '+34600000000';

function openDriver(h: Harness): SqlDriver {
  const target = parseDatabaseUrl(h.databaseUrl());
  // One PostgreSQL connection, so that consecutive transactions share it.
  return target.kind === 'sqlite'
    ? SqliteDriver.open(target.file)
    : new PostgresDriver(target.url, { max: 1 });
}

describeEachStore('commit durability', (h) => {
  it('commits a relaxed transaction without waiting for the disk, and every other one fully', async () => {
    const driver = openDriver(h);
    try {
      // What the database itself says inside the transaction: SQLite's synchronous level (2 FULL,
      // 1 NORMAL; read through the table-valued form, evaluated when run), PostgreSQL's synchronous_commit.
      const probe =
        h.kind === 'sqlite'
          ? 'select synchronous as level from pragma_synchronous()'
          : "select current_setting('synchronous_commit') as level";
      const [full, relaxed] = h.kind === 'sqlite' ? ['2', '1'] : ['on', 'off'];
      const level = (options?: TxOptions) =>
        driver.transaction(async (tx) => String((await tx.all(probe))[0]!.level), options);

      expect(await level()).toBe(full);
      expect(await level({ durability: 'relaxed' })).toBe(relaxed);
      // Relaxing one commit leaves the connection as it was for the next transaction.
      expect(await level()).toBe(full);
      expect(await level({ durability: 'relaxed' })).toBe(relaxed);
      expect(await level({ durability: 'relaxed' })).toBe(relaxed);
      expect(await level({ durability: 'full' })).toBe(full);
      // A relaxed transaction that fails rolls back like any other, and changes nothing after it.
      await expect(
        driver.transaction(
          async (tx) => {
            await tx.all(probe);
            throw new Error('boom');
          },
          { durability: 'relaxed' },
        ),
      ).rejects.toThrow();
      expect(await level()).toBe(full);
    } finally {
      await driver.close();
    }
  });

  it('relaxes only the commits of a credential read, a status, a denial and an event; stores, deletes and consent stay fully durable', async () => {
    const real = openDriver(h);
    const seen: string[] = [];
    // The real driver, noting the durability each transaction asks for.
    const noting: SqlDriver = {
      kind: real.kind,
      forUpdate: real.forUpdate,
      transaction: (fn, options) => {
        if (!options?.readOnly) seen.push(options?.durability ?? 'full');
        return real.transaction(fn, options);
      },
      lockMigrations: (tx) => real.lockMigrations(tx),
      close: () => real.close(),
    };
    try {
      const keys = KeyRing.fromConfig([KEY_1]);
      await migrate(noting, () => h.clock.now.getTime(), MIGRATIONS, keys);
      const store = new SqlCredentialStore(noting, {
        keys,
        clock: h.clock.read,
        logger: silentLogger,
        retention: { credentialDays: 30, auditDays: 90 },
      });
      const durabilityOf = async (operation: () => Promise<unknown>) => {
        seen.length = 0;
        await operation();
        return [...new Set(seen)];
      };
      expect(await durabilityOf(() => store.recordConsent(IVR, ANI, { wordingVersion: 'v1' }))).toEqual([
        'full',
      ]);
      expect(
        await durabilityOf(() => store.putCredential(AGENT, ANI, { credential: 'c', modelHash: 'm' })),
      ).toEqual(['full']);
      expect(await durabilityOf(() => store.getCredential(AGENT, ANI))).toEqual(['relaxed']);
      expect(await durabilityOf(() => store.getCredential(AGENT, '+34600000001'))).toEqual(['relaxed']);
      expect(
        await durabilityOf(() =>
          store.recordDenied(AGENT, { ani: ANI, action: 'consent.read', reason: 'ani.mismatch' }),
        ),
      ).toEqual(['relaxed']);
      expect(await durabilityOf(() => store.credentialStatus(AGENT, ANI))).toEqual(['relaxed']);
      expect(await durabilityOf(() => store.credentialStatus(AGENT, '+34600000001'))).toEqual(['relaxed']);
      expect(
        await durabilityOf(() =>
          store.recordEvent(AGENT, { ani: ANI, action: 'relay.session', outcome: 'ok', detail: 'verify' }),
        ),
      ).toEqual(['relaxed']);
      expect(
        await durabilityOf(() =>
          store.recordConsent(IVR, ANI, { wordingVersion: 'v2', decision: 'refused' }),
        ),
      ).toEqual(['full']);
      expect(await durabilityOf(() => store.deleteCredential(AGENT, ANI))).toEqual(['full']);
      expect(await durabilityOf(() => store.withdrawConsent(AGENT, ANI))).toEqual(['full']);
      // The reads were audited all the same.
      expect((await store.queryAudit({ action: 'credential.read' })).map((e) => e.outcome)).toEqual([
        'not_found',
        'ok',
      ]);
      expect(await durabilityOf(() => store.rotate())).toEqual(['full']);
      h.clock.advanceDays(1000);
      expect(await durabilityOf(() => store.purge())).toEqual(['full']);
    } finally {
      await real.close();
    }
  });
});
