/**
 * The backend writes its refusals of GET /token and of consent reads to the store's audit log
 * (token.issue, consent.read), through the real server on both databases. Kept beside the store
 * tests because the audit actions are the store's; the helpers are the server suites'.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_KEY_1, ENCRYPTION_KEY } from '../server/helpers/config.js';
import { callerHash } from './harness.js';
import { describeEachDatabase } from '../server/helpers/databases.js';
import { startEnv, type TestEnv } from '../server/helpers/env.js';
import { adminToken } from '../server/helpers/genesys.js';
import { codeOf, request } from '../server/helpers/http.js';

describeEachDatabase('refusals of tokens and consent reads in the audit log', (kind) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(kind);
  });
  afterAll(() => env?.close());

  const denied = (action: 'token.issue' | 'consent.read') =>
    env.server.store.queryAudit({ action, outcome: 'denied' });

  it('writes a token.issue row for each refused GET /token, and none for a token handed out', async () => {
    const missing = await request(env.base, 'GET', '/token');
    expect(missing.status).toBe(401);
    const unknown = await request(env.base, 'GET', '/token', { token: 'not-a-genesys-token' });
    expect(codeOf(unknown)).toBe('auth.invalid_token');
    const notAnAgent = await request(env.base, 'GET', '/token', { token: await adminToken(env.genesys) });
    expect(codeOf(notAnAgent)).toBe('auth.not_an_agent');

    const rows = await denied('token.issue');
    expect(rows.map((r) => r.detail)).toEqual([
      'auth.not_an_agent',
      'auth.invalid_token',
      'auth.missing_token',
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({ actor: { type: 'agent', id: 'unauthenticated' }, aniHash: null });
    }
    expect(JSON.stringify(rows)).not.toContain('not-a-genesys-token');

    // A token handed out (Express route, then the fast path) is audited too, as ok.
    const onCall = await env.onCall();
    expect((await request(env.base, 'GET', '/token', onCall)).status).toBe(200);
    expect((await request(env.base, 'GET', '/token', onCall)).status).toBe(200);
    const all = await env.server.store.queryAudit({ action: 'token.issue' });
    expect(all.map((r) => r.outcome)).toEqual(['ok', 'ok', 'denied', 'denied', 'denied']);
    expect(all[0]).toMatchObject({ conversationId: onCall.conversationId, actor: { type: 'agent' } });
  });

  it('writes a consent.read row for a refused consent read, by an agent or a data action', async () => {
    const ani = '+34611000077';
    const path = `/api/v1/consent/${encodeURIComponent(ani)}`;
    const unauthenticated = await request(env.base, 'GET', path, {
      conversationId: '0c0e5a1e-0000-4000-8000-00000000c0de',
    });
    expect(unauthenticated.status).toBe(401);

    // An agent asking about a caller who is not on the agent's conversation.
    const token = await env.agentToken();
    const conversationId = await env.conversation('+34611000078');
    const mismatch = await request(env.base, 'GET', path, { token, conversationId });
    expect(mismatch.status).toBe(403);
    expect(codeOf(mismatch)).toBe('ani.mismatch');

    const badKey = await request(env.base, 'GET', `/api/v1/ivr/consent/${encodeURIComponent(ani)}`, {
      apiKey: `${API_KEY_1}x`,
    });
    expect(codeOf(badKey)).toBe('auth.invalid_api_key');

    const rows = await denied('consent.read');
    expect(rows.map((r) => [r.detail, r.actor.type, r.aniHash])).toEqual([
      ['auth.invalid_api_key', 'ivr', callerHash(ani, ENCRYPTION_KEY)],
      ['ani.mismatch', 'agent', callerHash(ani, ENCRYPTION_KEY)],
      ['auth.missing_token', 'agent', callerHash(ani, ENCRYPTION_KEY)],
    ]);
    expect(rows[1]).toMatchObject({ conversationId, actor: { id: env.genesys.agents[0]!.id } });
    expect(rows[2]).toMatchObject({
      conversationId: '0c0e5a1e-0000-4000-8000-00000000c0de',
      actor: { id: 'unauthenticated' },
    });

    // A consent read that is allowed writes nothing (it changes nothing).
    const own = await env.conversation(ani);
    expect((await request(env.base, 'GET', path, { token, conversationId: own })).status).toBe(404);
    expect(await env.server.store.queryAudit({ action: 'consent.read' })).toHaveLength(3);
  });
});
