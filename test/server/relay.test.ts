/**
 * The relay of relay mode end to end, as the browser would use it (socket.io-client): the local
 * stack (Genesys sandbox org provisioned by the kit, das-Peak emulator, the backend in relay mode),
 * calls placed by the org that stream their audio over Audiohook to the emulator, and the widget's
 * side of contract B driven over a real WebSocket. Register, verify, no-match, spoof, consent
 * required, an agent who is not on the call (no das-Peak session at all), a revoked token, a
 * mismatched call_id, a browser that goes away, das-Peak down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KitConfig } from '../../src/config/index.js';
import { startLocalStack, type LocalStack } from '../../src/sandbox/stack.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { callAudioWav, voiceAudio } from '../../src/simulate/index.js';
import { io } from 'socket.io-client';
import { relay, type RelayRun } from './helpers/relay-client.js';
import { AGENT, AGENT_2, agentToken, createWidgetClient, startConversation } from './helpers/genesys.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

let stack: LocalStack;
let dir: string;
let widgetClient: string;
let backend: RunningServer;
let org: NonNullable<LocalStack['genesys']>;
let daspeak: NonNullable<LocalStack['daspeak']>;
let callers = 0;

/** A new caller number for each call, so the emulator's replay memory never mixes tests. */
const nextAni = () => `+3466${String(++callers).padStart(7, '0')}`;

/** Asks the org to place a call from `ani` answered by `agent`, streaming `voice` over Audiohook. */
async function placeCall(ani: string, voice: string, operation: 'register' | 'verify', agent = AGENT) {
  const res = await fetch(`${org.url}/sandbox/calls`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      ani,
      queue: 'Support',
      agent,
      audio: { wav: callAudioWav(voiceAudio(voice, operation)) },
      speed: 20,
      keepConnected: true,
    }),
  });
  const body = (await res.json()) as { id: string; conversationId: string };
  if (res.status !== 200) throw new Error(`call refused: ${JSON.stringify(body)}`);
  return body;
}

async function hangUp(callId: string) {
  await fetch(`${org.url}/sandbox/calls/${callId}/hangup`, { method: 'POST' });
}

/** The run ended with `event` `{call_id, code, message}`, and the backend closed the socket. */
function expectEnded(run: RelayRun, event: string, conversationId: string, code: string): void {
  expect(run.last).toEqual({
    event,
    payload: { call_id: conversationId, code, message: expect.any(String) as string },
  });
  expect(run.disconnected).toBe(true);
}

const init = (conversationId: string, extra: Record<string, unknown> = {}) => ({
  metadata: { call_id: conversationId },
  ...extra,
});

/** Waits until the emulator holds no session (finished ones are kept a while: counted as held). */
async function liveSessions(): Promise<number> {
  return daspeak.stats().liveSessions;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'daspeak-relay-'));
  stack = await startLocalStack({
    genesysPort: 0,
    daspeakPort: 0,
    backendPort: 0,
    provision: true,
    cwd: dir,
    dataDir: 'data',
  });
  org = stack.genesys!;
  daspeak = stack.daspeak!;
  backend = stack.backend!;
  widgetClient = await createWidgetClient(org);
});

afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the relay (relay mode, the default)', () => {
  it('is the default: config.js names it and the stack’s backend serves it', async () => {
    expect(stack.config.widget.signalling).toBe('relay');
    const config = await (await fetch(new URL('config.js', backend.url))).text();
    expect(config).toContain('"signalling": "relay"');
    expect(config).toContain('"registerNamespace": "/register"');
  });

  it('registers, then verifies the same caller; the credential never reaches the browser', async () => {
    const token = await agentToken(org, widgetClient, AGENT);
    const ani = nextAni();
    const call = await placeCall(ani, 'alice', 'register');
    // Whatever else the browser sends is ignored: thresholds, model hash, a credential of its own.
    const reg = await relay(
      backend.url,
      'register',
      { token, conversationId: call.conversationId },
      init(call.conversationId, {
        register_request: { authenticity_threshold: 0, audio_total_duration: 0.1, model_hash: 'forged' },
      }),
    );
    await hangUp(call.id);
    expect(reg.connectError).toBeUndefined();
    expect(reg.names[0]).toBe('info-consumer-ready');
    expect(reg.names).toContain('info-vad-status');
    expect(reg.last?.event).toBe('result-success');
    expect(reg.last?.payload).toMatchObject({
      call_id: call.conversationId,
      stored: true,
      model_hash: stack.config.daspeak.modelHash,
    });
    expect(typeof reg.last?.payload.session_id).toBe('string');
    expect(reg.last?.payload).not.toHaveProperty('credential');
    expect(reg.disconnected).toBe(true);

    const vad = reg.events.filter((e) => e.event === 'info-vad-status').at(-1)!.payload;
    // The config's 5 s of net speech, not the 0.1 s the browser asked for.
    expect(vad.audio_total_duration).toBe(5);

    const agentId = org.agents[0]!.id;
    const stored = await backend.store.getCredential({ actor: { type: 'admin', id: 'test' } }, ani);
    expect(stored?.credential).toBeTruthy();
    expect(JSON.stringify(reg.events)).not.toContain(stored!.credential);
    const rows = await backend.store.queryAudit({ ani, action: 'relay.session' });
    expect(rows[0]).toMatchObject({
      outcome: 'ok',
      conversationId: call.conversationId,
      actor: { type: 'agent', id: agentId },
    });
    expect(rows[0]!.detail).toMatch(/^register:result-success,session=[^,]+,stored=true$/);
    const storeRows = await backend.store.queryAudit({ ani, action: 'credential.store' });
    expect(storeRows[0]).toMatchObject({ outcome: 'ok', actor: { type: 'agent', id: agentId } });

    const again = await placeCall(ani, 'alice', 'verify');
    const ver = await relay(
      backend.url,
      'verify',
      { token, conversationId: again.conversationId },
      init(again.conversationId),
    );
    await hangUp(again.id);
    expect(ver.last?.event).toBe('result-success');
    expect(ver.last?.payload).toMatchObject({ call_id: again.conversationId });
    expect(ver.last?.payload.score as number).toBeGreaterThanOrEqual(
      stack.config.daspeak.verificationThreshold,
    );
    expect(ver.last?.payload.threshold).toBe(stack.config.daspeak.verificationThreshold);
    const verifyRows = await backend.store.queryAudit({ ani, action: 'relay.session' });
    expect(verifyRows[0]!.detail).toMatch(/^verify:result-success,session=[^,]+,score=0\.\d+$/);

    // Another speaker on the registered number: a score failure.
    const impostor = await placeCall(ani, 'bruno', 'verify');
    const noMatch = await relay(
      backend.url,
      'verify',
      { token, conversationId: impostor.conversationId },
      init(impostor.conversationId),
    );
    await hangUp(impostor.id);
    expect(noMatch.last?.event).toBe('result-fail-score');
    expect(noMatch.last?.payload.score as number).toBeLessThan(stack.config.daspeak.verificationThreshold);

    // The registration audio played again: a replay, so a spoof.
    const replay = await placeCall(ani, 'alice', 'register');
    const spoof = await relay(
      backend.url,
      'verify',
      { token, conversationId: replay.conversationId },
      init(replay.conversationId),
    );
    await hangUp(replay.id);
    expect(spoof.last?.event).toBe('result-fail-spoof');
  });

  it('answers credential.not_found for a verify of a caller with no voice, without a das-Peak session', async () => {
    const token = await agentToken(org, widgetClient, AGENT);
    const conversationId = await startConversation(org, nextAni(), AGENT);
    const sockets = daspeak.stats().socketConnections;
    const run = await relay(backend.url, 'verify', { token, conversationId }, init(conversationId));
    expectEnded(run, 'error-parameters', conversationId, 'credential.not_found');
    expect(daspeak.stats().socketConnections).toBe(sockets);
  });

  it('refuses an agent who is not on the call: connect_error, audited, and no das-Peak session', async () => {
    const before = daspeak.stats();
    const owner = await placeCall(nextAni(), 'chen', 'register', AGENT);
    const intruder = await agentToken(org, widgetClient, AGENT_2);
    for (const operation of ['register', 'verify'] as const) {
      const run = await relay(
        backend.url,
        operation,
        { token: intruder, conversationId: owner.conversationId },
        init(owner.conversationId),
      );
      expect(run.connectError?.message).toBe('auth.not_on_conversation');
      expect(run.connectError?.data).toEqual({
        code: 'auth.not_on_conversation',
        message: expect.any(String) as string,
      });
      expect(run.events).toEqual([]);
    }
    await hangUp(owner.id);
    const after = daspeak.stats();
    expect(after.sessions).toBe(before.sessions);
    expect(after.socketConnections).toBe(0);
    const rows = await backend.store.queryAudit({
      conversationId: owner.conversationId,
      action: 'relay.session',
    });
    expect(rows.map((r) => [r.outcome, r.detail, r.actor.id])).toEqual([
      ['denied', 'auth.not_on_conversation', org.agents[1]!.id],
      ['denied', 'auth.not_on_conversation', org.agents[1]!.id],
    ]);
  });

  it('refuses a missing, unknown or revoked token, and a conversation id that is not one', async () => {
    const conversationId = await startConversation(org, nextAni(), AGENT);
    const missing = await relay(backend.url, 'register', { conversationId });
    expect(missing.connectError?.message).toBe('auth.missing_token');
    const unknown = await relay(backend.url, 'register', { token: 'not-a-genesys-token', conversationId });
    expect(unknown.connectError?.message).toBe('auth.invalid_token');
    const token = await agentToken(org, widgetClient, AGENT);
    const dotted = await relay(backend.url, 'register', { token, conversationId: '..' });
    expect(dotted.connectError?.message).toBe('conversation.invalid_id');
    const none = await relay(backend.url, 'register', { token });
    expect(none.connectError?.message).toBe('conversation.missing_id');

    // The token is good, then the agent signs out (Genesys revokes it): the very next handshake fails.
    const ok = await relay(backend.url, 'verify', { token, conversationId }, init(conversationId));
    expect(ok.last?.payload.code).toBe('credential.not_found');
    const revoked = await fetch(`${org.url}/api/v2/tokens/me`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(revoked.status).toBe(204);
    const after = await relay(backend.url, 'verify', { token, conversationId }, init(conversationId));
    expect(after.connectError?.message).toBe('auth.invalid_token');
  });

  it('answers relay.call_mismatch when initialize names another call, without a das-Peak session', async () => {
    const token = await agentToken(org, widgetClient, AGENT);
    const mine = await startConversation(org, nextAni(), AGENT);
    const other = await startConversation(org, nextAni(), AGENT_2);
    const sessions = daspeak.stats().sessions;
    const run = await relay(backend.url, 'register', { token, conversationId: mine }, init(other));
    expect(run.last).toMatchObject({ event: 'error-parameters', payload: { code: 'relay.call_mismatch' } });
    expect(run.disconnected).toBe(true);
    expect(daspeak.stats().sessions).toBe(sessions);
  });

  it('cancels the das-Peak session when the browser goes away', async () => {
    const token = await agentToken(org, widgetClient, AGENT);
    // A call with no audio: the session waits for the consumer until the browser leaves.
    const conversationId = await startConversation(org, nextAni(), AGENT);
    const run = relay(backend.url, 'register', { token, conversationId }, (socket) => {
      socket.emit('initialize', init(conversationId));
      const poll = setInterval(() => {
        if (daspeak.stats().liveSessions > 0) {
          clearInterval(poll);
          socket.disconnect();
        }
      }, 20);
    });
    await run;
    await vi.waitFor(async () => expect(await liveSessions()).toBe(0), { timeout: 5_000 });
    await vi.waitFor(async () => {
      const rows = await backend.store.queryAudit({ conversationId, action: 'relay.session' });
      expect(rows[0]).toMatchObject({ outcome: 'error', detail: 'register:aborted' });
    });
  });

  it('refuses a page of another origin', async () => {
    const token = await agentToken(org, widgetClient, AGENT);
    const conversationId = await startConversation(org, nextAni(), AGENT);
    const url = new URL(backend.url);
    const socket = io(`${url.origin}/register`, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token, conversationId },
      forceNew: true,
      reconnection: false,
      extraHeaders: { Origin: 'https://evil.example' },
    });
    const error = await new Promise<Error>((resolve) => socket.on('connect_error', resolve));
    socket.disconnect();
    expect(error.message).toMatch(/websocket error|xhr poll error|Forbidden|403/i);
  });
});

describe('the relay with a backend of its own configuration', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  async function serve(patch: (config: KitConfig) => KitConfig): Promise<RunningServer> {
    const config = patch(structuredClone(stack.config));
    const server = await startServer(config, {
      host: '127.0.0.1',
      port: 0,
      organizationId: org.organizationId,
      storeOptions: { baseDir: dir },
    });
    servers.push(server);
    return server;
  }

  it('refuses a registration without consent when consent is required, then registers once it is granted', async () => {
    const server = await serve((c) => ({
      ...c,
      backend: { ...c.backend, requireConsent: true, databaseUrl: `sqlite:${join(dir, 'consent.db')}` },
    }));
    const config = await (await fetch(new URL('config.js', server.url))).text();
    expect(config).toContain('"requireConsent": true');
    const token = await agentToken(org, widgetClient, AGENT);
    const ani = nextAni();
    const call = await placeCall(ani, 'dora', 'register');
    const sessions = daspeak.stats().sessions;
    const refused = await relay(
      server.url,
      'register',
      { token, conversationId: call.conversationId },
      init(call.conversationId),
    );
    expect(refused.last).toMatchObject({
      event: 'error-parameters',
      payload: { call_id: call.conversationId, code: 'store.consent_required' },
    });
    expect(daspeak.stats().sessions).toBe(sessions);

    const consent = await fetch(new URL(`api/v1/consent/${encodeURIComponent(ani)}`, server.url), {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${token}`,
        'X-Conversation-Id': call.conversationId,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ wordingVersion: '1' }),
    });
    expect(consent.status).toBe(200);
    const reg = await relay(
      server.url,
      'register',
      { token, conversationId: call.conversationId },
      init(call.conversationId),
    );
    await hangUp(call.id);
    expect(reg.last?.event).toBe('result-success');
    expect(reg.last?.payload.stored).toBe(true);
  });

  it('answers error-backend daspeak.unreachable when das-Peak cannot be reached', async () => {
    const server = await serve((c) => ({
      ...c,
      daspeak: { ...c.daspeak, socketio: { ...c.daspeak.socketio, url: 'http://127.0.0.1:9' } },
      backend: { ...c.backend, databaseUrl: `sqlite:${join(dir, 'down.db')}` },
    }));
    const token = await agentToken(org, widgetClient, AGENT);
    const conversationId = await startConversation(org, nextAni(), AGENT);
    const run = await relay(server.url, 'register', { token, conversationId }, init(conversationId));
    expectEnded(run, 'error-backend', conversationId, 'daspeak.unreachable');
  });

  it('answers error-backend token.unavailable when the das-Peak token endpoint is down', async () => {
    const server = await serve((c) => ({
      ...c,
      daspeak: {
        ...c.daspeak,
        auth: { ...c.daspeak.auth, tokenUrl: 'http://127.0.0.1:9/socket.io/oauth2/token' },
      },
      backend: { ...c.backend, databaseUrl: `sqlite:${join(dir, 'notoken.db')}` },
    }));
    const token = await agentToken(org, widgetClient, AGENT);
    const conversationId = await startConversation(org, nextAni(), AGENT);
    const run = await relay(server.url, 'register', { token, conversationId }, init(conversationId));
    expect(run.last).toMatchObject({ event: 'error-backend', payload: { code: 'token.unavailable' } });
  });

  it('is not there in direct mode', async () => {
    const server = await serve((c) => ({
      ...c,
      widget: { ...c.widget, signalling: 'direct' },
      backend: { ...c.backend, databaseUrl: `sqlite:${join(dir, 'direct.db')}` },
    }));
    const token = await agentToken(org, widgetClient, AGENT);
    const conversationId = await startConversation(org, nextAni(), AGENT);
    const run = await relay(server.url, 'register', { token, conversationId }, init(conversationId), 5_000);
    expect(run.connectError).toBeDefined();
    expect(run.events).toEqual([]);
  });
});
