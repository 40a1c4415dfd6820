/**
 * What the widget relies on besides the seed routes (contracts A, C, D): the credential status route,
 * consent refused, `/token` only for an agent on the conversation it names (audited), config.js in
 * relay mode, and the routes relay mode closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, request } from './helpers/http.js';
import { describeEachDatabase } from './helpers/databases.js';
import { AGENT_2, disconnectConversation } from './helpers/genesys.js';
import { startEnv, type TestEnv } from './helpers/env.js';
import { MODEL_HASH } from './helpers/config.js';

async function importConfigJs(text: string): Promise<Record<string, unknown>> {
  const url = `data:text/javascript;base64,${Buffer.from(text).toString('base64')}`;
  return ((await import(url)) as { default: Record<string, unknown> }).default;
}

describeEachDatabase('widget contract, direct mode', (kind) => {
  let env: TestEnv;
  let token: string;
  beforeAll(async () => {
    env = await startEnv(kind);
    token = await env.agentToken();
  });
  afterAll(() => env?.close());

  it('answers the credential status without the credential, and audits it as credential.status', async () => {
    const ani = '+34620000001';
    const conversationId = await env.conversation(ani);
    const path = `/api/v1/credentials/${encodeURIComponent(ani)}/status`;
    const none = await request(env.base, 'GET', path, { token, conversationId });
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ ani, registered: false });

    await request(env.base, 'PUT', `/api/v1/credentials/${encodeURIComponent(ani)}`, {
      token,
      conversationId,
      json: { credential: 'status-secret-cred' },
    });
    const some = await request(env.base, 'GET', `${path}?conversationId=${conversationId}`, { token });
    expect(some.status).toBe(200);
    expect(some.body).toMatchObject({ ani, registered: true, modelHash: MODEL_HASH, modelCurrent: true });
    expect(Date.parse(some.body.createdAt as string)).toBeGreaterThan(0);
    expect(some.text).not.toContain('status-secret-cred');
    const audit = await env.server.store.queryAudit({ ani, action: 'credential.status' });
    expect(audit.map((a) => a.outcome)).toEqual(['ok', 'not_found']);
    expect(audit[0]).toMatchObject({ conversationId, actor: { type: 'agent' } });

    const mismatch = await request(env.base, 'GET', `/api/v1/credentials/%2B34620000099/status`, {
      token,
      conversationId,
    });
    expect(codeOf(mismatch)).toBe('ani.mismatch');
    const denied = await env.server.store.queryAudit({ ani: '+34620000099' });
    expect(denied[0]).toMatchObject({
      action: 'credential.status',
      outcome: 'denied',
      detail: 'ani.mismatch',
    });
  });

  it('records a refused consent (which deletes nothing), and a grant after it', async () => {
    const ani = '+34620000002';
    const conversationId = await env.conversation(ani);
    const path = `/api/v1/consent/${encodeURIComponent(ani)}`;
    await request(env.base, 'POST', '/database/storeCredential', {
      token,
      conversationId,
      form: { id: ani, credential: 'kept' },
    });
    const refused = await request(env.base, 'PUT', path, {
      token,
      conversationId,
      json: { wordingVersion: '3', decision: 'refused' },
    });
    expect(refused.status).toBe(200);
    const agentId = env.genesys.agents[0]!.id;
    expect(refused.body).toMatchObject({
      status: 'refused',
      granted: null,
      refused: { actor: { type: 'agent', id: agentId }, conversationId, wordingVersion: '3' },
      withdrawn: null,
    });
    expect((await request(env.base, 'GET', path, { token, conversationId })).body).toEqual(refused.body);
    const credential = await request(
      env.base,
      'GET',
      `/database/getCredential?id=${encodeURIComponent(ani)}`,
      {
        token,
        conversationId,
      },
    );
    expect(credential.body).toEqual({ credential: 'kept' });

    const granted = await request(env.base, 'PUT', path, {
      token,
      conversationId,
      json: { wordingVersion: '3', decision: 'granted' },
    });
    expect(granted.body).toMatchObject({
      status: 'granted',
      refused: null,
      granted: { wordingVersion: '3' },
    });
    const bad = await request(env.base, 'PUT', path, {
      token,
      conversationId,
      json: { wordingVersion: '3', decision: 'later' },
    });
    expect(bad.status).toBe(400);
    expect(codeOf(bad)).toBe('request.invalid_field');
  });

  it('gives /token only to an agent on the conversation it names, and audits each hand-out', async () => {
    const missing = await request(env.base, 'GET', '/token', { token });
    expect(missing.status).toBe(400);
    expect(codeOf(missing)).toBe('conversation.missing_id');

    const others = await env.conversation('+34620000003', AGENT_2);
    const notOn = await request(env.base, 'GET', '/token', { token, conversationId: others });
    expect(notOn.status).toBe(403);
    expect(codeOf(notOn)).toBe('auth.not_on_conversation');
    const refusedRows = await env.server.store.queryAudit({ conversationId: others, action: 'token.issue' });
    expect(refusedRows[0]).toMatchObject({ outcome: 'denied', detail: 'auth.not_on_conversation' });

    const ended = await env.conversation('+34620000004');
    await disconnectConversation(env.genesys, ended);
    expect(codeOf(await request(env.base, 'GET', '/token', { token, conversationId: ended }))).toBe(
      'auth.not_on_conversation',
    );

    const mine = await env.conversation('+34620000005');
    const byHeader = await request(env.base, 'GET', '/token', { token, conversationId: mine });
    expect(byHeader.status).toBe(200);
    expect(typeof byHeader.body.access_token).toBe('string');
    const byQuery = await request(env.base, 'GET', `/token?conversationId=${mine}`, { token });
    expect(byQuery.status).toBe(200);
    const rows = await env.server.store.queryAudit({ conversationId: mine, action: 'token.issue' });
    expect(rows.map((r) => r.outcome)).toEqual(['ok', 'ok']);
    expect(rows[0]!.actor).toEqual({ type: 'agent', id: env.genesys.agents[0]!.id });
    expect(JSON.stringify(rows)).not.toContain(byHeader.body.access_token as string);
  });

  it('refuses conversation ids that are not Genesys ids before asking Genesys anything', async () => {
    env.genesys.resetRequestCounts();
    for (const id of ['.', '..', '../users/me', 'a%2Fb', 'conv-1', '0c0e5a1e-0000-4000-8000-00000000000g']) {
      const answer = await request(env.base, 'GET', `/token?conversationId=${id}`, { token });
      expect(answer.status, id).toBe(400);
      expect(codeOf(answer), id).toMatch(/^(request\.invalid_field|conversation\.invalid_id)$/);
      const byHeader = await request(env.base, 'GET', '/database/getCredential?id=%2B34620000006', {
        token,
        headers: { 'X-Conversation-Id': decodeURIComponent(id) },
      });
      expect(byHeader.status, id).toBe(400);
      expect(codeOf(byHeader), id).toBe('conversation.invalid_id');
    }
    const conversationCalls = env.genesys
      .requestCounts()
      .routes.filter((r) => r.route.startsWith('/api/v2/conversations'));
    expect(conversationCalls).toEqual([]);
  });
});

describe('widget contract, relay mode', () => {
  let env: TestEnv;
  let token: string;
  beforeAll(async () => {
    env = await startEnv('sqlite', { widget: { signalling: 'relay', consentWordingVersion: '2025-06' } });
    token = await env.agentToken();
  });
  afterAll(() => env?.close());

  it('tells the widget where the relay is in config.js', async () => {
    const config = await importConfigJs((await request(env.base, 'GET', '/config.js')).text);
    expect(config).toMatchObject({
      signalling: 'relay',
      relay: {
        url: 'http://127.0.0.1:18080',
        path: '/socket.io',
        registerNamespace: '/register',
        verifyNamespace: '/verify',
      },
      requireConsent: false,
      consentWordingVersion: '2025-06',
    });
  });

  it('closes the routes that would hand a credential or a das-Peak token to the browser; delete and status stay', async () => {
    const ani = '+34620000010';
    const conversationId = await env.conversation(ani);
    const enc = encodeURIComponent(ani);
    const closed: [string, string, Parameters<typeof request>[3]][] = [
      ['GET', `/database/getCredential?id=${enc}`, { token, conversationId }],
      ['POST', '/database/storeCredential', { token, conversationId, form: { id: ani, credential: 'x' } }],
      ['GET', `/api/v1/credentials/${enc}`, { token, conversationId }],
      ['PUT', `/api/v1/credentials/${enc}`, { token, conversationId, json: { credential: 'x' } }],
      // Refused before anyone is identified: no token needed to learn the mode.
      ['GET', `/api/v1/credentials/${enc}`, {}],
    ];
    for (const [method, path, options] of closed) {
      const answer = await request(env.base, method, path, options);
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(codeOf(answer), `${method} ${path}`).toBe('credential.relay_mode');
    }
    const tokenAnswer = await request(env.base, 'GET', '/token', { token, conversationId });
    expect(tokenAnswer.status).toBe(403);
    expect(codeOf(tokenAnswer)).toBe('token.relay_mode');
    expect(env.tokens.requests()).toBe(0);
    // Closed routes are not access denials: no audit rows for them.
    expect(await env.server.store.queryAudit({ ani })).toEqual([]);

    const status = await request(env.base, 'GET', `/api/v1/credentials/${enc}/status`, {
      token,
      conversationId,
    });
    expect(status.body).toEqual({ ani, registered: false });
    const deleted = await request(env.base, 'DELETE', '/database/deleteCredential', {
      token,
      conversationId,
      form: { id: ani },
    });
    expect(deleted.body).toEqual({ deleted: false });
  });
});
