/**
 * The agent desktop's server side over HTTP: the page and its files, calls placed with a catalogue
 * voice and answered by an agent, and the Interaction Widget frame the desktop gets for a call.
 * (The page itself in Chromium: desktop.browser.test.ts.)
 */
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { fillUrlTokens } from '../../../src/sandbox/genesys/desktop/widget-frame.js';
import { encodeMulaw, floatToInt16, tone } from '../../../src/audio/index.js';
import type { GenesysSandbox, VoiceCatalog } from '../../../src/sandbox/genesys/index.js';
import {
  adminToken,
  audiohookIntegration,
  audiohookReceiver,
  call,
  monitorQueue,
  useSandboxes,
} from './helpers.js';

const { start, servers } = useSandboxes();

/** Two voices: tones of different pitch and length, enough to tell them apart in a report. */
const voices: VoiceCatalog = {
  list: () => [
    { name: 'low', label: 'low voice' },
    { name: 'high', label: 'high voice' },
  ],
  audio: (name) => {
    const external = encodeMulaw(
      floatToInt16(tone(name === 'low' ? 200 : 900, name === 'low' ? 1 : 2, 8000, 0.3)),
    );
    return { external, internal: new Uint8Array(external.length).fill(0xff) };
  },
};

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

interface Summary {
  id: string;
  conversationId: string;
  voice?: string;
  audioSeconds: number;
  state: string;
  queueName?: string;
  agent: { id: string; name: string; state: string } | null;
}

async function placeCall(s: GenesysSandbox, body: Record<string, unknown> = {}): Promise<Summary> {
  const res = await fetch(
    `${s.url}/sandbox/calls`,
    json({ ani: '+34600111222', queue: 'Support', agent: null, keepConnected: true, ...body }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as Summary;
}

async function answer(s: GenesysSandbox, callId: string, agent: string) {
  const res = await fetch(`${s.url}/sandbox/calls/${callId}/answer`, json({ agent }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** An enabled Interaction Widget integration, configured through the Platform API. */
async function widgetIntegration(
  s: GenesysSandbox,
  token: string,
  properties: Record<string, unknown>,
  advanced: Record<string, unknown> = {},
  name = 'VB Widget',
) {
  const created = await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations', {
    name,
    integrationType: { id: 'embedded-client-app-interaction-widget' },
  });
  const put = await call(s, token, 'PUT', `/api/v2/integrations/${created.body.id}/config/current`, {
    name,
    version: 1,
    properties,
    advanced,
    credentials: {},
  });
  expect(put.status).toBe(200);
  const enabled = await call(s, token, 'PATCH', `/api/v2/integrations/${created.body.id}`, {
    intendedState: 'ENABLED',
  });
  expect(enabled.status).toBe(200);
  return created.body.id;
}

async function frame(s: GenesysSandbox, params: Record<string, string>) {
  const res = await fetch(`${s.url}/sandbox/desktop/widget?${new URLSearchParams(params).toString()}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the desktop page', () => {
  it('is served with its own CSP, no inline script, the stable ids, and a script that compiles', async () => {
    const s = await start({ voices });
    const res = await fetch(`${s.url}/desktop`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('frame-src ');
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/i);
    expect(html).not.toMatch(/\sstyle=/i);
    for (const id of [
      'place-call',
      'voice',
      'ani',
      'agent',
      'language',
      'block-popups',
      'calls',
      'toasts',
      'widget-area',
    ]) {
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).toContain('sandbox-agent-password');

    const js = await fetch(`${s.url}/sandbox/assets/desktop.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const source = await js.text();
    expect(() => new Script(source)).not.toThrow();
    expect(source).not.toMatch(/\bimport\b|\brequire\(/);
    const css = await fetch(`${s.url}/sandbox/assets/desktop.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${s.url}/sandbox/assets/nothing.js`)).status).toBe(404);

    const options = (await (await fetch(`${s.url}/sandbox/desktop/options`)).json()) as Record<
      string,
      unknown
    >;
    expect(options).toMatchObject({
      org: { url: s.url },
      voices: voices.list(),
      defaultVoice: 'low',
      queues: [expect.objectContaining({ name: 'Support' }), expect.objectContaining({ name: 'Sales' })],
    });
    expect(options.agents).toEqual(s.agents.map((a) => ({ id: a.id, label: a.name, email: a.email })));
    // Desktop traffic is the sandbox's own: never counted as Platform API requests.
    expect(s.requestCounts().total).toBe(0);
  });
});

describe('calls placed from the desktop', () => {
  it('plays a catalogue voice; refuses an unknown one, and any voice when the org has no catalogue', async () => {
    const s = await start({ voices });
    const low = await placeCall(s, { audio: { voice: 'low' }, speed: 'max' });
    expect(low).toMatchObject({ voice: 'low', audioSeconds: 1 });
    expect((await placeCall(s, { audio: { voice: 'high' }, speed: 'max' })).audioSeconds).toBe(2);
    const unknown = await fetch(
      `${s.url}/sandbox/calls`,
      json({ ani: '+34600111222', queue: 'Support', audio: { voice: 'alto' } }),
    );
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toBe(
      'Voice alto not found; voices: low, high',
    );
    const both = await fetch(
      `${s.url}/sandbox/calls`,
      json({ ani: '+34600111222', queue: 'Support', audio: { voice: 'low', tone: {} } }),
    );
    expect(both.status).toBe(400);

    const bare = await start();
    const none = await fetch(
      `${bare.url}/sandbox/calls`,
      json({ ani: '+34600111222', queue: 'Support', audio: { voice: 'low' } }),
    );
    expect(none.status).toBe(400);
    expect(((await none.json()) as { message: string }).message).toMatch(/no voice catalogue/);
  });

  it('waits in the queue until an agent answers; the agent then reads it, once, and only while it lasts', async () => {
    const s = await start({ voices });
    const admin = await adminToken(s);
    const placed = await placeCall(s, { audio: { voice: 'low' }, speed: 'max' });
    expect(placed.agent).toBeNull();
    const waiting = await call<{ participants: { purpose: string; calls: { state: string }[] }[] }>(
      s,
      admin,
      'GET',
      `/api/v2/conversations/${placed.conversationId}`,
    );
    expect(waiting.body.participants.map((p) => `${p.purpose}:${p.calls[0]!.state}`)).toEqual([
      'customer:connected',
      'acd:connected',
    ]);

    expect((await answer(s, 'no-such-call', s.agents[1]!.email)).status).toBe(404);
    const nobody = await answer(s, placed.id, 'nobody@sandbox.example');
    expect(nobody.status).toBe(400);
    const answered = await answer(s, placed.id, s.agents[1]!.email);
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({
      agentUserId: s.agents[1]!.id,
      agent: { id: s.agents[1]!.id, name: 'Second Agent' },
      queueName: 'Support',
    });
    const after = await call<{ participants: { purpose: string; calls: { state: string }[] }[] }>(
      s,
      admin,
      'GET',
      `/api/v2/conversations/${placed.conversationId}`,
    );
    expect(after.body.participants.map((p) => `${p.purpose}:${p.calls[0]!.state}`)).toEqual([
      'customer:connected',
      'acd:disconnected',
      'agent:connected',
    ]);
    const again = await answer(s, placed.id, s.agents[0]!.email);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already answered by Second Agent/);

    const list = (await (await fetch(`${s.url}/sandbox/calls`)).json()) as { entities: Summary[] };
    expect(list.entities[0]).toMatchObject({ id: placed.id, state: 'active', voice: 'low' });

    const other = await placeCall(s);
    await fetch(`${s.url}/sandbox/calls/${other.id}/hangup`, { method: 'POST' });
    const late = await answer(s, other.id, s.agents[0]!.email);
    expect(late.status).toBe(409);
    expect(late.body.message).toMatch(/has ended/);
    // The same step in code, for tests that drive the org in-process.
    expect(() => s.answerCall(placed.id, s.agents[0]!.email)).toThrow(/already answered/);
  });
});

describe('a continuous call', () => {
  it('keeps the line open until hang-up, and the caller says more on demand, to every Audiohook session', async () => {
    const s = await start({ voices });
    const admin = await adminToken(s);
    const { server, seconds } = await audiohookReceiver(servers);
    await audiohookIntegration(s, admin, server.url);
    await monitorQueue(s, admin, 'Support');
    const speak = (id: string, voice: string) =>
      fetch(`${s.url}/sandbox/calls/${id}/speak`, json({ audio: { voice } }));
    const heard = (c: Summary) => Math.round(seconds(c.conversationId) * 1000) / 1000;

    // A call that is only kept connected says its audio once; its caller cannot say more.
    const once = await placeCall(s, { audio: { voice: 'low' }, speed: 20 });
    await expect.poll(() => heard(once)).toBe(1);
    expect((await speak(once.id, 'high')).status).toBe(409);

    // A continuous call: the first utterance, then what the caller says later (nothing in between).
    const line = await placeCall(s, { audio: { voice: 'low' }, speed: 20, continuous: true });
    await expect.poll(() => heard(line)).toBe(1);
    expect((await speak(line.id, 'high')).status).toBe(200);
    await expect.poll(() => heard(line)).toBe(3);
    // The same in code; an unknown voice is refused before anything is said.
    s.speak(line.id, { voice: 'low' });
    await expect.poll(() => heard(line)).toBe(4);
    expect(() => s.speak(line.id, { voice: 'alto' })).toThrow(/Voice alto not found/);
    await fetch(`${s.url}/sandbox/calls/${line.id}/hangup`, { method: 'POST' });
    expect((await speak(line.id, 'high')).status).toBe(409);
    expect((await speak('no-such-call', 'high')).status).toBe(404);
  });
});

describe('the Interaction Widget the desktop frames', () => {
  it("fills Genesys' URL tokens and applies the integration's sandbox and permissions", async () => {
    const s = await start({ voices });
    const admin = await adminToken(s);
    const support = s.state.queues.find((q) => q.name === 'Support')!;
    const group = s.state.groups[0]!;
    const id = await widgetIntegration(
      s,
      admin,
      {
        url: 'http://127.0.0.1:18080/?c={{gcConversationId}}&h={{gcHostOrigin}}&e={{gcTargetEnv}}&l={{gcLangTag}}&p={{pcLangTag}}&x={{unknownToken}}',
        sandbox: 'allow-scripts,allow-same-origin,allow-popups,allow-everything,allow-forms',
        permissions: 'camera, microphone,clipboard-write',
        groups: [group.id],
        queueIdFilterList: [support.id],
        communicationTypeFilter: 'chat, call',
      },
      { lifecycle: { hooks: { bootstrap: true } } },
    );
    const placed = await placeCall(s);
    await answer(s, placed.id, s.agents[0]!.email);

    const shown = await frame(s, {
      conversationId: placed.conversationId,
      agent: s.agents[0]!.id,
      language: 'es',
    });
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual({
      widget: {
        integrationId: id,
        name: 'VB Widget',
        src:
          `http://127.0.0.1:18080/?c=${placed.conversationId}&h=${encodeURIComponent(new URL(s.url).origin)}` +
          '&e=sandbox&l=es&p=es&x={{unknownToken}}',
        sandbox: 'allow-scripts allow-same-origin allow-popups allow-forms',
        allow: 'camera; microphone; clipboard-write',
        bootstrapHook: true,
      },
    });
    const blocked = await frame(s, {
      conversationId: placed.conversationId,
      agent: s.agents[0]!.email,
      popups: 'blocked',
      targetEnv: 'prod',
    });
    const widget = blocked.body.widget as { sandbox: string; src: string };
    expect(widget.sandbox).toBe('allow-scripts allow-same-origin allow-forms');
    expect(new URL(widget.src).searchParams.get('e')).toBe('prod');
    expect(new URL(widget.src).searchParams.get('l')).toBe('en-us');
  });

  it('says why no widget shows: none enabled, a queue or media filter, an unknown call; refuses a bad request', async () => {
    const s = await start();
    const admin = await adminToken(s);
    const placed = await placeCall(s, { queue: 'Sales' });
    const params = { conversationId: placed.conversationId, agent: s.agents[0]!.email };
    expect((await frame(s, params)).body).toEqual({
      widget: null,
      reason: 'no Interaction Widget integration is enabled in this org (run provision)',
    });
    const support = s.state.queues.find((q) => q.name === 'Support')!;
    await widgetIntegration(
      s,
      admin,
      { url: 'https://widget.example/', queueIdFilterList: [support.id] },
      {},
      'A widget',
    );
    await widgetIntegration(
      s,
      admin,
      { url: 'https://widget.example/', communicationTypeFilter: 'chat' },
      {},
      'B widget',
    );
    expect((await frame(s, params)).body.reason).toBe(
      "no enabled Interaction Widget shows for this call (A widget: the call's queue is not in its queueIdFilterList; " +
        'B widget: its communicationTypeFilter leaves out calls)',
    );
    expect((await frame(s, { ...params, conversationId: 'nope' })).body.reason).toBe(
      'conversation nope not found',
    );
    expect((await frame(s, { conversationId: placed.conversationId, agent: 'x' })).status).toBe(400);
    expect((await frame(s, { agent: s.agents[0]!.email })).status).toBe(400);
    expect((await frame(s, { ...params, popups: 'sometimes' })).status).toBe(400);
  });

  it('fills only the tokens it knows, URL-encoded, and the legacy pc… names too', () => {
    expect(
      fillUrlTokens('https://w/?a={{gcHostOrigin}}&b={{ pcConversationId }}&c={{gcWorkitemId}}', {
        gcHostOrigin: 'http://127.0.0.1:4010',
        pcConversationId: 'c-1',
      }),
    ).toBe('https://w/?a=http%3A%2F%2F127.0.0.1%3A4010&b=c-1&c={{gcWorkitemId}}');
  });
});
