import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { KitError } from '../../src/errors.js';
import { aniDigest } from '../../src/identity/index.js';
import { KeyRing, MIGRATIONS, type CredentialStore } from '../../src/store/index.js';
import { AGENT, callerHash, describeEachStore, IVR, KEY_1, KEY_2 } from './harness.js';

const ANI = '+34600000000';
const CREDENTIAL = 'Q1JFRC0xLXZvaWNlcHJpbnQtYmFzZTY0LXRlc3QtdmFsdWU=';

async function failure(promise: Promise<unknown>): Promise<KitError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof KitError) return err;
    throw err;
  }
  throw new Error('expected the operation to fail');
}

const put = (store: CredentialStore, ani = ANI, credential = CREDENTIAL, modelHash = 'model-1') =>
  store.putCredential(AGENT, ani, { credential, modelHash });

describeEachStore('credential store', (h) => {
  it('stores, reads and deletes a credential by caller number, in any accepted form', async () => {
    const store = await h.open();
    const stored = await store.putCredential(IVR, 'tel:+34 600-000-000', {
      credential: CREDENTIAL,
      modelHash: 'm1',
    });
    expect(stored).toMatchObject({ created: true, ani: ANI, modelHash: 'm1', lastUsedAt: null });
    expect(stored.createdAt).toEqual(h.clock.now);

    h.clock.advanceDays(1);
    const read = await store.getCredential(AGENT, '600 000 000'); // national form, default country ES
    expect(read).toMatchObject({ ani: ANI, credential: CREDENTIAL, modelHash: 'm1' });
    expect(read!.lastUsedAt).toEqual(h.clock.now);
    expect(read!.createdAt.getTime()).toBe(h.clock.now.getTime() - 86_400_000);

    expect(await store.deleteCredential(AGENT, 'sip:+34600000000@host;user=phone')).toBe(true);
    expect(await store.getCredential(AGENT, ANI)).toBeNull();
    expect(await store.deleteCredential(AGENT, ANI)).toBe(false);
  });

  it('replaces a credential, keeping its creation time', async () => {
    const store = await h.open();
    const first = await put(store);
    h.clock.advanceDays(2);
    const second = await put(store, ANI, 'bmV3LWNyZWRlbnRpYWw=', 'model-2');
    expect(second.created).toBe(false);
    expect(second.createdAt).toEqual(first.createdAt);
    expect(second.updatedAt).toEqual(h.clock.now);
    expect(await store.getCredential(AGENT, ANI)).toMatchObject({
      credential: 'bmV3LWNyZWRlbnRpYWw=',
      modelHash: 'model-2',
    });
  });

  it('keeps callers apart and round-trips any text credential', async () => {
    const store = await h.open();
    const big = 'A'.repeat(200_000);
    await put(store, '+34600000001', big);
    await put(store, '+34600000002', 'ünïcödé ✓ — credential');
    expect((await store.getCredential(AGENT, '+34600000001'))!.credential).toBe(big);
    expect((await store.getCredential(AGENT, '+34600000002'))!.credential).toBe('ünïcödé ✓ — credential');
    expect(await store.getCredential(AGENT, '+34600000003')).toBeNull();
  });

  it('answers bad input with a typed 400 error and stores nothing', async () => {
    const store = await h.open();
    const cases: [Promise<unknown>, string][] = [
      [store.putCredential(AGENT, 'anonymous', { credential: CREDENTIAL, modelHash: 'm' }), 'ani.withheld'],
      [store.putCredential(AGENT, 'not a number', { credential: CREDENTIAL, modelHash: 'm' }), 'ani.invalid'],
      [store.putCredential(AGENT, ANI, { credential: '', modelHash: 'm' }), 'store.invalid'],
      [store.putCredential(AGENT, ANI, { credential: 'x'.repeat(300_000), modelHash: 'm' }), 'store.invalid'],
      [store.putCredential(AGENT, ANI, { credential: '\ud800', modelHash: 'm' }), 'store.invalid'],
      [store.putCredential(AGENT, ANI, { credential: CREDENTIAL, modelHash: '' }), 'store.invalid'],
      [
        store.putCredential(AGENT, ANI, { credential: 42 as unknown as string, modelHash: 'm' }),
        'store.invalid',
      ],
      [
        store.putCredential({ actor: { type: 'robot' as 'agent', id: 'x' } }, ANI, {
          credential: 'c',
          modelHash: 'm',
        }),
        'store.invalid',
      ],
      [
        store.putCredential({ actor: { type: 'agent', id: '' } }, ANI, { credential: 'c', modelHash: 'm' }),
        'store.invalid',
      ],
      [
        store.putCredential({ ...AGENT, conversationId: "x'; drop table credentials; --" }, ANI, {
          credential: 'c',
          modelHash: 'm',
        }),
        'store.invalid',
      ],
      [store.getCredential(AGENT, 'tel:anonymous'), 'ani.withheld'],
      [store.recordConsent(AGENT, ANI, { wordingVersion: 'has spaces' }), 'store.invalid'],
      [
        store.recordDenied(AGENT, { ani: ANI, action: 'credential.read', reason: 'Caller +34600000000' }),
        'store.invalid',
      ],
      [store.queryAudit({ limit: 0 }), 'store.invalid'],
      [store.queryAudit({ aniHash: 'nope' }), 'store.invalid'],
      [store.rotate({ batchSize: 0 }), 'store.invalid'],
    ];
    for (const [promise, code] of cases) {
      const err = await failure(promise);
      expect(err.code).toBe(code);
      expect(err.status).toBe(400);
    }
    expect(await store.getCredential(AGENT, ANI)).toBeNull();
    expect(await h.sql('select count(*) as n from credentials')).toEqual([
      { n: h.kind === 'sqlite' ? 0 : '0' },
    ]);
  });

  it('audits every store, read and delete without the caller number or the credential', async () => {
    const store = await h.open();
    await put(store);
    await store.getCredential(IVR, ANI);
    await store.getCredential(IVR, '+34600000009');
    await store.deleteCredential(AGENT, ANI);
    const entries = await store.queryAudit();
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([
      ['credential.delete', 'ok'],
      ['credential.read', 'not_found'],
      ['credential.read', 'ok'],
      ['credential.store', 'ok'],
    ]);
    expect(entries[0]).toMatchObject({
      actor: AGENT.actor,
      conversationId: AGENT.conversationId,
      aniHash: callerHash(ANI),
    });
    expect(entries[1]!.aniHash).toBe(callerHash('+34600000009'));
    expect(entries[2]).toMatchObject({ actor: IVR.actor, conversationId: IVR.conversationId });
    expect(entries[3]!.at).toEqual(h.clock.now);
    const text = JSON.stringify(await h.sql('select * from audit_log'));
    expect(text).not.toContain('600000000');
    expect(text).not.toContain(CREDENTIAL);
  });

  it('records denied access, and queries the audit log by caller, conversation, actor, outcome and time', async () => {
    const store = await h.open();
    await put(store);
    h.clock.advanceDays(1);
    const t1 = h.clock.read();
    await store.recordDenied(
      { actor: { type: 'agent', id: 'agent-0002' }, conversationId: 'conv-0009' },
      { ani: 'tel:+34600000000', action: 'credential.read', reason: 'not_on_conversation' },
    );
    await store.recordDenied(IVR, { ani: 'garbage', action: 'credential.store', reason: 'bad_api_key' });
    await store.getCredential(IVR, ANI);

    const denied = await store.queryAudit({ outcome: 'denied' });
    expect(denied.map((e) => [e.action, e.detail, e.aniHash])).toEqual([
      ['credential.store', 'bad_api_key', null],
      ['credential.read', 'not_on_conversation', callerHash(ANI)],
    ]);
    expect((await store.queryAudit({ ani: '600000000' })).length).toBe(3);
    expect((await store.queryAudit({ aniHash: callerHash(ANI), action: 'credential.read' })).length).toBe(2);
    expect((await store.queryAudit({ conversationId: 'conv-0009' }))[0]!.actor.id).toBe('agent-0002');
    expect((await store.queryAudit({ actorType: 'ivr' })).length).toBe(2);
    expect((await store.queryAudit({ actorId: AGENT.actor.id })).length).toBe(1);
    expect((await store.queryAudit({ since: t1 })).length).toBe(3);
    expect((await store.queryAudit({ until: t1 })).length).toBe(1);
    const page1 = await store.queryAudit({ limit: 2 });
    const page2 = await store.queryAudit({ limit: 2, beforeId: page1[1]!.id });
    expect([...page1, ...page2].map((e) => e.id)).toEqual((await store.queryAudit()).map((e) => e.id));
  });

  it('records refused token issues and consent reads (token.issue, consent.read), with or without a caller', async () => {
    const store = await h.open();
    await store.recordDenied(
      { actor: { type: 'agent', id: 'unauthenticated' } },
      { action: 'token.issue', reason: 'auth.missing_token' },
    );
    await store.recordDenied(AGENT, { ani: ANI, action: 'consent.read', reason: 'ani.mismatch' });
    expect((await store.queryAudit({ action: 'token.issue' })).map((e) => e.detail)).toEqual([
      'auth.missing_token',
    ]);
    expect(
      (await store.queryAudit({ outcome: 'denied' })).map((e) => [e.action, e.aniHash, e.actor.id]),
    ).toEqual([
      ['consent.read', callerHash(ANI), AGENT.actor.id],
      ['token.issue', null, 'unauthenticated'],
    ]);
    const err = await failure(store.recordDenied(AGENT, { action: 'token.read' as never, reason: 'x' }));
    expect(err.code).toBe('store.invalid');
    expect(err.message).toContain('token.issue');
    expect(err.message).toContain('consent.read');
  });

  it('rewrites last_used_at at most once an hour, while every read writes its audit row', async () => {
    const store = await h.open();
    const stored = async () => {
      const [row] = await h.sql(
        `select last_used_at, active_at${h.kind === 'postgres' ? ', xmin::text as version' : ''} from credentials`,
      );
      return {
        lastUsed: row!.last_used_at === null ? null : Number(row!.last_used_at),
        active: Number(row!.active_at),
        version: row!.version,
      };
    };
    await put(store);
    const putAt = h.clock.now.getTime();
    expect(await stored()).toMatchObject({ lastUsed: null, active: putAt });

    h.clock.advanceDays(1);
    const firstRead = h.clock.now.getTime();
    expect((await store.getCredential(AGENT, ANI))!.lastUsedAt).toEqual(h.clock.now); // the first read writes it
    const afterFirst = await stored();
    expect(afterFirst).toMatchObject({ lastUsed: firstRead, active: firstRead });

    for (const minutes of [1, 30, 59]) {
      h.clock.now = new Date(firstRead + minutes * 60_000);
      const read = await store.getCredential(AGENT, ANI);
      // The answer tells when this read happened; the row is not touched (same row version on PostgreSQL).
      expect(read!.lastUsedAt).toEqual(h.clock.now);
      expect(await stored()).toEqual(afterFirst);
    }

    h.clock.now = new Date(firstRead + 61 * 60_000);
    await store.getCredential(AGENT, ANI);
    expect(await stored()).toMatchObject({ lastUsed: h.clock.now.getTime(), active: h.clock.now.getTime() });

    const reads = await store.queryAudit({ action: 'credential.read' });
    expect(reads.map((e) => e.outcome)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(reads.map((e) => e.at.getTime() - firstRead)).toEqual([61, 59, 30, 1, 0].map((m) => m * 60_000));
  });

  it('keeps active_at from moving back when a read comes with an earlier clock than the last store', async () => {
    const store = await h.open();
    h.clock.advanceDays(10);
    await put(store); // active_at = day 10
    const storedAt = h.clock.now.getTime();
    h.clock.advanceDays(-1); // another instance whose clock is a day behind reads it
    await store.getCredential(AGENT, ANI);
    const [row] = await h.sql('select last_used_at, active_at from credentials');
    expect(Number(row!.last_used_at)).toBe(h.clock.now.getTime());
    expect(Number(row!.active_at)).toBe(storedAt);
  });

  it('records consent, and withdrawing it deletes the credential in the same transaction', async () => {
    const store = await h.open();
    expect(await store.getConsent(ANI)).toBeNull();
    const granted = await store.recordConsent(IVR, 'tel:+34600000000', { wordingVersion: '2024-06' });
    expect(granted).toMatchObject({ ani: ANI, status: 'granted', refused: null, withdrawn: null });
    expect(granted.granted).toEqual({
      at: h.clock.now,
      actor: IVR.actor,
      conversationId: IVR.conversationId,
      wordingVersion: '2024-06',
    });
    expect(await store.getConsent(ANI)).toEqual(granted);

    await put(store);
    h.clock.advanceDays(3);
    const result = await store.withdrawConsent(AGENT, ANI);
    expect(result).toEqual({ wasGranted: true, credentialDeleted: true });
    expect(await store.getCredential(AGENT, ANI)).toBeNull();
    const after = await store.getConsent(ANI);
    expect(after).toMatchObject({ status: 'withdrawn', granted: { wordingVersion: '2024-06' } });
    expect(after!.withdrawn).toEqual({
      at: h.clock.now,
      actor: AGENT.actor,
      conversationId: AGENT.conversationId,
    });

    const audit = await store.queryAudit({ ani: ANI });
    expect(audit.slice(0, 3).map((e) => [e.action, e.detail])).toEqual([
      ['credential.read', null],
      ['credential.delete', 'consent_withdrawn'],
      ['consent.withdraw', null],
    ]);
    expect(audit.find((e) => e.action === 'consent.record')!.detail).toBe('wording:2024-06');

    // Granting again starts a new consent.
    const again = await store.recordConsent(AGENT, ANI, { wordingVersion: 'v3' });
    expect(again.status).toBe('granted');
    expect((await store.getConsent(ANI))!.withdrawn).toBeNull();
    expect(await store.withdrawConsent(AGENT, '+34600000005')).toEqual({
      wasGranted: false,
      credentialDeleted: false,
    });
    expect((await store.getConsent('+34600000005'))!.granted).toBeNull();
  });

  it('answers whether a credential is stored, without reading it, and audits it as credential.status', async () => {
    const store = await h.open();
    expect(await store.credentialStatus(AGENT, ANI)).toBeNull();
    const stored = await put(store);
    h.clock.advanceDays(1);
    const status = await store.credentialStatus(IVR, 'tel:+34 600 000 000');
    expect(status).toEqual({
      ani: ANI,
      modelHash: 'model-1',
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
      lastUsedAt: null,
    });
    expect(status).not.toHaveProperty('credential');
    // A status is not a use: last_used_at and retention stay as they were.
    const [row] = await h.sql('select last_used_at, active_at from credentials');
    expect(row!.last_used_at).toBeNull();
    expect(Number(row!.active_at)).toBe(stored.updatedAt.getTime());
    const read = await store.getCredential(AGENT, ANI);
    expect((await store.credentialStatus(AGENT, ANI))!.lastUsedAt).toEqual(read!.lastUsedAt);

    const rows = await store.queryAudit({ action: 'credential.status' });
    expect(rows.map((e) => [e.outcome, e.actor.type])).toEqual([
      ['ok', 'agent'],
      ['ok', 'ivr'],
      ['not_found', 'agent'],
    ]);
    expect(rows[1]).toMatchObject({ conversationId: IVR.conversationId, aniHash: rows[0]!.aniHash });
    expect(rows[0]!.aniHash).not.toBeNull();

    // It decrypts nothing, so a credential sealed under a key that is not configured still has a status.
    await h.sql("update credentials set key_id = 'k9'");
    expect(await store.credentialStatus(AGENT, ANI)).toMatchObject({ ani: ANI, modelHash: 'model-1' });
    expect((await failure(store.getCredential(AGENT, ANI))).code).toBe('store.unknown_key');
    expect((await failure(store.credentialStatus(AGENT, 'anonymous'))).code).toBe('ani.withheld');
  });

  it('records events the backend writes (token.issue, relay.session, consent.read) with or without a caller', async () => {
    const store = await h.open();
    await store.recordEvent(AGENT, {
      action: 'relay.session',
      outcome: 'ok',
      ani: 'tel:+34600000000',
      detail: 'register:result-success,session=6f1c-22',
    });
    await store.recordEvent(AGENT, { action: 'token.issue', outcome: 'ok' });
    await store.recordEvent(IVR, { action: 'relay.session', outcome: 'error', ani: 'garbage', detail: null });
    const rows = await store.queryAudit();
    expect(rows.map((e) => [e.action, e.outcome, e.detail, e.aniHash === null])).toEqual([
      ['relay.session', 'error', null, true],
      ['token.issue', 'ok', null, true],
      ['relay.session', 'ok', 'register:result-success,session=6f1c-22', false],
    ]);
    expect(rows[2]).toMatchObject({ actor: AGENT.actor, conversationId: AGENT.conversationId });
    expect(await store.queryAudit({ ani: ANI })).toHaveLength(1);

    const bad: [Parameters<CredentialStore['recordEvent']>[1], string][] = [
      [{ action: 'credential.read' as 'token.issue', outcome: 'ok' }, 'relay.session'],
      [{ action: 'relay.session', outcome: 'fine' as 'ok' }, 'outcome'],
      [{ action: 'relay.session', outcome: 'ok', detail: 'caller +34600000000' }, 'detail'],
      [{ action: 'relay.session', outcome: 'ok', detail: 'x'.repeat(201) }, 'detail'],
    ];
    for (const [event, words] of bad) {
      const err = await failure(store.recordEvent(AGENT, event));
      expect(err).toMatchObject({ code: 'store.invalid', status: 400 });
      expect(err.message).toContain(words);
    }
    expect(await store.queryAudit()).toHaveLength(3);
  });

  it('records a refusal of consent: it blocks a registration that needs consent, and deletes nothing', async () => {
    const store = await h.open();
    const refused = await store.recordConsent(IVR, ANI, { wordingVersion: 'v1', decision: 'refused' });
    expect(refused).toEqual({
      ani: ANI,
      status: 'refused',
      granted: null,
      refused: {
        at: h.clock.now,
        actor: IVR.actor,
        conversationId: IVR.conversationId,
        wordingVersion: 'v1',
      },
      withdrawn: null,
    });
    expect(await store.getConsent(ANI)).toEqual(refused);
    const err = await failure(
      store.putCredential(IVR, ANI, { credential: CREDENTIAL, modelHash: 'm', requireConsent: true }),
    );
    expect(err).toMatchObject({ code: 'store.consent_required', status: 409 });
    expect(err.message).toContain('refused');
    expect((await store.queryAudit({ outcome: 'denied' }))[0]!.detail).toBe('consent_refused');

    // Granted later, then refused when asked again under new wording: the credential stored under
    // the grant stays (only a withdrawal deletes it), and the grant it had is still shown.
    h.clock.advanceDays(1);
    const granted = await store.recordConsent(AGENT, ANI, { wordingVersion: 'v1' });
    expect(granted).toMatchObject({ status: 'granted', refused: null, withdrawn: null });
    await store.putCredential(IVR, ANI, { credential: CREDENTIAL, modelHash: 'm', requireConsent: true });
    h.clock.advanceDays(1);
    const again = await store.recordConsent(AGENT, ANI, { wordingVersion: 'v2', decision: 'refused' });
    expect(again).toMatchObject({
      status: 'refused',
      granted: { wordingVersion: 'v1', at: granted.granted!.at },
      refused: { wordingVersion: 'v2', at: h.clock.now, actor: AGENT.actor },
      withdrawn: null,
    });
    expect((await store.getCredential(AGENT, ANI))!.credential).toBe(CREDENTIAL);
    expect((await store.queryAudit({ action: 'consent.record' })).map((e) => e.detail)).toEqual([
      'refused:wording:v2',
      'wording:v1',
      'refused:wording:v1',
    ]);

    // A withdrawal after a refusal: withdrawn, with nothing granted any more, and the credential goes.
    expect(await store.withdrawConsent(AGENT, ANI)).toEqual({ wasGranted: false, credentialDeleted: true });
    expect(await store.getConsent(ANI)).toMatchObject({ status: 'withdrawn', refused: null });
    expect(
      (
        await failure(
          store.recordConsent(AGENT, ANI, { wordingVersion: 'v3', decision: 'maybe' as 'refused' }),
        )
      ).code,
    ).toBe('store.invalid');
  });

  it('refuses a credential without consent when asked to, and audits the refusal', async () => {
    const store = await h.open();
    const err = await failure(
      store.putCredential(IVR, ANI, { credential: CREDENTIAL, modelHash: 'm', requireConsent: true }),
    );
    expect(err).toMatchObject({ code: 'store.consent_required', status: 409 });
    expect(await store.getCredential(IVR, ANI)).toBeNull();
    expect((await store.queryAudit({ outcome: 'denied' }))[0]).toMatchObject({
      action: 'credential.store',
      detail: 'consent_required',
    });

    await store.recordConsent(IVR, ANI, { wordingVersion: 'v1' });
    await store.putCredential(IVR, ANI, { credential: CREDENTIAL, modelHash: 'm', requireConsent: true });
    await store.withdrawConsent(IVR, ANI);
    expect(
      (
        await failure(
          store.putCredential(IVR, ANI, { credential: 'c', modelHash: 'm', requireConsent: true }),
        )
      ).code,
    ).toBe('store.consent_required');
  });

  it('never lets a concurrent store outlive a withdrawal that follows it', async () => {
    const store = await h.open();
    await store.recordConsent(IVR, ANI, { wordingVersion: 'v1' });
    const writes = Array.from({ length: 10 }, (_, i) =>
      store.putCredential(IVR, ANI, { credential: `c${i}`, modelHash: 'm', requireConsent: true }).then(
        () => 'stored',
        (e: KitError) => e.code,
      ),
    );
    const withdrawal = store.withdrawConsent(AGENT, ANI);
    await Promise.all([...writes, withdrawal]);
    expect(await store.getCredential(AGENT, ANI)).toBeNull();
  });

  it('purges credentials unused longer than credentialDays and audit rows older than auditDays', async () => {
    const store = await h.open({ retention: { credentialDays: 30, auditDays: 90 } });
    await put(store, '+34600000001'); // never read again
    await put(store, '+34600000002'); // read on day 20
    h.clock.advanceDays(20);
    await store.getCredential(AGENT, '+34600000002');
    h.clock.advanceDays(15); // day 35
    await put(store, '+34600000003'); // fresh

    expect(await store.purge(h.clock.read())).toEqual({ credentials: 1, audit: 0, callers: 0 });
    expect(await store.getCredential(AGENT, '+34600000001')).toBeNull();
    expect(await store.getCredential(AGENT, '+34600000002')).not.toBeNull();

    h.clock.advanceDays(100);
    const result = await store.purge();
    expect(result.credentials).toBe(2);
    // Caller 1 has nothing left (its credential went on day 35, that purge's audit row now too): its
    // sealed number goes. Callers 2 and 3 keep theirs while their purge rows are in the log.
    expect(result.callers).toBe(1);
    expect((await h.sql('select ani_hash from callers')).map((r) => r.ani_hash).sort()).toEqual(
      [callerHash('+34600000002'), callerHash('+34600000003')].sort(),
    );
    expect(result.audit).toBeGreaterThan(0);
    const audit = await store.queryAudit();
    expect(audit.every((e) => e.at.getTime() >= h.clock.now.getTime() - 90 * 86_400_000)).toBe(true);
    expect(audit.filter((e) => e.action === 'credential.purge')).toHaveLength(2);
    expect(audit.find((e) => e.action === 'audit.purge')!.detail).toBe(`deleted=${result.audit}`);
    expect(await store.purge()).toEqual({ credentials: 0, audit: 0, callers: 0 });
  });

  it('rotates every caller hash and credential to the first key in resumable batches; the old key can then go', async () => {
    const old = await h.open({ encryptionKeys: [KEY_1] });
    for (let i = 0; i < 5; i++) await put(old, `+3460000001${i}`, `credential-${i}`);
    await old.recordConsent(IVR, '+34600000010', { wordingVersion: 'v1' });
    // A caller known only from the audit log.
    await old.recordDenied(AGENT, {
      ani: '+34600000030',
      action: 'credential.read',
      reason: 'not_on_conversation',
    });
    await old.close();

    const both = await h.open({ encryptionKeys: [KEY_2, KEY_1] });
    await put(both, '+34600000020', 'credential-new'); // a new caller: under k2 from the start
    await put(both, '+34600000011', 'credential-1b'); // an existing caller keeps its k1 hash until rotated
    expect(
      await h.sql('select key_id from callers where ani_hash = ?', [callerHash('+34600000011')]),
    ).toEqual([{ key_id: 'k1' }]);
    expect(await both.rotate({ batchSize: 2, maxBatches: 1 })).toEqual({
      keyId: 'k2',
      rotated: 0,
      alreadyCurrent: 2,
      corrupt: 0,
      unknownKey: 0,
      callers: { rekeyed: 2, alreadyCurrent: 1, corrupt: 0, unknownKey: 0, conflicts: 0, remaining: 4 },
      unlinked: 0,
      remaining: 4 + 4, // four credentials under k1, four callers under k1
    });
    // Reads, status and consent work mid-rotation with both keys configured, whichever key a caller is under.
    for (let i = 0; i < 5; i++) {
      expect((await both.getCredential(AGENT, `+3460000001${i}`))!.credential).toBe(
        i === 1 ? 'credential-1b' : `credential-${i}`,
      );
    }
    expect(await both.getConsent('+34600000010')).toMatchObject({ status: 'granted' });
    const second = await both.rotate({ batchSize: 2 });
    expect(second).toMatchObject({ rotated: 4, alreadyCurrent: 2, remaining: 0, unlinked: 0 });
    expect(second.callers).toMatchObject({ rekeyed: 4, alreadyCurrent: 3, remaining: 0 });
    expect(await both.rotate()).toMatchObject({
      rotated: 0,
      alreadyCurrent: 6,
      remaining: 0,
      callers: { rekeyed: 0 },
    });
    expect((await both.queryAudit({ action: 'keys.rotate' }))[0]!.detail).toBe(
      'key=k2 rotated=0 corrupt=0 unknown_key=0 callers_rekeyed=0 callers_failed=0 unlinked=0 remaining=0',
    );
    await both.close();

    const onlyNew = await h.open({ encryptionKeys: [KEY_2] });
    for (let i = 0; i < 5; i++) {
      expect((await onlyNew.getCredential(AGENT, `+3460000001${i}`))!.credential).toBe(
        i === 1 ? 'credential-1b' : `credential-${i}`,
      );
    }
    expect(await onlyNew.getConsent('+34600000010')).toMatchObject({ status: 'granted' });
    // Every audit row of a caller moved with it, the denial of the caller known only from the log too.
    expect((await onlyNew.queryAudit({ ani: '+34600000030' })).map((e) => e.detail)).toEqual([
      'not_on_conversation',
    ]);
    expect((await onlyNew.queryAudit({ ani: '+34600000010' })).map((e) => e.action)).toEqual([
      'credential.read',
      'credential.read',
      'consent.record',
      'credential.store',
    ]);
    for (const table of ['credentials', 'consents', 'audit_log']) {
      expect(await h.sql(`select distinct ani_key_id from ${table} where ani_hash is not null`)).toEqual([
        { ani_key_id: 'k2' },
      ]);
    }
    expect(await h.sql('select distinct key_id from credentials')).toEqual([{ key_id: 'k2' }]);
    expect(await h.sql('select distinct key_id from callers')).toEqual([{ key_id: 'k2' }]);
    const hashes = (await h.sql('select ani_hash from callers')).map((r) => r.ani_hash as string);
    expect(hashes).toContain(callerHash('+34600000030', KEY_2));
    expect(hashes).not.toContain(callerHash('+34600000030', KEY_1));
  });

  it("moves rows written under a caller's old hash after it moved; reports rows no caller accounts for, and callers under both keys", async () => {
    const old = await h.open({ encryptionKeys: [KEY_1] });
    await put(old, '+34600000001');
    await put(old, '+34600000003');
    await old.close();
    const store = await h.open({ encryptionKeys: [KEY_2, KEY_1] });
    expect(await store.rotate()).toMatchObject({ remaining: 0, callers: { rekeyed: 2 } });

    // What a read on another instance leaves when it looked the caller up just before the move:
    // an audit row under the old hash. And a row of a caller the purge has forgotten.
    const straggler = (ani: string) =>
      h.sql(
        "insert into audit_log (at, actor_type, actor_id, ani_hash, ani_key_id, action, outcome) values (1, 'ivr', 'ivr', ?, 'k1', 'credential.read', 'ok')",
        [callerHash(ani, KEY_1)],
      );
    await straggler('+34600000001');
    await straggler('+34600000002');
    // A caller found under both keys (its k1 rows were left while k1 was out of the config).
    const old3 = await h.sql('select sealed from callers where ani_hash = ?', [
      callerHash('+34600000003', KEY_2),
    ]);
    await h.sql("insert into callers (ani_hash, key_id, sealed, created_at) values (?, 'k1', ?, 0)", [
      callerHash('+34600000003', KEY_1),
      old3[0]!.sealed,
    ]);
    await h.sql("update callers set key_id = 'k2' where ani_hash = ?", [callerHash('+34600000003', KEY_2)]);
    const before = (await store.queryAudit({ ani: '+34600000001' })).length;

    const result = await store.rotate();
    // The k1 row of caller 3 does not open (its sealed value is bound to the k2 hash): corrupt, kept.
    expect(result.callers).toMatchObject({ rekeyed: 0, corrupt: 1, remaining: 1 });
    expect(result.unlinked).toBe(1);
    expect(result.remaining).toBe(2);
    expect((await store.queryAudit({ action: 'keys.rotate' }))[0]).toMatchObject({ outcome: 'error' });
    // The straggler of caller 1 moved to its current hash: still found, now under k2 only.
    expect((await store.queryAudit({ ani: '+34600000001' })).length).toBe(before);
    expect(
      await h.sql('select count(*) as n from audit_log where ani_hash = ?', [
        callerHash('+34600000001', KEY_1),
      ]),
    ).toEqual([{ n: h.kind === 'sqlite' ? 0 : '0' }]);
    expect(
      await h.sql('select count(*) as n from audit_log where ani_hash = ?', [
        callerHash('+34600000002', KEY_1),
      ]),
    ).toEqual([{ n: h.kind === 'sqlite' ? 1 : '1' }]);

    // Sealed properly under k1, the second row of caller 3 is a conflict, not a corrupt row.
    const keys = KeyRing.fromConfig([KEY_1]);
    await h.sql('update callers set sealed = ? where ani_hash = ?', [
      keys.sealCaller(Buffer.from('e164:+34600000003'), 'k1', callerHash('+34600000003', KEY_1)),
      callerHash('+34600000003', KEY_1),
    ]);
    expect((await store.rotate()).callers).toMatchObject({ corrupt: 0, conflicts: 1, remaining: 1 });
    expect((await store.getCredential(AGENT, '+34600000003'))!.credential).toBe(CREDENTIAL);
  });

  it('refuses to start while rows are under a key the config no longer lists, and reads them once it is back', async () => {
    const old = await h.open({ encryptionKeys: [KEY_1] });
    await put(old);
    await old.close();
    const err = await failure(h.open({ encryptionKeys: [KEY_2] }));
    expect(err.code).toBe('store.unknown_key');
    expect(err.message).toContain('"k1"');
    expect(err.hint).toContain('"k1"');
    expect(`${err.message}${err.hint}`).not.toContain(KEY_1.key);
    const back = await h.open({ encryptionKeys: [KEY_2, KEY_1] });
    expect((await back.getCredential(AGENT, ANI))!.credential).toBe(CREDENTIAL);

    // A credential whose key id was changed under the store's feet: refused and audited, kept, and
    // counted by a rotation, which leaves it as it is.
    await h.sql("update credentials set key_id = 'k9'");
    const unknown = await failure(back.getCredential(AGENT, ANI));
    expect(unknown.code).toBe('store.unknown_key');
    expect(unknown.hint).toContain('"k9"');
    expect((await back.queryAudit({ action: 'credential.read' }))[0]).toMatchObject({
      outcome: 'error',
      detail: 'store.unknown_key',
    });
    expect(await back.rotate()).toMatchObject({ rotated: 0, unknownKey: 1, remaining: 1 });
    expect(await h.sql('select count(*) as n from credentials')).toEqual([
      { n: h.kind === 'sqlite' ? 1 : '1' },
    ]);
  });

  it('binds each ciphertext to its row: a copy to another caller fails as store.corrupt', async () => {
    const store = await h.open();
    await put(store, '+34600000001', 'credential-of-one');
    await put(store, '+34600000002', 'credential-of-two');
    // An intruder with write access copies caller 1's sealed credential over caller 2's row.
    await h.sql(
      'update credentials set wrapped_key = (select wrapped_key from credentials where ani_hash = ?), ciphertext = (select ciphertext from credentials where ani_hash = ?) where ani_hash = ?',
      [callerHash('+34600000001'), callerHash('+34600000001'), callerHash('+34600000002')],
    );
    const err = await failure(store.getCredential(AGENT, '+34600000002'));
    expect(err).toMatchObject({ code: 'store.corrupt', status: 500 });
    expect(err.message).not.toContain('credential-of-one');
    // The row is kept for investigation, and the failure is audited.
    expect(await h.sql('select count(*) as n from credentials')).toEqual([
      { n: h.kind === 'sqlite' ? 2 : '2' },
    ]);
    expect((await store.queryAudit({ outcome: 'error' }))[0]).toMatchObject({
      action: 'credential.read',
      detail: 'store.corrupt',
    });
    expect(await store.rotate()).toMatchObject({ corrupt: 0 }); // both rows are under the current key already
    // Moving a whole row to another caller's key (the ANI hash) fails too.
    await h.sql('delete from credentials where ani_hash = ?', [callerHash('+34600000002')]);
    await h.sql('update credentials set ani_hash = ? where ani_hash = ?', [
      callerHash('+34600000002'),
      callerHash('+34600000001'),
    ]);
    expect((await failure(store.getCredential(AGENT, '+34600000002'))).code).toBe('store.corrupt');
  });

  it('detects a flipped bit in a stored credential', async () => {
    const store = await h.open();
    await put(store);
    const [row] = await h.sql('select ciphertext from credentials');
    const bytes = Buffer.from(row!.ciphertext as Buffer);
    bytes[bytes.length - 1]! ^= 1;
    await h.sql('update credentials set ciphertext = ?', [bytes]);
    expect((await failure(store.getCredential(AGENT, ANI))).code).toBe('store.corrupt');
    expect(await store.rotate({})).toMatchObject({ corrupt: 0, remaining: 0 });
  });

  it('counts corrupt rows during rotation and leaves them for an operator', async () => {
    const old = await h.open({ encryptionKeys: [KEY_1] });
    await put(old, '+34600000001');
    await put(old, '+34600000002');
    await old.close();
    await h.sql('update credentials set ciphertext = ? where ani_hash = ?', [
      Buffer.from([1, 2, 3]),
      callerHash('+34600000001'),
    ]);
    const store = await h.open({ encryptionKeys: [KEY_2, KEY_1] });
    expect(await store.rotate()).toEqual({
      keyId: 'k2',
      rotated: 1,
      alreadyCurrent: 0,
      corrupt: 1,
      unknownKey: 0,
      callers: { rekeyed: 2, alreadyCurrent: 0, corrupt: 0, unknownKey: 0, conflicts: 0, remaining: 0 },
      unlinked: 0,
      remaining: 1,
    });
    expect((await store.queryAudit({ action: 'keys.rotate' }))[0]!.outcome).toBe('error');
  });

  it('applies migrations once; reopening is idempotent', async () => {
    const a = await h.open();
    await put(a);
    await a.close();
    const b = await h.open();
    expect((await b.getCredential(AGENT, ANI))!.credential).toBe(CREDENTIAL);
    const versions = await h.sql('select version from schema_migrations');
    expect(versions.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('starts several instances at once on one database without applying a migration twice', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => h.open()));
    await Promise.all(stores.map((s, i) => put(s, `+3460000010${i}`)));
    const versions = await h.sql(
      'select version, count(*) as n from schema_migrations group by version order by version',
    );
    expect(versions.map((r) => [Number(r.version), Number(r.n)])).toEqual(
      MIGRATIONS.map((m) => [m.version, 1]),
    );
    for (let i = 0; i < 4; i++)
      expect(await stores[(i + 1) % 4]!.getCredential(AGENT, `+3460000010${i}`)).not.toBeNull();
  });

  it('refuses to start on a schema newer than it knows', async () => {
    const a = await h.open();
    await a.close();
    await h.sql('insert into schema_migrations (version, name, applied_at) values (?, ?, ?)', [
      99,
      'future',
      0,
    ]);
    expect((await failure(h.open())).code).toBe('store.schema_too_new');
  });

  it('reports a statement the database rejects as store.failed, in the words of the database', async () => {
    const store = await h.open();
    await h.sql('drop table credentials');
    const err = await failure(put(store));
    expect(err).toMatchObject({ code: 'store.failed', status: 500 });
    expect(err.message).toMatch(/credentials/);
    expect(err.message).not.toContain(CREDENTIAL);
    await store.ping();
  });

  it('pings, closes idempotently, and fails with store.closed afterwards', async () => {
    const store = await h.open();
    await store.ping();
    expect(store.kind).toBe(h.kind);
    await store.close();
    await store.close();
    expect((await failure(store.getCredential(AGENT, ANI))).code).toBe('store.closed');
    expect((await failure(store.ping())).code).toBe('store.closed');
  });

  it('rejects bad keys in the config before touching the database', async () => {
    const bad = [
      [],
      [{ id: 'k1', key: 'c2hvcnQ=' }],
      [KEY_1, { id: 'k1', key: KEY_2.key }],
      [{ id: 'has space', key: KEY_1.key }],
    ];
    for (const encryptionKeys of bad) {
      expect((await failure(h.open({ encryptionKeys }))).code).toBe('store.bad_config');
    }
  });

  it('leaves no credential, caller number or key in clear in a dump of the database', async () => {
    const store = await h.open();
    const secrets = Array.from({ length: 3 }, (_, i) => randomBytes(600 + i).toString('base64'));
    const callers = ['+34600000001', '+34600000002', '+12125550100'];
    for (let i = 0; i < 3; i++) {
      await store.recordConsent(IVR, callers[i]!, { wordingVersion: 'v1' });
      await store.putCredential(AGENT, callers[i]!, { credential: secrets[i]!, modelHash: 'model-1' });
      await store.getCredential(AGENT, callers[i]!);
    }
    await store.recordDenied(AGENT, {
      ani: callers[0],
      action: 'credential.read',
      reason: 'not_on_conversation',
    });
    const dump = await h.dump();
    expect(dump.length).toBeGreaterThan(1000);
    const needles = [
      ...secrets.flatMap((s) => [
        s,
        s.slice(100, 140),
        Buffer.from(s, 'base64').subarray(50, 90).toString('hex'),
      ]),
      ...callers,
      ...callers.map((c) => c.slice(1)),
      // The unkeyed SHA-256 of a number (what version 1 stored) is reversible by trying numbers.
      ...callers.map((c) => aniDigest(c)),
      KEY_1.key,
    ];
    for (const needle of needles) expect(dump.includes(Buffer.from(needle)), needle).toBe(false);
    // The raw bytes behind each base64 credential do not appear either.
    for (const s of secrets) expect(dump.includes(Buffer.from(s, 'base64').subarray(0, 32))).toBe(false);
    // The dump does see live data: the hashes, and a marker written a moment ago by another connection.
    expect(dump.includes(Buffer.from(callerHash(callers[0]!)))).toBe(true);
    await h.sql(
      "insert into audit_log (at, actor_type, actor_id, action, outcome, detail) values (0, 'system', 'test', 'keys.rotate', 'ok', 'dump-marker-7f3a')",
    );
    expect((await h.dump()).includes(Buffer.from('dump-marker-7f3a'))).toBe(true);
  });

  it('logs no credential, caller number or key, even at debug level', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    const store = await h.open({}, { logger });
    await store.recordConsent(IVR, ANI, { wordingVersion: 'v1' });
    await put(store);
    await store.getCredential(AGENT, ANI);
    await store.rotate();
    await store.purge();
    await store.withdrawConsent(AGENT, ANI);
    await failure(store.getCredential(AGENT, 'garbage'));
    const text = lines.join('');
    expect(text).toContain(callerHash(ANI));
    for (const needle of [CREDENTIAL, ANI, ANI.slice(1), KEY_1.key, '600000000', aniDigest(ANI)])
      expect(text).not.toContain(needle);
  });

  it('answers store.unavailable while the database fails, and recovers by itself', async () => {
    const store = await h.open({}, { sqlite: { busyTimeoutMs: 50 } });
    await put(store);
    await h.disrupt();
    const during = await store.getCredential(AGENT, ANI).then(
      (value) => ({ value }),
      (error: KitError) => ({ error }),
    );
    if ('error' in during) expect(during.error).toMatchObject({ code: 'store.unavailable', status: 503 });
    else expect(during.value!.credential).toBe(CREDENTIAL);
    await h.restore();
    expect((await store.getCredential(AGENT, ANI))!.credential).toBe(CREDENTIAL);
    await put(store, ANI, 'after-recovery');
    expect((await store.getCredential(AGENT, ANI))!.credential).toBe('after-recovery');
    await store.ping();
  });

  it('never acknowledges a write it did not make durable, while the database keeps failing', async () => {
    const store = await h.open({}, { sqlite: { busyTimeoutMs: 5 } });
    await put(store, '+34600000999');
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let chaos = true;
    const disruptions = (async () => {
      while (chaos) {
        // Between two writes there may be no connection to cut; the next round tries again.
        await h.disrupt().catch(() => undefined);
        await pause(2);
        await h.restore();
        await pause(8);
      }
    })();
    const outcomes = await Promise.all(
      Array.from({ length: 120 }, async (_, i) => {
        const ani = `+34600001${String(i).padStart(3, '0')}`;
        await pause(i);
        return put(store, ani, `credential-${i}`).then(
          () => ({ ani, i, acked: true as const }),
          (err: KitError) => ({ ani, i, acked: false as const, code: err.code }),
        );
      }),
    );
    chaos = false;
    await disruptions;

    const failed = outcomes.filter((o) => !o.acked);
    for (const f of failed) expect(f.code).toBe('store.unavailable');
    for (const o of outcomes.filter((x) => x.acked)) {
      expect((await store.getCredential(AGENT, o.ani))?.credential).toBe(`credential-${o.i}`);
    }
    await store.ping();
  });

  if (h.kind === 'postgres') {
    /** Log lines of a store at info level, parsed. */
    const logLines = () => {
      const lines: { msg: string }[] = [];
      const logger = pino(
        { level: 'info' },
        { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) },
      );
      const retries = () => lines.filter((l) => l.msg.startsWith('database transaction interrupted')).length;
      return { logger, retries };
    };
    const storeBackends = async (where = '') =>
      h.sql(`select pid from pg_stat_activity where application_name = ?${where}`, [
        new URL(h.databaseUrl()).searchParams.get('application_name'),
      ]);

    it('serves the next operation after every connection was cut (a server restart), and no dead connection after it', async () => {
      const log = logLines();
      const store = await h.open({}, { logger: log.logger });
      await put(store);
      for (let round = 0; round < 4; round++) {
        // Operations at once, so that the pool then holds several idle connections.
        await Promise.all(Array.from({ length: 6 }, () => store.getCredential(AGENT, ANI)));
        expect((await storeBackends()).length).toBeGreaterThanOrEqual(3);
        await h.disrupt(); // pg_terminate_backend on each of them

        expect((await store.getCredential(AGENT, ANI))!.credential).toBe(CREDENTIAL);
        // The pool was replaced: what follows, one after another or at once, meets live connections only.
        const retries = log.retries();
        await put(store);
        await store.recordConsent(IVR, ANI, { wordingVersion: 'v1' });
        for (let i = 0; i < 3; i++)
          expect((await store.getCredential(AGENT, ANI))!.credential).toBe(CREDENTIAL);
        const burst = await Promise.all(Array.from({ length: 12 }, () => store.getCredential(IVR, ANI)));
        expect(burst.every((r) => r?.credential === CREDENTIAL)).toBe(true);
        expect(log.retries()).toBe(retries);
      }
      // Every read above left its audit row: 4 × (6 + 1 + 3 + 12).
      expect((await store.queryAudit({ action: 'credential.read', limit: 1000 })).length).toBe(88);
    });

    it('never retries a transaction whose connection is lost during COMMIT, and recovers after it', async () => {
      const log = logLines();
      const store = await h.open({}, { logger: log.logger });
      await put(store);
      // A deferred trigger makes one transaction's COMMIT wait, so the connection can be cut right then.
      await h.sql(
        'create function slow_commit() returns trigger language plpgsql as $$ begin perform pg_sleep(30); return null; end $$',
      );
      await h.sql(
        "create constraint trigger slow_commit after insert on audit_log deferrable initially deferred for each row when (new.detail = 'slow-commit') execute function slow_commit()",
      );
      const denied = store
        .recordDenied(AGENT, { ani: ANI, action: 'credential.read', reason: 'slow-commit' })
        .then(
          () => undefined,
          (err: KitError) => err,
        );
      let sleeping: Record<string, unknown>[] = [];
      while (sleeping.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        sleeping = await storeBackends(" and wait_event = 'PgSleep'");
      }
      await h.sql('select pg_terminate_backend(?)', [sleeping[0]!.pid]);

      expect(await denied).toMatchObject({ code: 'store.unavailable', status: 503 });
      expect(log.retries()).toBe(0);
      // Run once only: the cut COMMIT left nothing (had it been retried, the row would be there).
      expect(await h.sql("select id from audit_log where detail = 'slow-commit'")).toEqual([]);
      expect((await store.getCredential(AGENT, ANI))!.credential).toBe(CREDENTIAL);
    });
  }
});
