import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderedByName, runFlow, type FlowRunResult } from '../../../src/flows/run/index.js';
import { voiceAudio } from '../../../src/simulate/voices.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServices, type Services } from '../data-actions/helpers.js';

let services: Services;
let flows: Map<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'daspeak-flows-run-'));

beforeAll(async () => {
  services = await startServices(dir, { url: 'http://127.0.0.1:9' });
  flows = renderedByName(services.config);
}, 60_000);
afterAll(async () => {
  await services?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const inbound = () => flows.get('daspeak Example Inbound')!;

function call(voice: string, ani: string, dtmf: string[] = []): Promise<FlowRunResult> {
  return runFlow({
    config: services.config,
    flow: inbound(),
    modules: flows,
    ani,
    audio: voiceAudio(voice, voice.includes('verify') ? 'verify' : 'register'),
    dtmf,
    speed: 10,
  });
}

describe('flows run: the example inbound flow', () => {
  it('registers a new caller after consent, then verifies the same voice; another voice is not verified', async () => {
    const first = await call('alice', '+34600000101', ['1']);
    expect(first.participantData).toMatchObject({ 'daspeak.operation': 'register', 'daspeak.result': 'registered', 'daspeak.reason': '' });
    expect(first.ending).toMatchObject({ kind: 'transfer', queue: 'Support' });
    expect(first.transcript.some((t) => t.kind === 'input' && t.text.includes('pressed 1'))).toBe(true);
    // The credential never appears in what the run shows.
    expect(JSON.stringify(first)).not.toMatch(/"credential"/);

    const second = await call('alice-verify-1', '+34600000101');
    expect(second.participantData['daspeak.result']).toBe('verified');
    expect(Number(second.participantData['daspeak.score'])).toBeGreaterThan(0.5);
    expect(second.participantData['daspeak.at']).toMatch(/^\d{4}-\d\d-\d\dT/);

    const other = await call('bruno-verify-1', '+34600000101');
    expect(other.participantData['daspeak.result']).toBe('not-verified');
    expect(other.ending.kind).toBe('transfer');

    // The registration's own recording played back: a replay, flagged as a spoof.
    const replay = await call('alice-register', '+34600000101');
    expect(replay.participantData['daspeak.result']).toBe('spoof');

    // das-Peak unreachable: the error path still ends in the queue.
    const down = {
      ...services.config,
      daspeak: { ...services.config.daspeak, rest: { ...services.config.daspeak.rest, baseUrl: 'http://127.0.0.1:9/dpsrest' } },
    };
    const broken = renderedByName(down);
    const r = await runFlow({
      config: down,
      flow: broken.get('daspeak Example Inbound')!,
      modules: broken,
      ani: '+34600000101',
      audio: voiceAudio('alice-verify-2', 'verify'),
      speed: 10,
    });
    expect(r.participantData).toMatchObject({ 'daspeak.result': 'error', 'daspeak.reason': 'audio-settings-failed' });
    expect(r.ending.kind).toBe('transfer');
  }, 180_000);

  it('consent refused: nothing is registered and the call still reaches the queue', async () => {
    const r = await call('chen', '+34600000102', ['2']);
    expect(r.participantData).toMatchObject({ 'daspeak.result': 'no-consent', 'daspeak.operation': 'register' });
    expect(r.ending.kind).toBe('transfer');
    expect(r.participantData['daspeak.reason']).toBe('declined');
    // The refusal was recorded through the backend: the next call is not asked again.
    const again = await call('chen', '+34600000102', []);
    expect(again.participantData).toMatchObject({ 'daspeak.result': 'no-consent', 'daspeak.reason': 'refused-earlier' });
    expect(again.transcript.some((t) => t.kind === 'input')).toBe(false);
  }, 60_000);

  it('polling never exceeds its bound: a caller who never speaks gets no-audio after maxPolls', async () => {
    const config = { ...services.config, daspeak: { ...services.config.daspeak, timeouts: { sessionSeconds: 5, pollIntervalMs: 1000 } } };
    const bounded = renderedByName(config);
    const r = await runFlow({
      config,
      flow: bounded.get('daspeak Example Inbound')!,
      modules: bounded,
      ani: '+34600000103',
      audio: { ...voiceAudio('alice', 'register'), external: new Uint8Array(0), internal: new Uint8Array(0) },
      dtmf: ['1'],
      speed: 50,
    });
    expect(r.loops['Poll the session status']).toBe(5);
    expect(r.participantData['daspeak.result']).toBe('no-audio');
    expect(r.participantData['daspeak.reason']).toBe('timeout');
  }, 60_000);
});
