/**
 * The backend for Twilio Flex agents (platform: twilio), against real servers on 127.0.0.1: the
 * Twilio stand-in (IAM's Flex token check, TaskRouter, calls that stream Media Streams), the das-Peak
 * emulator, and the backend. A Flex agent with an accepted reservation may read, store and delete
 * its caller's credential, record consent, get a das-Peak token and run relayed sessions for its
 * call; everyone else is refused with the code the Genesys side uses.
 */
import { relay, type RelayRun } from './helpers/relay-client.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { codeOf, importConfigJs, request } from './helpers/http.js';
import { describeOnPostgres } from './helpers/databases.js';
import { startEnv, type TestEnv } from './helpers/env.js';
import {
  acceptTask,
  clearFaults,
  expireFlexToken,
  fault,
  flexToken,
  hangUp,
  nextCaller,
  placeCall,
  startTwilioBackend,
  startTwilioWorld,
  type TwilioBackend,
  type TwilioWorld,
} from './helpers/twilio.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

const GENESYS_ID = '0c0e5a1e-0000-4000-8000-00000000000a';
const CREDENTIAL = 'dHdpbGlvLWNyZWRlbnRpYWwtb25l';

let world: TwilioWorld;
let direct: TwilioBackend;
let relayed: TwilioBackend;

beforeAll(async () => {
  world = await startTwilioWorld();
  direct = await startTwilioBackend(world);
  relayed = await startTwilioBackend(world, { widget: { signalling: 'relay' } });
});

afterAll(async () => {
  await relayed?.close();
  await direct?.close();
  await world?.close();
});

afterEach(async () => {
  await clearFaults(world.twilio);
});

/** A Flex agent (the first worker, unless named) on a live call from a new caller. */
async function agentOnCall(worker?: string) {
  const { token, workerSid } = await flexToken(world.twilio, worker);
  const from = nextCaller();
  const call = await placeCall(world.twilio, from, worker !== undefined ? { worker } : {});
  return { token, workerSid, from, callSid: call.callSid, taskSid: call.taskSid };
}

/** The value of one series of the backend's /metrics. */
async function metric(base: string, name: string, labels: string): Promise<number> {
  const text = (await request(base, 'GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** A Flex agent's whole credential life on `backend` (direct mode): consent, store, reads, seed routes, delete, audit. */
async function storesReadsAndDeletes(backend: TwilioBackend): Promise<{ callSid: string }> {
  const a = await agentOnCall();
  const on = { token: a.token, conversationId: a.callSid };
  const ani = encodeURIComponent(a.from);

  const consent = await request(backend.base, 'PUT', `/api/v1/consent/${ani}`, {
    ...on,
    json: { wordingVersion: '1' },
  });
  expect(consent.status).toBe(200);
  expect(consent.body).toMatchObject({ ani: a.from, status: 'granted' });
  expect((consent.body.granted as Record<string, unknown>).conversationId).toBe(a.callSid);

  const put = await request(backend.base, 'PUT', `/api/v1/credentials/${ani}`, {
    ...on,
    json: { credential: CREDENTIAL },
  });
  expect(put.status).toBe(201);
  const read = await request(backend.base, 'GET', `/api/v1/credentials/${ani}`, on);
  expect(read.status).toBe(200);
  expect(read.body).toMatchObject({ ani: a.from, credential: CREDENTIAL });
  const status = await request(backend.base, 'GET', `/api/v1/credentials/${ani}/status`, on);
  expect(status.body).toMatchObject({ ani: a.from, registered: true });

  // The seed's utils.js routes, form-encoded, with the call SID as the conversation.
  const seedRead = await request(backend.base, 'GET', `/database/getCredential?id=${ani}`, on);
  expect(seedRead.body).toEqual({ credential: CREDENTIAL });
  const seedStore = await request(backend.base, 'POST', '/database/storeCredential', {
    ...on,
    form: { id: a.from, credential: `${CREDENTIAL}Zz` },
  });
  expect(seedStore.status).toBe(200);
  const seedDelete = await request(backend.base, 'DELETE', '/database/deleteCredential', {
    ...on,
    form: { id: a.from },
  });
  expect(seedDelete.body).toEqual({ deleted: true });
  const gone = await request(backend.base, 'DELETE', `/api/v1/credentials/${ani}`, on);
  expect(codeOf(gone)).toBe('credential.not_found');

  const rows = await backend.server.store.queryAudit({ ani: a.from });
  expect(rows.length).toBeGreaterThanOrEqual(6);
  for (const row of rows) {
    expect(row.actor).toEqual({ type: 'agent', id: a.workerSid });
    expect(row.conversationId).toBe(a.callSid);
  }
  expect(rows.map((r) => r.action)).toEqual(
    expect.arrayContaining(['consent.record', 'credential.store', 'credential.read', 'credential.delete']),
  );
  await hangUp(world.twilio, a.callSid);
  return { callSid: a.callSid };
}

/** Relay mode on `backend`: a registration on one call is stored and audited as the worker; the next call verifies. */
async function registersThenVerifies(backend: TwilioBackend): Promise<void> {
  const { token, workerSid } = await flexToken(world.twilio);
  const from = nextCaller();
  /** A relayed session on a new call from `from`, speaking `voice`; the call ends after it. */
  const sessionOnNewCall = async (operation: 'register' | 'verify', voice: string) => {
    const call = await placeCall(world.twilio, from, { voice });
    const run = await relayOn(backend.base, operation, { token, conversationId: call.callSid }, call.callSid);
    await hangUp(world.twilio, call.callSid);
    return { call, run };
  };
  const { call: first, run: reg } = await sessionOnNewCall('register', 'alice-register');
  expect(reg.connectError).toBeUndefined();
  expect(reg.names[0]).toBe('info-consumer-ready');
  expect(reg.last?.event).toBe('result-success');
  expect(reg.last?.payload).toMatchObject({ call_id: first.callSid, stored: true });
  expect(reg.last?.payload).not.toHaveProperty('credential');
  const stored = await backend.server.store.getCredential({ actor: { type: 'admin', id: 't' } }, from);
  expect(stored?.credential).toBeTruthy();
  const rows = await backend.server.store.queryAudit({ ani: from, action: 'relay.session' });
  expect(rows[0]).toMatchObject({
    outcome: 'ok',
    conversationId: first.callSid,
    actor: { type: 'agent', id: workerSid },
  });

  const { call: second, run: ver } = await sessionOnNewCall('verify', 'alice-verify-1');
  expect(ver.last?.event).toBe('result-success');
  expect(ver.last?.payload).toMatchObject({ call_id: second.callSid });
}

describe('a Flex agent on a call (direct mode)', () => {
  it('stores, reads, checks and deletes the credential of its caller, with consent, all audited as the worker', async () => {
    await storesReadsAndDeletes(direct);
  });

  it('gets a das-Peak token for its call (GET /token?conversationId=CA…), audited as token.issue', async () => {
    const a = await agentOnCall();
    const answer = await request(direct.base, 'GET', `/token?conversationId=${a.callSid}`, {
      token: a.token,
    });
    expect(answer.status).toBe(200);
    expect(typeof answer.body.access_token).toBe('string');
    const rows = await direct.server.store.queryAudit({ action: 'token.issue', conversationId: a.callSid });
    expect(rows[0]).toMatchObject({ outcome: 'ok', actor: { type: 'agent', id: a.workerSid } });
    // das-Peak closes a call's Media Stream after each session: each token (one per session) comes
    // with a new stream of the call's audio, started through Twilio's REST API.
    const restStreams = () =>
      [...world.twilio.state.streams.values()].filter((s) => s.callSid === a.callSid && s.origin === 'rest');
    expect(restStreams()).toHaveLength(1);
    expect(restStreams()[0]!.track).toBe('inbound_track');
    expect(restStreams()[0]!.url).toMatch(/^ws:.*\/twilio\/ws$/);
    await request(direct.base, 'GET', `/token?conversationId=${a.callSid}`, { token: a.token });
    expect(restStreams()).toHaveLength(2);
    await hangUp(world.twilio, a.callSid);
  });

  it('config.js names the platform and the Twilio audio protocol; CORS lets the stand-in’s Flex page in', async () => {
    const config = await importConfigJs((await request(direct.base, 'GET', '/config.js')).text);
    expect(config).toMatchObject({ platform: 'twilio', audioProtocol: 'twilio', genesysRegion: null });
    expect(JSON.stringify(config)).not.toContain(world.twilio.authToken);
    const a = await agentOnCall();
    const answer = await request(direct.base, 'GET', `/token?conversationId=${a.callSid}`, {
      token: a.token,
      headers: { Origin: world.twilio.url },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(world.twilio.url);
    const evil = await request(direct.base, 'GET', `/token?conversationId=${a.callSid}`, {
      token: a.token,
      headers: { Origin: 'https://evil.example' },
    });
    expect(codeOf(evil)).toBe('cors.origin_not_allowed');
    // The plugin imports config.js and utils.js from the backend across origins (module scripts: CORS).
    for (const file of ['/config.js', '/utils.js']) {
      const fromFlex = await request(direct.base, 'GET', file, { headers: { Origin: world.twilio.url } });
      expect(fromFlex.status, file).toBe(200);
      expect(fromFlex.headers.get('access-control-allow-origin'), file).toBe(world.twilio.url);
      const fromElsewhere = await request(direct.base, 'GET', file, {
        headers: { Origin: 'https://evil.example' },
      });
      expect(fromElsewhere.headers.get('access-control-allow-origin'), file).toBeNull();
    }
    await hangUp(world.twilio, a.callSid);
  });

  it('asks Twilio once per token and cache period, however many reads the agent sends', async () => {
    const a = await agentOnCall();
    const ani = encodeURIComponent(a.from);
    const before = await metric(
      direct.base,
      'daspeak_backend_agent_token_checks_total',
      'source="twilio",outcome="ok"',
    );
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        request(direct.base, 'GET', `/api/v1/credentials/${ani}/status`, {
          token: a.token,
          conversationId: a.callSid,
        }),
      ),
    );
    expect(answers.map((x) => x.status)).toEqual(Array(10).fill(200));
    const after = await metric(
      direct.base,
      'daspeak_backend_agent_token_checks_total',
      'source="twilio",outcome="ok"',
    );
    expect(after - before).toBe(1);
    await hangUp(world.twilio, a.callSid);
  });
});

describe('refusals (direct mode)', () => {
  it('no token: 401 auth.missing_token naming the Flex token', async () => {
    const a = await agentOnCall();
    const answer = await request(
      direct.base,
      'GET',
      `/api/v1/credentials/${encodeURIComponent(a.from)}/status`,
      {
        conversationId: a.callSid,
      },
    );
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe('auth.missing_token');
    expect((answer.body.error as { message: string }).message).toContain('Flex token');
    await hangUp(world.twilio, a.callSid);
  });

  it('a token Twilio does not know: 401 auth.invalid_token, audited', async () => {
    const a = await agentOnCall();
    const answer = await request(direct.base, 'GET', `/token?conversationId=${a.callSid}`, {
      token: 'bm90LWEtZmxleC10b2tlbg.x.y',
    });
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe('auth.invalid_token');
    const rows = await direct.server.store.queryAudit({ action: 'token.issue', conversationId: a.callSid });
    expect(rows[0]).toMatchObject({ outcome: 'denied', detail: 'auth.invalid_token' });
    await hangUp(world.twilio, a.callSid);
  });

  it('an expired token: a write is refused at once (the token is checked again live); a read may pass within the cache window', async () => {
    const a = await agentOnCall();
    const on = { token: a.token, conversationId: a.callSid };
    const ani = encodeURIComponent(a.from);
    expect((await request(direct.base, 'GET', `/api/v1/credentials/${ani}/status`, on)).status).toBe(200);
    await expireFlexToken(world.twilio, a.token);
    // The stated window of reads (backend.conversationCacheSeconds), as for a revoked Genesys token.
    expect((await request(direct.base, 'GET', `/api/v1/credentials/${ani}/status`, on)).status).toBe(200);
    const write = await request(direct.base, 'PUT', `/api/v1/credentials/${ani}`, {
      ...on,
      json: { credential: CREDENTIAL },
    });
    expect(write.status).toBe(401);
    expect(codeOf(write)).toBe('auth.invalid_token');
    const stored = await direct.server.store.getCredential({ actor: { type: 'admin', id: 't' } }, a.from);
    expect(stored).toBeNull();
    const del = await request(direct.base, 'DELETE', `/api/v1/consent/${ani}`, on);
    expect(codeOf(del)).toBe('auth.invalid_token');
    await hangUp(world.twilio, a.callSid);
  });

  it('an expired token that was never seen: 401 auth.invalid_token', async () => {
    const a = await agentOnCall();
    await expireFlexToken(world.twilio, a.token);
    const answer = await request(direct.base, 'GET', `/token?conversationId=${a.callSid}`, {
      token: a.token,
    });
    expect(codeOf(answer)).toBe('auth.invalid_token');
    await hangUp(world.twilio, a.callSid);
  });

  it('a worker who is not on that call: 403 auth.not_on_conversation', async () => {
    const a = await agentOnCall(); // the first worker's call
    const bob = await flexToken(world.twilio, world.twilio.workers[1]!.identity);
    const answer = await request(
      direct.base,
      'GET',
      `/api/v1/credentials/${encodeURIComponent(a.from)}/status`,
      {
        token: bob.token,
        conversationId: a.callSid,
      },
    );
    expect(answer.status).toBe(403);
    expect(codeOf(answer)).toBe('auth.not_on_conversation');
    const rows = await direct.server.store.queryAudit({ ani: a.from });
    expect(rows[0]).toMatchObject({
      outcome: 'denied',
      detail: 'auth.not_on_conversation',
      actor: { type: 'agent', id: bob.workerSid },
    });
    await hangUp(world.twilio, a.callSid);
  });

  it('a reservation not accepted yet: 403; once accepted: 200', async () => {
    const { token } = await flexToken(world.twilio);
    const from = nextCaller();
    const call = await placeCall(world.twilio, from, { accept: false });
    const path = `/api/v1/credentials/${encodeURIComponent(from)}/status`;
    const before = await request(direct.base, 'GET', path, { token, conversationId: call.callSid });
    expect(codeOf(before)).toBe('auth.not_on_conversation');
    await acceptTask(world.twilio, call.taskSid);
    const after = await request(direct.base, 'GET', path, { token, conversationId: call.callSid });
    expect(after.status).toBe(200);
    await hangUp(world.twilio, call.callSid);
  });

  it('a completed call: writes are refused at once with 403 auth.not_on_conversation', async () => {
    const a = await agentOnCall();
    const on = { token: a.token, conversationId: a.callSid };
    const ani = encodeURIComponent(a.from);
    expect((await request(direct.base, 'GET', `/api/v1/credentials/${ani}/status`, on)).status).toBe(200);
    await hangUp(world.twilio, a.callSid);
    const write = await request(direct.base, 'PUT', `/api/v1/credentials/${ani}`, {
      ...on,
      json: { credential: CREDENTIAL },
    });
    expect(write.status).toBe(403);
    expect(codeOf(write)).toBe('auth.not_on_conversation');
    const del = await request(direct.base, 'DELETE', `/api/v1/consent/${ani}`, on);
    expect(codeOf(del)).toBe('auth.not_on_conversation');
  });

  it('another number than the caller of the call: 403 ani.mismatch', async () => {
    const a = await agentOnCall();
    const answer = await request(
      direct.base,
      'GET',
      `/api/v1/credentials/${encodeURIComponent(nextCaller())}/status`,
      {
        token: a.token,
        conversationId: a.callSid,
      },
    );
    expect(answer.status).toBe(403);
    expect(codeOf(answer)).toBe('ani.mismatch');
    await hangUp(world.twilio, a.callSid);
  });

  it('a Genesys conversation id on a Twilio backend: 400 conversation.invalid_id that says why, before Twilio is asked', async () => {
    const a = await agentOnCall();
    for (const where of ['header', 'query'] as const) {
      const answer = await request(
        direct.base,
        'GET',
        `/api/v1/credentials/${encodeURIComponent(a.from)}/status${where === 'query' ? `?conversationId=${GENESYS_ID}` : ''}`,
        { token: a.token, ...(where === 'header' ? { conversationId: GENESYS_ID } : {}) },
      );
      expect(answer.status, where).toBe(400);
      expect(codeOf(answer)).toBe('conversation.invalid_id');
      const message = (answer.body.error as { message: string }).message;
      expect(message).toContain('Twilio call SID');
      expect(message).toContain('Genesys conversation id');
    }
    const token = await request(direct.base, 'GET', `/token?conversationId=${GENESYS_ID}`, {
      token: a.token,
    });
    expect(codeOf(token)).toBe('conversation.invalid_id');
    await hangUp(world.twilio, a.callSid);
  });

  it('IAM answering 503: 503 twilio.unavailable with Retry-After, not cached; then the same token passes', async () => {
    const a = await agentOnCall();
    await fault(world.twilio, { status: 503, count: 50, pathPrefix: '/v1/Accounts' });
    const answer = await request(direct.base, 'GET', `/token?conversationId=${a.callSid}`, {
      token: a.token,
    });
    expect(answer.status).toBe(503);
    expect(codeOf(answer)).toBe('twilio.unavailable');
    expect(answer.headers.get('retry-after')).toBe('5');
    await clearFaults(world.twilio);
    const again = await request(direct.base, 'GET', `/token?conversationId=${a.callSid}`, { token: a.token });
    expect(again.status).toBe(200);
    await hangUp(world.twilio, a.callSid);
  });

  it('TaskRouter answering 503: 503 twilio.unavailable', async () => {
    const a = await agentOnCall();
    await fault(world.twilio, { status: 503, count: 50, pathPrefix: '/v1/Workspaces' });
    const answer = await request(
      direct.base,
      'GET',
      `/api/v1/credentials/${encodeURIComponent(a.from)}/status`,
      {
        token: a.token,
        conversationId: a.callSid,
      },
    );
    expect(answer.status).toBe(503);
    expect(codeOf(answer)).toBe('twilio.unavailable');
    await hangUp(world.twilio, a.callSid);
  });

  it('Twilio refusing the backend’s own auth token: 500 twilio.client_refused, the secret in no answer', async () => {
    const wrong = await startTwilioBackend(world, {}, { authToken: 'not-the-account-auth-token' });
    try {
      const a = await agentOnCall();
      const answer = await request(wrong.base, 'GET', `/token?conversationId=${a.callSid}`, {
        token: a.token,
      });
      expect(answer.status).toBe(500);
      expect(codeOf(answer)).toBe('twilio.client_refused');
      expect(answer.text).not.toContain('not-the-account-auth-token');
      await hangUp(world.twilio, a.callSid);
    } finally {
      await wrong.close();
    }
  });

  it('limits requests per worker: 429 rate_limited once the agent budget is spent', async () => {
    const limited = await startTwilioBackend(world, { backend: { rateLimit: { agentPerMinute: 3 } } });
    try {
      const a = await agentOnCall();
      const path = `/api/v1/credentials/${encodeURIComponent(a.from)}/status`;
      const on = { token: a.token, conversationId: a.callSid };
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await request(limited.base, 'GET', path, on)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      // Another worker has a budget of its own.
      const b = await agentOnCall(world.twilio.workers[1]!.identity);
      const other = await request(
        limited.base,
        'GET',
        `/api/v1/credentials/${encodeURIComponent(b.from)}/status`,
        {
          token: b.token,
          conversationId: b.callSid,
        },
      );
      expect(other.status).toBe(200);
      await hangUp(world.twilio, a.callSid);
      await hangUp(world.twilio, b.callSid);
    } finally {
      await limited.close();
    }
  });

  it('a flood of bad tokens costs at most the failure budget of Twilio requests', async () => {
    // A backend of its own: the refusals above used some of this address's budget on the other one.
    const fresh = await startTwilioBackend(world);
    try {
      const a = await agentOnCall();
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          request(fresh.base, 'GET', `/token?conversationId=${a.callSid}`, { token: `bad-flex-token-${i}` }),
        ),
      );
      const statuses = answers.map((x) => x.status);
      expect(statuses.filter((s) => s === 401).length).toBe(30);
      expect(statuses.filter((s) => s === 429).length).toBe(30);
      const checks = await metric(
        fresh.base,
        'daspeak_backend_agent_token_checks_total',
        'source="twilio",outcome="refused"',
      );
      expect(checks).toBe(30);
      await hangUp(world.twilio, a.callSid);
    } finally {
      await fresh.close();
    }
  });
});

describe('a Twilio call id on a Genesys backend', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv('sqlite');
  });
  afterAll(() => env?.close());

  it('is refused with 400 conversation.invalid_id that says this backend serves Genesys Cloud', async () => {
    const { token } = await env.onCall();
    const sid = `CA${'0123456789abcdef'.repeat(2)}`;
    const answer = await request(env.base, 'GET', '/token', { token, conversationId: sid });
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('conversation.invalid_id');
    expect((answer.body.error as { message: string }).message).toMatch(
      /Genesys conversation id.*Twilio call SID/,
    );
    const field = await request(
      env.base,
      'GET',
      `/api/v1/credentials/%2B34600000001/status?conversationId=${sid}`,
      {
        token,
      },
    );
    expect(codeOf(field)).toBe('conversation.invalid_id');
  });
});

/** Opens the relay as the widget does and asks for a session on `callId`. */
const relayOn = (
  base: string,
  operation: 'register' | 'verify',
  auth: Record<string, unknown>,
  callId: string,
): Promise<RelayRun> => relay(base, operation, auth, { metadata: { call_id: callId } });

describe('the relay for Flex agents (relay mode)', () => {
  it('registers the caller of a call streamed over Media Streams, then verifies them on the next call', () =>
    registersThenVerifies(relayed));

  it('refuses the handshake of a worker not on the call, of a Genesys id, and of no token; no das-Peak session starts', async () => {
    const from = nextCaller();
    const call = await placeCall(world.twilio, from);
    const bob = await flexToken(world.twilio, world.twilio.workers[1]!.identity);
    const sessions = world.daspeak.stats().sessions;
    const notOn = await relayOn(
      relayed.base,
      'register',
      { token: bob.token, conversationId: call.callSid },
      call.callSid,
    );
    expect(notOn.connectError?.data?.code).toBe('auth.not_on_conversation');
    const genesysId = await relayOn(
      relayed.base,
      'register',
      { token: bob.token, conversationId: GENESYS_ID },
      GENESYS_ID,
    );
    expect(genesysId.connectError?.data?.code).toBe('conversation.invalid_id');
    expect(genesysId.connectError?.data?.message).toContain('Twilio call SID');
    const none = await relayOn(relayed.base, 'verify', { conversationId: call.callSid }, call.callSid);
    expect(none.connectError?.data).toMatchObject({ code: 'auth.missing_token' });
    expect(none.connectError?.data?.message).toContain('Flex token');
    expect(world.daspeak.stats().sessions).toBe(sessions);
    await hangUp(world.twilio, call.callSid);
  });

  it('refuses the handshake once the call has ended', async () => {
    const { token } = await flexToken(world.twilio);
    const call = await placeCall(world.twilio, nextCaller());
    await hangUp(world.twilio, call.callSid);
    const run = await relayOn(
      relayed.base,
      'register',
      { token, conversationId: call.callSid },
      call.callSid,
    );
    expect(run.connectError?.data?.code).toBe('auth.not_on_conversation');
  });
});

describeOnPostgres('Flex agents with the store on PostgreSQL', () => {
  let pgDirect: TwilioBackend;
  let pgRelayed: TwilioBackend;
  beforeAll(async () => {
    pgDirect = await startTwilioBackend(world, {}, {}, 'postgres');
    pgRelayed = await startTwilioBackend(world, { widget: { signalling: 'relay' } }, {}, 'postgres');
  });
  afterAll(async () => {
    await pgRelayed?.close();
    await pgDirect?.close();
  });

  it('stores, reads, checks and deletes the credential of its caller, with consent, all audited as the worker (direct mode)', async () => {
    expect(pgDirect.db.kind).toBe('postgres');
    const { callSid } = await storesReadsAndDeletes(pgDirect);
    // The audit rows are in this suite's PostgreSQL schema.
    const [row] = await pgDirect.db.sql!(
      `select count(*)::int as n from ${pgDirect.db.schema!}.audit_log where conversation_id = $1`,
      [callSid],
    );
    expect(row!.n).toBeGreaterThanOrEqual(6);
  });

  it('registers the caller of a call streamed over Media Streams, then verifies them on the next call (relay mode)', () =>
    registersThenVerifies(pgRelayed));
});
