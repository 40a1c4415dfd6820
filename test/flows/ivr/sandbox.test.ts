import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSuiteTmpDir } from '../../helpers/tmp.js';
import type { CallReport, GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import { kitVoiceCatalog } from '../../../src/sandbox/voices.js';
import { customerOf, ivrResultOf, type GenesysConversation } from '../../../widget/src/genesys/platform-api.js';
import { adminApi, provisionReady, startOrg } from '../../provision/helpers.js';
import { startServices, type Services } from '../data-actions/helpers.js';

/*
 * The sandbox org runs the kit's published inbound flow on its own calls with the flow interpreter:
 * data actions through the org's executor (against the das-Peak emulator and the backend), Audio
 * Monitoring as the call's Audiohook stream to the org's integration, participant data on the
 * customer participant, where the widget reads it.
 */

const tmp = useSuiteTmpDir();
let org: GenesysSandbox;
let services: Services;
let api: Awaited<ReturnType<typeof adminApi>>;
const FLOW = 'daspeak Example Inbound';

beforeAll(async () => {
  org = await startOrg({ voices: kitVoiceCatalog() });
  services = await startServices(tmp(), org);
  await provisionReady(org, services.ws);
  api = await adminApi(org);
}, 120_000);
afterAll(async () => {
  await services?.stop();
  await org?.stop();
});

async function ivrCall(voice: string, ani: string, dtmf: string[] = [], extra: Record<string, unknown> = {}) {
  const placed = org.startCall({ ani, flow: FLOW, audio: { voice }, dtmf, speed: 20, agent: null, ...extra });
  expect(placed.ivr).toMatchObject({ flowName: FLOW, state: 'running' });
  const report = await org.waitForCall(placed.id);
  const conversation = (await api<GenesysConversation>('GET', `/api/v2/conversations/${report.conversationId}`)).body;
  return { report, conversation };
}

const attributes = (c: GenesysConversation) => customerOf(c)?.attributes ?? {};

describe('the sandbox org runs its published inbound flow on its calls', () => {
  it('registers a caller through the IVR with no agent, then verifies the same voice; the widget reads the result', async () => {
    const first = await ivrCall('alice-register', '+34600000401', ['1']);
    expect(first.report.ivr).toMatchObject({
      state: 'ended',
      ending: { kind: 'transfer', queue: 'Support' },
      participantData: { 'daspeak.result': 'registered', 'daspeak.operation': 'register' },
    });
    expect(first.report.ivr!.transcript.some((t) => t.kind === 'input' && t.text.includes('pressed 1'))).toBe(true);
    // Audio Monitoring: the org's Audiohook integration heard the call.
    expect(first.report.monitored).toBe(true);
    expect(first.report.sessions[0]!.result?.opened).toBeTruthy();
    // Participant data on the customer, as GET /api/v2/conversations/{id} serves it; the queue holds the call.
    expect(attributes(first.conversation)).toMatchObject({ 'daspeak.result': 'registered', 'daspeak.reason': '' });
    const queueId = org.state.queues.find((q) => q.name === 'Support')!.id;
    expect(first.conversation.participants!.find((p) => p.purpose === 'acd')).toMatchObject({ queueId });
    expect(first.conversation.participants!.find((p) => p.purpose === 'ivr')?.endTime).toEqual(expect.any(String));
    expect(JSON.stringify(first)).not.toMatch(/"credential"/);

    const second = await ivrCall('alice-verify-1', '+34600000401');
    expect(second.report.ivr!.ending).toEqual({ kind: 'transfer', queue: 'Support' });
    // What the widget (widget/src/genesys/platform-api.ts) makes of the conversation it reads.
    const shown = ivrResultOf(customerOf(second.conversation));
    expect(shown).toMatchObject({ result: 'verified', operation: 'verify' });
    expect(shown!.score).toBeGreaterThanOrEqual(services.config.daspeak.verificationThreshold);
    expect(shown!.authenticity).toBeGreaterThan(0);
    expect(shown!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  }, 90_000);

  it('another voice is not verified, a replay is a spoof, each still reaches the queue', async () => {
    const other = await ivrCall('bruno-verify-1', '+34600000401');
    expect(attributes(other.conversation)['daspeak.result']).toBe('not-verified');
    expect(other.report.ivr!.ending!.kind).toBe('transfer');
    const replay = await ivrCall('alice-register', '+34600000401');
    expect(attributes(replay.conversation)['daspeak.result']).toBe('spoof');
    expect(replay.report.ivr!.ending!.kind).toBe('transfer');
  }, 60_000);

  it('a refusal at the consent menu is recorded as refused in the backend, and nothing is registered', async () => {
    const r = await ivrCall('chen-register', '+34600000402', ['2']);
    expect(attributes(r.conversation)).toMatchObject({ 'daspeak.result': 'no-consent', 'daspeak.reason': 'declined' });
    const key = { 'X-API-Key': services.config.backend.apiKeys[0]! };
    const consent = (await (
      await fetch(`${services.backend.url}api/v1/ivr/consent/%2B34600000402`, { headers: key })
    ).json()) as Record<string, unknown>;
    expect(consent).toMatchObject({ status: 'refused', granted: false });
    const ctx = { actor: { type: 'ivr' as const, id: 'test' }, conversationId: null };
    expect(await services.backend.store.credentialStatus(ctx, '+34600000402')).toBeNull();
  }, 60_000);

  it('a caller who hangs up in the IVR ends the flow where it is: no transfer, the conversation is over', async () => {
    const placed = org.startCall({ ani: '+34600000403', flow: FLOW, audio: { voice: 'dora-register' }, speed: 1, agent: null });
    await new Promise((r) => setTimeout(r, 300));
    const ended: CallReport = await org.hangUp(placed.id);
    expect(ended.ivr!.ending).toEqual({ kind: 'disconnect', reason: 'the caller hung up' });
    expect(ended.state).toBe('ended');
    expect(ended.queueId).toBeUndefined();
    const c = (await api<GenesysConversation>('GET', `/api/v2/conversations/${ended.conversationId}`)).body;
    expect(c.participants!.every((p) => p.endTime !== undefined)).toBe(true);
    expect(c.participants!.some((p) => p.purpose === 'acd')).toBe(false);
  }, 30_000);

  it('an agent answers once the flow transfers (never during the IVR), and sees the result', async () => {
    const placed = org.startCall({
      ani: '+34600000401',
      flow: FLOW,
      audio: { voice: 'alice-verify-2' },
      speed: 20,
      agent: org.agents[0]!.email,
      keepConnected: true,
    });
    for (let i = 0; i < 200 && org.state.conversations.find((c) => c.id === placed.conversationId)!.participants.every((p) => p.purpose !== 'agent'); i++) {
      const c = org.state.conversations.find((x) => x.id === placed.conversationId)!;
      // While the IVR runs, no agent is on the call.
      if (c.participants.some((p) => p.purpose === 'ivr' && p.state === 'connected'))
        expect(c.participants.some((p) => p.purpose === 'agent')).toBe(false);
      await new Promise((r) => setTimeout(r, 50));
    }
    const c = (await api<GenesysConversation>('GET', `/api/v2/conversations/${placed.conversationId}`)).body;
    expect(c.participants!.find((p) => p.purpose === 'agent')).toMatchObject({ userId: org.agents[0]!.id });
    expect(ivrResultOf(customerOf(c))?.result).toBe('verified');
    await org.hangUp(placed.id);
  }, 60_000);

  it('das-Peak down: the error path still reaches the queue', async () => {
    await services.daspeak.stop();
    const r = await ivrCall('alice-verify-2', '+34600000401');
    expect(attributes(r.conversation)).toMatchObject({ 'daspeak.result': 'error', 'daspeak.reason': 'audio-settings-failed' });
    expect(r.report.ivr!.ending).toEqual({ kind: 'transfer', queue: 'Support' });
  }, 60_000);
});
