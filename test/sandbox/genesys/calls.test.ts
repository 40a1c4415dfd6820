import platformClient from 'purecloud-platform-client-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../src/audio/index.js';
import type { ListeningAudiohookServer } from '../../../src/audiohook/index.js';
import type { GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import {
  adminToken,
  audiohookIntegration,
  audiohookReceiver,
  call,
  monitorQueue,
  sdkFailure,
  sdkFor,
  startSandbox,
  tokenFor,
} from './helpers.js';

const WIDGET = 'https://widget.example/index.html';

const running: GenesysSandbox[] = [];
const servers: ListeningAudiohookServer[] = [];
const receiver = (secret?: string) => audiohookReceiver(servers, secret);
async function start() {
  const s = await startSandbox();
  running.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function agentToken(s: GenesysSandbox, token: string, email?: string): Promise<string> {
  const client = await call<{ id: string }>(s, token, 'POST', '/api/v2/oauth/clients', {
    name: 'Widget',
    authorizedGrantType: 'TOKEN',
    registeredRedirectUri: [WIDGET],
  });
  const q = new URLSearchParams({ client_id: client.body.id, redirect_uri: WIDGET, response_type: 'token' });
  if (email) q.set('login_hint', email);
  const res = await fetch(`${s.url}/oauth/authorize?${q.toString()}`, { redirect: 'manual' });
  return new URLSearchParams(new URL(res.headers.get('location')!).hash.slice(1)).get('access_token')!;
}

interface Report {
  id: string;
  conversationId: string;
  monitored: boolean;
  state: string;
  sessions: {
    result?: {
      audio: { seconds: number };
      closeReason: string | null;
      closedByServer: boolean;
      selectedMedia: { channels: string[] } | null;
      disconnect: { reason: string } | null;
    };
  }[];
}

describe('conversations', () => {
  it('lets an agent read a conversation they are on, with the customer ANI, and refuses another agent', async () => {
    const s = await start();
    const token = await adminToken(s);
    const created = await call<{ id: string }>(s, undefined, 'POST', '/sandbox/conversations', {
      ani: '+34600000000',
      queue: 'Support',
    });
    expect(created.status).toBe(200);
    const agent = sdkFor(s);
    agent.setAccessToken(await agentToken(s, token));
    const conversation = await new platformClient.ConversationsApi(agent).getConversation(created.body.id);
    const customer = conversation.participants.find((p) => p.purpose === 'customer')!;
    expect(customer.ani).toBe('tel:+34600000000');
    const agentParticipant = conversation.participants.find((p) => p.purpose === 'agent')!;
    expect(agentParticipant.userId).toBe(s.agents[0]!.id);
    expect(agentParticipant.queueName).toBe('Support');
    const asCall = await new platformClient.ConversationsApi(agent).getConversationsCall(created.body.id);
    expect(asCall.participants?.length).toBe(conversation.participants.length);

    const other = sdkFor(s);
    other.setAccessToken(await agentToken(s, token, s.agents[1]!.email));
    const refused = await sdkFailure(
      new platformClient.ConversationsApi(other).getConversation(created.body.id),
    );
    expect(refused.status).toBe(403);
    expect(refused.code).toBe('not.authorized');

    expect((await call(s, token, 'GET', `/api/v2/conversations/${created.body.id}`)).status).toBe(200);
    expect(
      (await call(s, token, 'GET', '/api/v2/conversations/00000000-0000-0000-0000-000000000000')).status,
    ).toBe(404);
  });

  it('refuses a client-credentials token without conversation:communication:view', async () => {
    const s = await start();
    const token = await adminToken(s);
    const employee = s.state.roles.find((r) => r.name === 'employee')!.id;
    const home = s.state.divisions[0]!.id;
    const weak = await call<{ id: string; secret: string }>(s, token, 'POST', '/api/v2/oauth/clients', {
      name: 'weak',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: employee, divisionId: home }],
    });
    const c = s.createConversation({ ani: '+34600000001', queue: 'Sales' });
    const res = await call(
      s,
      await tokenFor(s, weak.body.id, weak.body.secret),
      'GET',
      `/api/v2/conversations/${c.id}`,
    );
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('missing.permissions');
  });

  it('takes a withheld caller (anonymous or empty ANI) and reads it back that way to the agent', async () => {
    const s = await start();
    const agent = sdkFor(s);
    agent.setAccessToken(await agentToken(s, await adminToken(s)));
    const conversations = new platformClient.ConversationsApi(agent);
    const customerAni = async (id: string) => {
      const c = await conversations.getConversation(id);
      const customer = c.participants.find((p) => p.purpose === 'customer')!;
      return { ani: customer.ani, address: customer.address };
    };

    const anonymous = await call<{ id: string }>(s, undefined, 'POST', '/sandbox/conversations', {
      ani: 'anonymous',
      queue: 'Support',
    });
    expect(anonymous.status).toBe(200);
    expect(await customerAni(anonymous.body.id)).toEqual({ ani: 'tel:anonymous', address: 'tel:anonymous' });
    const tel = s.createConversation({ ani: 'tel:anonymous', queue: 'Support' });
    expect((await customerAni(tel.id)).ani).toBe('tel:anonymous');

    const empty = await call<{ id: string }>(s, undefined, 'POST', '/sandbox/conversations', {
      ani: '',
      queue: 'Support',
    });
    expect(empty.status).toBe(200);
    // The ANI is there and empty (not left out), so a reader sees "no number" rather than a missing field.
    expect(await customerAni(empty.body.id)).toEqual({ ani: '', address: undefined });

    for (const bad of ['Anonymous', 'private', ' ', 'tel:']) {
      const res = await call(s, undefined, 'POST', '/sandbox/conversations', { ani: bad, queue: 'Support' });
      expect(res.status, bad).toBe(400);
      expect(res.body.message).toMatch(/"ani" must match pattern/);
    }
  });

  it('refuses a control request without a destination, with an unknown queue, agent or a bad ANI', async () => {
    const s = await start();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ani: '+34600000000' }, /queue or the flow/],
      [{ ani: '+34600000000', queue: 'Billing' }, /Queue Billing not found/],
      [{ ani: '+34600000000', queue: 'Support', agent: 'nobody@x' }, /Agent nobody@x not found/],
      [{ ani: '600000000', queue: 'Support' }, /"ani" must match pattern/],
      [{ ani: '+34600000000', queue: 'Support', colour: 'red' }, /Unrecognized field "colour"/],
      [{ ani: '+34600000000', flow: 'Nope' }, /Inbound call flow Nope not found/],
    ];
    for (const [body, message] of cases) {
      const res = await call(s, undefined, 'POST', '/sandbox/conversations', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    const disconnected = await call(s, undefined, 'POST', '/sandbox/conversations/nope/disconnect');
    expect(disconnected.status).toBe(404);
  });
});

describe('calls driving Audiohook', () => {
  it('streams a monitored call to the enabled integration, signed, with org, conversation, ANI and customConfig', async () => {
    const s = await start();
    const token = await adminToken(s);
    const { server, opens } = await receiver();
    await audiohookIntegration(s, token, server.url);
    await monitorQueue(s, token, 'Support');

    const started = await call<Report>(s, undefined, 'POST', '/sandbox/calls', {
      ani: '+34600000000',
      queue: 'Support',
      audio: { tone: { seconds: 1 } },
      speed: 'max',
    });
    expect(started.status).toBe(200);
    expect(started.body.monitored).toBe(true);
    const ended = await call<Report>(s, undefined, 'GET', `/sandbox/calls/${started.body.id}?wait=true`);
    expect(ended.body.state).toBe('ended');
    const result = ended.body.sessions[0]!.result!;
    expect(result.audio.seconds).toBeCloseTo(1, 5);
    expect(result.closeReason).toBe('end');
    expect(result.closedByServer).toBe(true);
    expect(result.selectedMedia?.channels).toEqual(['external']);

    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatchObject({
      organizationId: s.organizationId,
      conversationId: started.body.conversationId,
      participant: { ani: 'tel:+34600000000' },
      customConfig: { tenant: 'demo' },
    });
    expect(opens[0]!.media.map((m) => m.channels)).toEqual([
      ['external', 'internal'],
      ['external'],
      ['internal'],
    ]);

    const conversation = await call<{ endTime?: string }>(
      s,
      token,
      'GET',
      `/api/v2/conversations/${started.body.conversationId}`,
    );
    expect(conversation.body.endTime).toBeDefined();
  });

  it('places a call from a withheld number: the report, the conversation and the Audiohook open carry it', async () => {
    const s = await start();
    const token = await adminToken(s);
    const { server, opens } = await receiver();
    await audiohookIntegration(s, token, server.url);
    await monitorQueue(s, token, 'Support');
    const started = await call<Report & { ani: string }>(s, undefined, 'POST', '/sandbox/calls', {
      ani: 'anonymous',
      queue: 'Support',
      audio: { tone: { seconds: 0.4 } },
      speed: 'max',
    });
    expect(started.status).toBe(200);
    expect(started.body.ani).toBe('tel:anonymous');
    await s.waitForCall(started.body.id);
    expect(opens[0]!.participant.ani).toBe('tel:anonymous');
    const conversation = await call<{ participants: { purpose: string; ani?: string }[] }>(
      s,
      token,
      'GET',
      `/api/v2/conversations/${started.body.conversationId}`,
    );
    expect(conversation.body.participants.find((p) => p.purpose === 'customer')!.ani).toBe('tel:anonymous');

    const silent = s.startCall({ ani: '', queue: 'Sales', speed: 'max' });
    expect(silent.ani).toBe('');
    expect((await s.waitForCall(silent.id)).state).toBe('ended');
  });

  it('streams nothing when audio monitoring is off for the queue', async () => {
    const s = await start();
    const token = await adminToken(s);
    const { server, opens } = await receiver();
    await audiohookIntegration(s, token, server.url);
    const report = s.startCall({ ani: '+34600000000', queue: 'Sales', speed: 'max' });
    expect(report.monitored).toBe(false);
    expect(report.sessions).toEqual([]);
    expect((await s.waitForCall(report.id)).state).toBe('ended');
    expect(opens).toHaveLength(0);
  });

  it('reports the refusal when the endpoint does not know the integration secret', async () => {
    const s = await start();
    const token = await adminToken(s);
    const { server } = await receiver(Buffer.from('a-different-secret-of-32-bytes!!').toString('base64'));
    await audiohookIntegration(s, token, server.url);
    await monitorQueue(s, token, 'Support');
    const report = s.startCall({ ani: '+34600000000', queue: 'Support', speed: 'max' });
    const ended = (await s.waitForCall(report.id)) as unknown as Report;
    expect(ended.sessions[0]!.result!.disconnect?.reason).toBe('unauthorized');
  });

  it('offers only the configured channel, and plays a WAV file', async () => {
    const s = await start();
    const token = await adminToken(s);
    const { server, opens } = await receiver();
    await audiohookIntegration(s, token, server.url, { channel: 'external' });
    await monitorQueue(s, token, 'Support');
    const samples = new Int16Array(8000).map((_, i) => Math.round(8000 * Math.sin(i / 5)));
    const wav = Buffer.from(encodeWav({ sampleRate: 16000, channels: 1, samples })).toString('base64');
    const report = s.startCall({ ani: '+34600000000', queue: 'Support', audio: { wav }, speed: 'max' });
    const ended = (await s.waitForCall(report.id)) as unknown as Report;
    expect(opens[0]!.media).toEqual([{ type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 }]);
    expect(ended.sessions[0]!.result!.audio.seconds).toBeCloseTo(0.5, 5);
    const badWav = await call(s, undefined, 'POST', '/sandbox/calls', {
      ani: '+34600000000',
      queue: 'Support',
      audio: { wav: Buffer.from('not a wav file').toString('base64') },
    });
    expect(badWav.status).toBe(400);
    const two = await call(s, undefined, 'POST', '/sandbox/calls', {
      ani: '+34600000000',
      queue: 'Support',
      audio: { wav, tone: { seconds: 1 } },
    });
    expect(two.status).toBe(400);
  });

  it('keeps a call connected until hung up, so the agent can read it meanwhile', async () => {
    const s = await start();
    const token = await adminToken(s);
    const { server } = await receiver();
    await audiohookIntegration(s, token, server.url);
    await monitorQueue(s, token, 'Support');
    const report = s.startCall({ ani: '+34600000000', queue: 'Support', speed: 'max', keepConnected: true });
    const during = await call<{ state: string }>(
      s,
      token,
      'GET',
      `/api/v2/conversations/${report.conversationId}`,
    );
    expect(during.body.state).toBe('connected');
    expect((await call<Report>(s, undefined, 'GET', `/sandbox/calls/${report.id}`)).body.state).toBe(
      'active',
    );
    const hungUp = await call<Report>(s, undefined, 'POST', `/sandbox/calls/${report.id}/hangup`);
    expect(hungUp.body.state).toBe('ended');
    expect(hungUp.body.sessions[0]!.result!.closeReason).toBe('end');
    const after = await call<{ state: string }>(
      s,
      token,
      'GET',
      `/api/v2/conversations/${report.conversationId}`,
    );
    expect(after.body.state).toBe('disconnected');
  });

  it('turns monitoring on through the Audio Monitoring action of the inbound flow', async () => {
    const s = await start();
    const token = await adminToken(s);
    const { server, opens } = await receiver();
    await audiohookIntegration(s, token, server.url);
    const yaml = `inboundCall:
  name: Monitored IVR
  defaultLanguage: en-us
  supportedLanguages:
    en-us:
      none: true
  startUpRef: ./tasks/task[main]
  tasks:
    - task:
        name: Main
        refId: main
        actions:
          - audioMonitoring:
              name: Monitor
              enableMonitoring:
                lit: true
          - disconnect:
              none: true
`;
    const job = await call<{ id: string; presignedUrl: string; headers: Record<string, string> }>(
      s,
      token,
      'POST',
      '/api/v2/flows/jobs',
    );
    await fetch(job.body.presignedUrl, { method: 'PUT', headers: job.body.headers, body: yaml });
    let status = '';
    for (let i = 0; i < 5 && status !== 'Success'; i++) {
      status = (await call<{ status: string }>(s, token, 'GET', `/api/v2/flows/jobs/${job.body.id}`)).body
        .status;
    }
    expect(status).toBe('Success');
    const report = s.startCall({ ani: '+34600000000', flow: 'Monitored IVR', speed: 'max' });
    expect(report.monitored).toBe(true);
    await s.waitForCall(report.id);
    expect(opens).toHaveLength(1);
  });
});
