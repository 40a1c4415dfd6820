/**
 * Each migration is tried on a database filled by the schema version before it, on both engines:
 * the rows written by the older kit (here with the SQL that kit ran) must all be there afterwards,
 * readable through the store, and the new behaviour must work on them.
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { KeyRing, MIGRATIONS, migrate, parseDatabaseUrl } from '../../src/store/index.js';
import { PostgresDriver } from '../../src/store/postgres.js';
import type { SqlDriver } from '../../src/store/sql.js';
import { SqliteDriver } from '../../src/store/sqlite.js';
import { AGENT, describeEachStore, IVR, KEY_1, type Harness } from './harness.js';

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
});
