import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAudiohook, resultOf } from '../../src/audiohook/client/index.js';
import type { AudiohookError } from '../../src/audiohook/errors.js';
import type {
  AudiohookServerSession,
  ListeningAudiohookServer,
  ServerSessionSummary,
} from '../../src/audiohook/server/index.js';
import { signAudiohookRequest } from '../../src/audiohook/signature/index.js';
import { API_KEY, ORG, RawClient, SECRET, UNSIGNED_KEY, clientOptions, startServer } from './helpers.js';

/*
 * Handshake authentication: headers, API key, signature (age, skew, nonce, replay), organization
 * id, both rejection strategies, session and path limits. Every refusal is a typed error on the
 * client and a recorded reason on the server; the secret never appears in either.
 */

let server: ListeningAudiohookServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(extra: Parameters<typeof startServer>[0] = {}) {
  const finals: ServerSessionSummary[] = [];
  const sessions: AudiohookServerSession[] = [];
  server = await startServer({
    ...extra,
    hooks: {
      onSession: (s) => sessions.push(s),
      onFinalize: (_s, summary) => void finals.push(summary),
      ...extra.hooks,
    },
  });
  return { s: server, finals, sessions };
}

async function refusal(promise: Promise<unknown>): Promise<AudiohookError> {
  try {
    await promise;
  } catch (err) {
    return err as AudiohookError;
  }
  throw new Error('expected the connection to be refused');
}

const WRONG_SECRET = Buffer.from('a completely different secret').toString('base64');

describe('audiohook auth, "session" strategy (upgrade, then disconnect unauthorized)', () => {
  it('a wrong client secret → disconnect {reason:"unauthorized"}; the client closes with "disconnect"', async () => {
    const { s, finals } = await serve();
    const err = await refusal(connectAudiohook(clientOptions(s.url, { clientSecret: WRONG_SECRET })));
    expect(err.code).toBe('audiohook.open_refused');
    expect(err.status).toBe(401);
    const result = resultOf(err)!;
    expect(result).toMatchObject({
      httpStatus: 101,
      disconnect: { reason: 'unauthorized', info: 'signature does not match' },
      closeReason: 'disconnect',
      closedByServer: true,
    });
    await s.close();
    server = undefined;
    // onFinalize runs while FINALIZING, with the socket already gone.
    expect(finals[0]).toMatchObject({
      authenticated: false,
      state: 'FINALIZING',
      disconnect: { reason: 'unauthorized' },
    });
    expect(JSON.stringify([err.message, result, finals])).not.toContain(SECRET);
  });

  it('no signature although the key has a secret', async () => {
    const { s } = await serve();
    const err = await refusal(connectAudiohook(clientOptions(s.url, { clientSecret: '' })));
    expect(resultOf(err)?.disconnect?.info).toMatch(/not signed/);
  });

  it('an unknown API key', async () => {
    const { s } = await serve();
    const err = await refusal(connectAudiohook(clientOptions(s.url, { apiKey: 'nobody' })));
    expect(resultOf(err)?.disconnect).toEqual({ reason: 'unauthorized', info: 'unknown API key' });
  });

  it('open.organizationId differs from the Audiohook-Organization-Id header', async () => {
    const { s } = await serve();
    const err = await refusal(
      connectAudiohook(
        clientOptions(s.url, {
          apiKey: UNSIGNED_KEY,
          clientSecret: '',
          extraHeaders: { 'Audiohook-Organization-Id': '11111111-1111-4111-8111-111111111111' },
        }),
      ),
    );
    expect(resultOf(err)?.disconnect?.info).toMatch(/organizationId does not match/);
  });

  it('missing Audiohook headers: the session is refused at open', async () => {
    const { s, finals } = await serve();
    const raw = await RawClient.connect(s.url, { 'X-API-KEY': '' });
    raw.open();
    const msg = await raw.next();
    expect(msg).toMatchObject({ type: 'disconnect', parameters: { reason: 'unauthorized' } });
    await raw.closeSession('disconnect');
    await s.close();
    server = undefined;
    expect(finals[0]?.authenticated).toBe(false);
  });

  it('missing session id header: the id is taken from open, then refused', async () => {
    const { s } = await serve();
    const raw = await RawClient.connect(s.url, { 'Audiohook-Session-Id': '' });
    raw.open();
    const msg = await raw.next();
    expect(msg).toMatchObject({
      id: raw.sessionId,
      type: 'disconnect',
      parameters: { reason: 'unauthorized' },
    });
    expect((msg.parameters as { info: string }).info).toMatch(/Audiohook-Session-Id/);
    await raw.closeSession('disconnect');
  });

  it('the authorize hook can refuse with a reason', async () => {
    const { s } = await serve({
      hooks: { authorize: (_s, open) => (open.participant.ani === '' ? 'no caller id' : true) },
    });
    const err = await refusal(connectAudiohook(clientOptions(s.url, { participant: { ani: '' } })));
    expect(resultOf(err)?.disconnect).toEqual({ reason: 'unauthorized', info: 'no caller id' });
    const ok = await connectAudiohook(clientOptions(s.url));
    await ok.close();
  });

  it('a failing credential lookup is a server error, not "unauthorized"', async () => {
    const { s } = await serve({
      auth: {
        credentials: () => {
          throw new Error('database down');
        },
      },
    });
    const err = await refusal(connectAudiohook(clientOptions(s.url)));
    expect(resultOf(err)?.disconnect).toEqual({ reason: 'error', info: 'internal server error' });
  });

  it('a configured secret that is not base64 is reported as our misconfiguration', async () => {
    const { s } = await serve({ auth: { credentials: { [API_KEY]: 'not base64!' }, strategy: 'request' } });
    const err = await refusal(connectAudiohook(clientOptions(s.url)));
    expect(err).toMatchObject({ code: 'audiohook.http_rejected', status: 503 });
  });
});

describe('audiohook auth, "request" strategy (HTTP status before the upgrade)', () => {
  const strategy = {
    credentials: { [API_KEY]: SECRET, [UNSIGNED_KEY]: '' },
    strategy: 'request' as const,
    failureDelayMs: 0,
  };

  it('a wrong secret → HTTP 401, no session', async () => {
    const { s, sessions } = await serve({ auth: strategy });
    const err = await refusal(connectAudiohook(clientOptions(s.url, { clientSecret: WRONG_SECRET })));
    expect(err).toMatchObject({ code: 'audiohook.http_rejected', status: 401 });
    expect(resultOf(err)).toMatchObject({ httpStatus: 401, state: 'DISCONNECTED', closeReason: null });
    expect(sessions).toHaveLength(0);
  });

  it('missing headers → HTTP 400; missing API key → 401', async () => {
    const { s } = await serve({ auth: strategy });
    const noSession = await refusal(
      connectAudiohook(
        clientOptions(s.url, { apiKey: UNSIGNED_KEY, extraHeaders: { 'Audiohook-Session-Id': 'x' } }),
      ),
    );
    expect(noSession.status).toBe(400);
    const noOrg = await refusal(
      connectAudiohook(clientOptions(s.url, { extraHeaders: { 'Audiohook-Organization-Id': '' } })),
    );
    expect(noOrg.status).toBe(400);
    const noKey = await refusal(
      connectAudiohook(clientOptions(s.url, { extraHeaders: { 'X-API-KEY': '' } })),
    );
    expect(noKey.status).toBe(401);
  });

  it('an expired signature (server clock 60 s ahead) and one from the future', async () => {
    const { s } = await serve({ auth: strategy, clock: () => Date.now() + 60_000 });
    const late = await refusal(connectAudiohook(clientOptions(s.url)));
    expect(late.status).toBe(401);
    await s.close();
    const { s: s2 } = await serve({ auth: strategy, clock: () => Date.now() - 60_000 });
    const early = await refusal(connectAudiohook(clientOptions(s2.url)));
    expect(early.status).toBe(401);
  });

  it('a replayed handshake (same headers, same nonce) is refused', async () => {
    const { s } = await serve({ auth: strategy });
    const sessionId = crypto.randomUUID();
    const correlationId = crypto.randomUUID();
    const signed = signAudiohookRequest({
      url: s.url,
      organizationId: ORG,
      sessionId,
      correlationId,
      apiKey: API_KEY,
      clientSecret: SECRET,
    });
    const options = clientOptions(s.url, { sessionId, correlationId, extraHeaders: { ...signed } });
    const first = await connectAudiohook(options);
    await first.close();
    const replay = await refusal(connectAudiohook(options));
    expect(replay).toMatchObject({ code: 'audiohook.http_rejected', status: 401 });
  });

  it('a session id already connected → HTTP 409', async () => {
    const { s } = await serve({ auth: strategy });
    const sessionId = crypto.randomUUID();
    const first = await connectAudiohook(clientOptions(s.url, { sessionId }));
    const dup = await refusal(connectAudiohook(clientOptions(s.url, { sessionId })));
    expect(dup.status).toBe(409);
    await first.close();
  });
});

describe('audiohook server limits and routing', () => {
  it('refuses sessions over maxSessions with HTTP 503', async () => {
    const { s } = await serve({ limits: { maxSessions: 1 } });
    const first = await connectAudiohook(clientOptions(s.url));
    const second = await refusal(connectAudiohook(clientOptions(s.url)));
    expect(second).toMatchObject({ code: 'audiohook.http_rejected', status: 503 });
    await first.close();
    await s.audiohook.sessions.values().next().value?.finalized;
    const third = await connectAudiohook(clientOptions(s.url));
    await third.close();
  });

  it('another path → 404; plain HTTP → 426', async () => {
    const { s } = await serve();
    const err = await refusal(connectAudiohook(clientOptions(s.url.replace('/audiohook/ws', '/other'))));
    expect(err.status).toBe(404);
    const req = request(s.url.replace('ws://', 'http://'));
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    res.resume();
    expect(res.statusCode).toBe(426);
  });

  it('after close() new upgrades get 503', async () => {
    const { s } = await serve();
    const closing = s.audiohook.close();
    const err = await refusal(connectAudiohook(clientOptions(s.url)));
    expect(err.status).toBe(503);
    await closing;
  });
});
