/**
 * Issue 14 §3, re-measured: how long a cached verdict outlives what it vouched for. With the default
 * config, an agent's token is revoked the way Genesys does it (`DELETE /api/v2/tokens/me` with that
 * token) or the agent leaves the call (the conversation is disconnected), right after a request
 * that passed; then each route is asked again every 100 ms until it refuses. Writes, deletes and
 * consent changes must refuse at once; reads, status and /token within
 * backend.conversationCacheSeconds (the table in docs/backend.md). `WINDOWS_REPORT=1` prints the
 * figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disconnectConversation } from './helpers/genesys.js';
import { codeOf, request, type Answer, type RequestOptions } from './helpers/http.js';
import { startEnv, type TestEnv } from './helpers/env.js';

const WINDOW_MS = 5_000; // backend.conversationCacheSeconds, default
const SLACK_MS = 700; // one poll interval plus a loaded machine
const POLL_MS = 100;

type Event = 'revoked' | 'left';

interface Route {
  name: string;
  kind: 'read' | 'write';
  send(env: TestEnv, token: string, conversationId: string, ani: string): Promise<Answer>;
}

const enc = encodeURIComponent;
const ask = (env: TestEnv, method: string, path: string, options: RequestOptions) =>
  request(env.base, method, path, options);

const ROUTES: Route[] = [
  {
    name: 'GET /token',
    kind: 'read',
    send: (env, token, conversationId) => ask(env, 'GET', '/token', { token, conversationId }),
  },
  {
    name: 'GET /database/getCredential',
    kind: 'read',
    send: (env, token, conversationId, ani) =>
      ask(env, 'GET', `/database/getCredential?id=${enc(ani)}`, { token, conversationId }),
  },
  {
    name: 'GET /api/v1/credentials/{ani}',
    kind: 'read',
    send: (env, token, conversationId, ani) =>
      ask(env, 'GET', `/api/v1/credentials/${enc(ani)}`, { token, conversationId }),
  },
  {
    name: 'GET /api/v1/credentials/{ani}/status',
    kind: 'read',
    send: (env, token, conversationId, ani) =>
      ask(env, 'GET', `/api/v1/credentials/${enc(ani)}/status`, { token, conversationId }),
  },
  {
    name: 'GET /api/v1/consent/{ani}',
    kind: 'read',
    send: (env, token, conversationId, ani) =>
      ask(env, 'GET', `/api/v1/consent/${enc(ani)}`, { token, conversationId }),
  },
  {
    name: 'POST /database/storeCredential',
    kind: 'write',
    send: (env, token, conversationId, ani) =>
      ask(env, 'POST', '/database/storeCredential', {
        token,
        conversationId,
        form: { id: ani, credential: 'w' },
      }),
  },
  {
    name: 'PUT /api/v1/credentials/{ani}',
    kind: 'write',
    send: (env, token, conversationId, ani) =>
      ask(env, 'PUT', `/api/v1/credentials/${enc(ani)}`, {
        token,
        conversationId,
        json: { credential: 'w' },
      }),
  },
  {
    name: 'DELETE /api/v1/credentials/{ani}',
    kind: 'write',
    send: async (env, token, conversationId, ani) => {
      const answer = await ask(env, 'DELETE', `/api/v1/credentials/${enc(ani)}`, { token, conversationId });
      // Passing means deleted (204) or nothing to delete (404); put it back for the next poll.
      if (answer.status === 204)
        await env.server.store.putCredential({ actor: { type: 'admin', id: 't' } }, ani, {
          credential: 'w',
          modelHash: 'm',
        });
      return answer;
    },
  },
  {
    name: 'PUT /api/v1/consent/{ani}',
    kind: 'write',
    send: (env, token, conversationId, ani) =>
      ask(env, 'PUT', `/api/v1/consent/${enc(ani)}`, {
        token,
        conversationId,
        json: { wordingVersion: '1' },
      }),
  },
];

const passed = (a: Answer) =>
  (a.status >= 200 && a.status < 300) ||
  codeOf(a) === 'credential.not_found' ||
  codeOf(a) === 'consent.not_found';

let env: TestEnv;
let callers = 0;
const figures: { event: Event; route: string; kind: string; ms: number; code: string; polls: number }[] = [];

beforeAll(async () => {
  env = await startEnv('sqlite', { backend: { rateLimit: { agentPerMinute: 100_000 } } });
});
afterAll(async () => {
  if (process.env.WINDOWS_REPORT) console.log(JSON.stringify(figures, null, 1));
  await env?.close();
});

/** Primes the route, makes the event happen, then polls until the route refuses; returns the ms it took. */
async function measure(event: Event, route: Route): Promise<{ ms: number; code: string; polls: number }> {
  const ani = `+3467${String(++callers).padStart(7, '0')}`;
  // A token of its own, so revoking it touches nothing else.
  const { token } = await env.onCall();
  const conversationId = await env.conversation(ani);
  await env.server.store.putCredential({ actor: { type: 'admin', id: 't' } }, ani, {
    credential: 'w',
    modelHash: 'm',
  });
  await env.server.store.recordConsent({ actor: { type: 'admin', id: 't' } }, ani, { wordingVersion: '1' });
  const primed = await route.send(env, token, conversationId, ani);
  expect(passed(primed), `${route.name} primed: ${primed.status} ${primed.text}`).toBe(true);

  if (event === 'revoked') {
    const res = await fetch(`${env.genesys.url}/api/v2/tokens/me`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(204);
  } else {
    await disconnectConversation(env.genesys, conversationId);
  }
  const t0 = performance.now();
  for (let polls = 1; ; polls++) {
    const answer = await route.send(env, token, conversationId, ani);
    const ms = Math.round(performance.now() - t0);
    if (!passed(answer)) return { ms, code: codeOf(answer) ?? String(answer.status), polls };
    if (ms > WINDOW_MS * 3) return { ms, code: 'never refused', polls };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

describe('revocation windows (issue 14 §3), default config', () => {
  for (const event of ['revoked', 'left'] as const) {
    it(`${event === 'revoked' ? 'a revoked token' : 'an agent who left the call'}: writes refused at once, reads within ${WINDOW_MS / 1000} s`, async () => {
      const results = await Promise.all(ROUTES.map((route) => measure(event, route)));
      results.forEach((result, i) => {
        const route = ROUTES[i]!;
        figures.push({ event, route: route.name, kind: route.kind, ...result });
        expect(result.code, route.name).toBe(
          event === 'revoked' ? 'auth.invalid_token' : 'auth.not_on_conversation',
        );
        if (route.kind === 'write') {
          // Refused by the very first request after the event.
          expect(result.polls, route.name).toBe(1);
        } else {
          expect(result.ms, route.name).toBeLessThanOrEqual(WINDOW_MS + SLACK_MS);
        }
      });
    });
  }
});
