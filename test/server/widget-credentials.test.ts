import { afterAll, beforeAll, expect, it } from 'vitest';
import { codeOf, request } from './helpers/http.js';
import { describeEachDatabase } from './helpers/databases.js';
import { AGENT_2, disconnectConversation } from './helpers/genesys.js';
import { startEnv, type TestEnv } from './helpers/env.js';
import { MODEL_HASH } from './helpers/config.js';

describeEachDatabase('widget credential routes', (kind) => {
  let env: TestEnv;
  let token: string;
  beforeAll(async () => {
    env = await startEnv(kind);
    token = await env.agentToken();
  });
  afterAll(() => env?.close());

  it('stores, reads and deletes the credential of the caller on the agent’s conversation (seed routes)', async () => {
    const conversationId = await env.conversation('+34600000001');
    const stored = await request(env.base, 'POST', '/database/storeCredential', {
      token,
      conversationId,
      form: { id: 'tel:+34 600 000 001', credential: 'cred-A==' },
    });
    expect(stored.status).toBe(201);
    expect(stored.body).toEqual({ stored: true, created: true });

    const read = await request(env.base, 'GET', '/database/getCredential?id=%2B34600000001', {
      token,
      conversationId,
    });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ credential: 'cred-A==' });
    expect(read.headers.get('cache-control')).toBe('no-store');

    const replaced = await request(env.base, 'POST', '/database/storeCredential', {
      token,
      form: { id: '600000001', credential: 'cred-B==', conversationId },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({ stored: true, created: false });

    const deleted = await request(env.base, 'DELETE', '/database/deleteCredential', {
      token,
      conversationId,
      form: { id: '+34600000001' },
    });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deleted: true });

    const gone = await request(env.base, 'GET', '/database/getCredential?id=%2B34600000001', {
      token,
      conversationId,
    });
    expect(gone.status).toBe(404);
    expect(codeOf(gone)).toBe('credential.not_found');

    const again = await request(env.base, 'POST', '/database/deleteCredential', {
      token,
      conversationId,
      form: { id: '+34600000001' },
    });
    expect(again.body).toEqual({ deleted: false });
  });

  it('serves the same rules as a JSON resource under /api/v1/credentials/{ani}', async () => {
    const conversationId = await env.conversation('+34600000002');
    const path = `/api/v1/credentials/${encodeURIComponent('+34600000002')}`;
    const put = await request(env.base, 'PUT', path, {
      token,
      conversationId,
      json: { credential: 'json-cred' },
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ ani: '+34600000002', created: true, modelHash: MODEL_HASH });

    const get = await request(env.base, 'GET', `${path}?conversationId=${conversationId}`, { token });
    expect(get.status).toBe(200);
    expect(get.body).toMatchObject({ ani: '+34600000002', credential: 'json-cred', modelHash: MODEL_HASH });
    expect(typeof get.body.createdAt).toBe('string');

    const del = await request(env.base, 'DELETE', path, { token, conversationId });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const del2 = await request(env.base, 'DELETE', path, { token, conversationId });
    expect(del2.status).toBe(404);
    expect(codeOf(del2)).toBe('credential.not_found');
  });

  it('refuses a number that is not the caller of the conversation (ani.mismatch), and audits it', async () => {
    const conversationId = await env.conversation('+34600000003');
    const answer = await request(env.base, 'GET', '/database/getCredential?id=%2B34600000099', {
      token,
      conversationId,
    });
    expect(answer.status).toBe(403);
    expect(codeOf(answer)).toBe('ani.mismatch');
    const audit = await env.server.store.queryAudit({ ani: '+34600000099', outcome: 'denied' });
    expect(audit[0]).toMatchObject({ action: 'credential.read', detail: 'ani.mismatch', conversationId });
    expect(audit[0]?.actor.type).toBe('agent');
  });

  it('refuses another agent’s conversation (auth.not_on_conversation)', async () => {
    const conversationId = await env.conversation('+34600000004', AGENT_2);
    const answer = await request(env.base, 'POST', '/database/storeCredential', {
      token,
      conversationId,
      form: { id: '+34600000004', credential: 'x' },
    });
    expect(answer.status).toBe(403);
    expect(codeOf(answer)).toBe('auth.not_on_conversation');
    const audit = await env.server.store.queryAudit({ ani: '+34600000004' });
    expect(audit[0]).toMatchObject({
      action: 'credential.store',
      outcome: 'denied',
      detail: 'auth.not_on_conversation',
    });
  });

  it('refuses a conversation the agent has left', async () => {
    const conversationId = await env.conversation('+34600000005');
    await disconnectConversation(env.genesys, conversationId);
    const answer = await request(env.base, 'GET', '/database/getCredential?id=%2B34600000005', {
      token,
      conversationId,
    });
    expect(answer.status).toBe(403);
    expect(codeOf(answer)).toBe('auth.not_on_conversation');
  });

  it('answers 404 conversation.not_found for an unknown conversation', async () => {
    const answer = await request(env.base, 'GET', '/database/getCredential?id=%2B34600000006', {
      token,
      conversationId: '00000000-0000-4000-8000-000000000000',
    });
    expect(answer.status).toBe(404);
    expect(codeOf(answer)).toBe('conversation.not_found');
  });

  it('records, reads and withdraws the caller’s consent; withdrawing deletes the credential', async () => {
    const ani = '+34600000007';
    const conversationId = await env.conversation(ani);
    const path = `/api/v1/consent/${encodeURIComponent(ani)}`;
    const none = await request(env.base, 'GET', path, { token, conversationId });
    expect(none.status).toBe(404);
    expect(codeOf(none)).toBe('consent.not_found');

    const recorded = await request(env.base, 'PUT', path, {
      token,
      conversationId,
      json: { wordingVersion: 'v2' },
    });
    expect(recorded.status).toBe(200);
    const agentId = env.genesys.agents[0]!.id;
    expect(recorded.body).toMatchObject({
      ani,
      status: 'granted',
      granted: { actor: { type: 'agent', id: agentId }, conversationId, wordingVersion: 'v2' },
      withdrawn: null,
    });
    expect((await request(env.base, 'GET', path, { token, conversationId })).body).toEqual(recorded.body);

    await request(env.base, 'POST', '/database/storeCredential', {
      token,
      conversationId,
      form: { id: ani, credential: 'c' },
    });
    const withdrawn = await request(env.base, 'DELETE', path, { token, conversationId });
    expect(withdrawn.body).toEqual({ withdrawn: true, wasGranted: true, credentialDeleted: true });
    const credential = await request(
      env.base,
      'GET',
      `/database/getCredential?id=${encodeURIComponent(ani)}`,
      {
        token,
        conversationId,
      },
    );
    expect(credential.status).toBe(404);
    const after = await request(env.base, 'GET', path, { token, conversationId });
    expect(after.body).toMatchObject({
      status: 'withdrawn',
      withdrawn: { actor: { id: agentId }, conversationId },
    });

    const other = await request(env.base, 'PUT', `/api/v1/consent/%2B34600000098`, {
      token,
      conversationId,
      json: { wordingVersion: 'v2' },
    });
    expect(other.status).toBe(403);
    expect(codeOf(other)).toBe('ani.mismatch');
    const audit = await env.server.store.queryAudit({ ani: '+34600000098' });
    expect(audit[0]).toMatchObject({ action: 'consent.record', outcome: 'denied', detail: 'ani.mismatch' });
  });
});
