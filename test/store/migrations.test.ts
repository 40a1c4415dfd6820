/**
 * Each migration is tried on a database filled by the schema version before it, on both engines:
 * the rows written by the older kit (here with the SQL that kit ran) must all be there afterwards,
 * readable through the store, and the new behaviour must work on them.
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { KitError } from '../../src/errors.js';
import { KeyRing, MIGRATIONS, migrate, parseDatabaseUrl } from '../../src/store/index.js';
import { PostgresDriver } from '../../src/store/postgres.js';
import type { SqlDriver } from '../../src/store/sql.js';
import { SqliteDriver } from '../../src/store/sqlite.js';
import { AGENT, callerHash, describeEachStore, IVR, KEY_1, KEY_2, type Harness } from './harness.js';

const DAY = 86_400_000;
const T0 = new Date('2024-06-01T00:00:00Z').getTime();
/** What version 1 keyed rows by: the unsalted SHA-256 hex of the E.164 number. */
const legacyHash = (e164: string) => createHash('sha256').update(e164, 'utf8').digest('hex');

function openDriver(h: Harness): SqlDriver {
  const target = parseDatabaseUrl(h.databaseUrl());
  return target.kind === 'sqlite'
    ? SqliteDriver.open(target.file)
    : new PostgresDriver(target.url, { max: 1 });
}

/** Brings an empty database to `version` exactly, as the kit of that version did at start. */
async function schemaAt(h: Harness, version: number): Promise<void> {
  const driver = openDriver(h);
  try {
    await migrate(
      driver,
      () => T0,
      MIGRATIONS.filter((m) => m.version <= version),
    );
  } finally {
    await driver.close();
  }
}

const V1_CALLERS = {
  registered: '+34600000001', // credential and granted consent
  withdrawn: '+34600000002', // consent withdrawn (credential deleted with it)
  readOnly: '+34600000003', // only audit rows: a read that found nothing, a denial
};
/** Written by version 2: a refusal. */
const V2_REFUSED = '+34600000004';

/** Version 1's rows plus what version 2 added: a refused consent. */
async function fillV2(h: Harness): Promise<{ credential: string }> {
  const filled = await fillV1(h);
  await h.sql(
    `insert into consents (ani_hash, status, refused_at, refused_by_type, refused_by_id, refused_conversation_id, refused_wording_version, updated_at)
     values (?, 'refused', ?, 'ivr', 'ivr', 'conv-v2-1', 'v2', ?)`,
    [legacyHash(V2_REFUSED), T0 + 3 * DAY, T0 + 3 * DAY],
  );
  await h.sql(
    "insert into audit_log (at, actor_type, actor_id, conversation_id, ani_hash, action, outcome, detail) values (?, 'ivr', 'ivr', 'conv-v2-1', ?, 'consent.record', 'ok', 'refused:wording:v2')",
    [T0 + 3 * DAY, legacyHash(V2_REFUSED)],
  );
  return filled;
}

async function failure(promise: Promise<unknown>): Promise<KitError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof KitError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

const n = (rows: Record<string, unknown>[]) => Number(rows[0]!.n);

/** Rows as version 1 of the kit wrote them: keyed by the legacy hash, the credential sealed under k1. */
async function fillV1(h: Harness): Promise<{ credential: string }> {
  const keys = KeyRing.fromConfig([KEY_1]);
  const credential = 'djEtY3JlZGVudGlhbA==';
  const r = legacyHash(V1_CALLERS.registered);
  const sealed = keys.seal(Buffer.from(credential), { purpose: 'credential', subject: r });
  await h.sql(
    `insert into credentials (ani_hash, key_id, wrapped_key, ciphertext, model_hash, created_at, updated_at, last_used_at, active_at)
     values (?, ?, ?, ?, 'model-1', ?, ?, ?, ?)`,
    [r, sealed.keyId, sealed.wrappedKey, sealed.ciphertext, T0, T0, T0 + DAY, T0 + DAY],
  );
  await h.sql(
    `insert into consents (ani_hash, status, wording_version, granted_at, granted_by_type, granted_by_id, granted_conversation_id, updated_at)
     values (?, 'granted', '2024-06', ?, 'ivr', 'ivr', 'conv-v1-1', ?)`,
    [r, T0, T0],
  );
  await h.sql(
    `insert into consents (ani_hash, status, wording_version, granted_at, granted_by_type, granted_by_id, granted_conversation_id,
       withdrawn_at, withdrawn_by_type, withdrawn_by_id, withdrawn_conversation_id, updated_at)
     values (?, 'withdrawn', '2024-06', ?, 'ivr', 'ivr', null, ?, 'agent', 'agent-9', 'conv-v1-2', ?)`,
    [legacyHash(V1_CALLERS.withdrawn), T0, T0 + 2 * DAY, T0 + 2 * DAY],
  );
  const audit = [
    [T0, 'ivr', 'ivr', 'conv-v1-1', r, 'consent.record', 'ok', 'wording:2024-06'],
    [T0, 'ivr', 'ivr', 'conv-v1-1', r, 'credential.store', 'ok', 'created'],
    [T0 + DAY, 'agent', 'agent-1', 'conv-v1-3', r, 'credential.read', 'ok', null],
    [
      T0 + DAY,
      'agent',
      'agent-1',
      'conv-v1-4',
      legacyHash(V1_CALLERS.readOnly),
      'credential.read',
      'not_found',
      null,
    ],
    [
      T0 + DAY,
      'agent',
      'agent-2',
      'conv-v1-5',
      legacyHash(V1_CALLERS.readOnly),
      'credential.read',
      'denied',
      'not_on_conversation',
    ],
    [T0 + DAY, 'agent', 'unauthenticated', null, null, 'token.issue', 'denied', 'auth.missing_token'],
  ];
  for (const row of audit) {
    await h.sql(
      'insert into audit_log (at, actor_type, actor_id, conversation_id, ani_hash, action, outcome, detail) values (?, ?, ?, ?, ?, ?, ?, ?)',
      row,
    );
  }
  return { credential };
}

describeEachStore('schema migrations', (h) => {
  it('version 2 (consent refusals) keeps every consent of a version 1 database and accepts refusals', async () => {
    await schemaAt(h, 1);
    const { credential } = await fillV1(h);
    const store = await h.open();
    const versions = await h.sql('select version from schema_migrations order by version');
    expect(versions.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));

    expect(await store.getConsent(V1_CALLERS.registered)).toEqual({
      ani: V1_CALLERS.registered,
      status: 'granted',
      granted: {
        at: new Date(T0),
        actor: { type: 'ivr', id: 'ivr' },
        conversationId: 'conv-v1-1',
        wordingVersion: '2024-06',
      },
      refused: null,
      withdrawn: null,
    });
    expect(await store.getConsent(V1_CALLERS.withdrawn)).toMatchObject({
      status: 'withdrawn',
      granted: { wordingVersion: '2024-06', conversationId: null },
      withdrawn: {
        at: new Date(T0 + 2 * DAY),
        actor: { type: 'agent', id: 'agent-9' },
        conversationId: 'conv-v1-2',
      },
    });
    expect((await store.getCredential(AGENT, V1_CALLERS.registered))!.credential).toBe(credential);

    // The new check constraint takes refusals, on a migrated row and on a new one, and still
    // refuses a status no version knows.
    await store.recordConsent(IVR, V1_CALLERS.withdrawn, { wordingVersion: 'v2', decision: 'refused' });
    await store.recordConsent(IVR, '+34600000077', { wordingVersion: 'v2', decision: 'refused' });
    expect((await store.getConsent(V1_CALLERS.withdrawn))!.status).toBe('refused');
    await expect(h.sql("update consents set status = 'maybe'")).rejects.toThrow(/check/i);
  });

  for (const from of [1, 2] as const) {
    it(`version 3 keys every caller hash of a version ${from} database at once, keeps every row, and leaves no legacy hash`, async () => {
      await schemaAt(h, from);
      const { credential } = await (from === 1 ? fillV1(h) : fillV2(h));
      const callers = from === 1 ? Object.values(V1_CALLERS) : [...Object.values(V1_CALLERS), V2_REFUSED];
      const auditIds = (await h.sql('select id from audit_log order by id')).map((r) => Number(r.id));
      const store = await h.open();

      // Every row is there, under the keyed hash, with its key id; the callers are known.
      expect((await store.getCredential(AGENT, V1_CALLERS.registered))!.credential).toBe(credential);
      expect((await store.getConsent(V1_CALLERS.registered))!.status).toBe('granted');
      expect((await store.getConsent(V1_CALLERS.withdrawn))!.status).toBe('withdrawn');
      if (from === 2) {
        expect(await store.getConsent(V2_REFUSED)).toMatchObject({
          status: 'refused',
          refused: { wordingVersion: 'v2', conversationId: 'conv-v2-1' },
        });
      }
      expect(
        (await store.queryAudit({ ani: V1_CALLERS.readOnly })).map((e) => [e.outcome, e.detail]),
      ).toEqual([
        ['denied', 'not_on_conversation'],
        ['not_found', null],
      ]);
      expect((await store.queryAudit({ ani: V1_CALLERS.registered })).map((e) => e.action)).toEqual([
        'credential.read', // just now
        'credential.read',
        'credential.store',
        'consent.record',
      ]);
      expect((await store.queryAudit({ action: 'token.issue' }))[0]!.aniHash).toBeNull();
      const keyed = (await h.sql('select ani_hash from callers order by ani_hash')).map((r) => r.ani_hash);
      expect(keyed).toEqual(callers.map((c) => callerHash(c)).sort());
      for (const table of ['credentials', 'consents', 'audit_log']) {
        expect(
          n(
            await h.sql(
              `select count(*) as n from ${table} where ani_hash is not null and ani_key_id <> 'k1'`,
            ),
          ),
        ).toBe(0);
      }
      // Audit ids are kept, and new rows come after them.
      const ids = (await h.sql('select id from audit_log order by id')).map((r) => Number(r.id));
      expect(ids.slice(0, auditIds.length)).toEqual(auditIds);
      expect(ids[auditIds.length]!).toBeGreaterThan(Math.max(...auditIds));

      // No legacy hash is left anywhere in the database, nor any number.
      const dump = await h.dump();
      for (const c of callers) {
        expect(dump.includes(Buffer.from(legacyHash(c))), `legacy hash of ${c}`).toBe(false);
        expect(dump.includes(Buffer.from(c.slice(1))), c).toBe(false);
      }
      expect(dump.includes(Buffer.from(callerHash(V1_CALLERS.readOnly)))).toBe(true);

      // A kit of the previous version, still running against this database, fails instead of
      // writing rows keyed the old way.
      await expect(
        h.sql(
          "insert into credentials (ani_hash, key_id, wrapped_key, ciphertext, model_hash, created_at, updated_at, active_at) values (?, 'k1', ?, ?, 'm', 0, 0, 0)",
          [legacyHash('+34600000099'), Buffer.from([1]), Buffer.from([1])],
        ),
      ).rejects.toThrow(/null/i);
      await expect(
        h.sql(
          "insert into audit_log (at, actor_type, actor_id, ani_hash, action, outcome) values (0, 'ivr', 'ivr', ?, 'credential.read', 'not_found')",
          [legacyHash('+34600000099')],
        ),
      ).rejects.toThrow(/check|constraint/i);

      // A migrated caller's reference is its legacy digest until the number is seen in a write.
      const keys = KeyRing.fromConfig([KEY_1]);
      const reference = async (ani: string) => {
        const [row] = await h.sql('select sealed, key_id from callers where ani_hash = ?', [callerHash(ani)]);
        return keys
          .openCaller(Buffer.from(row!.sealed as Buffer), String(row!.key_id), callerHash(ani))
          .toString();
      };
      expect(await reference(V1_CALLERS.readOnly)).toBe(`sha256:${legacyHash(V1_CALLERS.readOnly)}`);
      await store.recordConsent(IVR, V1_CALLERS.registered, { wordingVersion: 'v3' });
      expect(await reference(V1_CALLERS.registered)).toBe(`e164:${V1_CALLERS.registered}`);

      // Either form rotates to a new key, after which the old key can go and everything is found.
      await store.close();
      const both = await h.open({ encryptionKeys: [KEY_2, KEY_1] });
      expect(await both.rotate()).toMatchObject({ remaining: 0, callers: { rekeyed: callers.length } });
      await both.close();
      const onlyNew = await h.open({ encryptionKeys: [KEY_2] });
      expect((await onlyNew.getCredential(AGENT, V1_CALLERS.registered))!.credential).toBe(credential);
      expect(await onlyNew.queryAudit({ ani: V1_CALLERS.readOnly })).toHaveLength(2);
      expect((await onlyNew.getConsent(V1_CALLERS.withdrawn))!.status).toBe('withdrawn');
    });
  }

  it('version 3 refuses a database holding a key that is not a SHA-256 digest, and changes nothing', async () => {
    await schemaAt(h, 1);
    await fillV1(h);
    await h.sql(
      "insert into audit_log (at, actor_type, actor_id, ani_hash, action, outcome) values (0, 'admin', 'someone', 'not-a-digest', 'credential.read', 'ok')",
    );
    const err = await failure(h.open());
    expect(err.code).toBe('store.migration_failed');
    expect(err.hint).toContain('nothing was changed');
    // One transaction: version 2 was rolled back with it, and every legacy row is as it was.
    expect((await h.sql('select version from schema_migrations')).map((r) => Number(r.version))).toEqual([1]);
    expect(
      n(
        await h.sql('select count(*) as n from credentials where ani_hash = ?', [
          legacyHash(V1_CALLERS.registered),
        ]),
      ),
    ).toBe(1);
    expect(n(await h.sql('select count(*) as n from audit_log'))).toBe(7);
  });
});
