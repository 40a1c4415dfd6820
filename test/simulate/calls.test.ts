/**
 * The simulator against the das-Peak emulator over real sockets: Audiohook (signed), REST and
 * Socket.IO signalling, the emulator's voiceprint engine deciding the outcomes. Audio is streamed 50×
 * faster than real time; the waiting phases run in real time, so REST calls take about one poll
 * interval longer than Socket.IO ones.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDaspeakClient } from '../../src/daspeak/client.js';
import type { Channel } from '../../src/daspeak/outcome.js';
import { startDaspeakSandbox, type DaspeakSandbox } from '../../src/sandbox/daspeak/index.js';
import {
  parseSimulateOptions,
  prepareInputs,
  runSimulation,
  sandboxTarget,
  simulateCall,
  voiceAudio,
  type CallStep,
  type RawSimulateOptions,
  type ResolvedTarget,
  type SingleCallResult,
  type LoadResult,
} from '../../src/simulate/index.js';
import { useTmpDir } from '../helpers/tmp.js';

const SPEED = '50';
const tmp = useTmpDir();
// A REST call waits up to one poll interval (1 s, the config default) for the consumer and again for
// the result, so a test of several REST calls takes seconds; leave room on a slow machine.
vi.setConfig({ testTimeout: 60_000 });

async function simulate(target: ResolvedTarget, raw: RawSimulateOptions) {
  const options = parseSimulateOptions({ speed: SPEED, ...raw });
  return runSimulation(options, prepareInputs(options), target);
}

async function single(target: ResolvedTarget, raw: RawSimulateOptions): Promise<SingleCallResult> {
  const result = await simulate(target, raw);
  if (result.mode !== 'single') throw new Error('expected one call');
  return result;
}

/** Registers `voice` and returns the credential, read from the file --credential-out wrote. */
async function register(target: ResolvedTarget, channel: Channel, voice: string): Promise<string> {
  const file = join(tmp(), 'credential');
  const result = await single(target, { channel, voice, credentialOut: file, expect: 'registered' });
  expect(result.ok, JSON.stringify(result.call.error)).toBe(true);
  expect(result.credentialSavedTo).toBe(file);
  return readFileSync(file, 'utf8').trim();
}

async function idle(sandbox: DaspeakSandbox) {
  await vi.waitFor(() => {
    const stats = sandbox.stats();
    expect(stats.liveSessions).toBe(0);
    expect(stats.audiohookSessions).toBe(0);
  });
}

describe.each(['rest', 'socketio'] as const)('one call over %s against the emulator', (channel) => {
  let sandbox: DaspeakSandbox;
  let target: ResolvedTarget;

  beforeAll(async () => {
    sandbox = await startDaspeakSandbox({ host: '127.0.0.1', port: 0 });
    target = sandboxTarget({ host: sandbox.host, port: sandbox.port });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('register, then verify: same speaker verified, another speaker no-match, the registration replayed spoof', async () => {
    const credential = await register(target, channel, 'alice');

    const verified = await single(target, {
      channel,
      operation: 'verify',
      voice: 'alice-verify-1',
      credential,
      expect: 'verified',
    });
    const call = verified.call;
    expect(verified.ok).toBe(true);
    expect(call).toMatchObject({ kind: 'verified', operation: 'verify', channel, expected: true });
    expect(call.score).toBeGreaterThanOrEqual(call.threshold!);
    expect(call.authenticity).toBeGreaterThanOrEqual(0.8);
    expect(call.sessionId).toBeTruthy();
    expect(call.progress?.netSpeechDuration).toBeGreaterThanOrEqual(3);
    // Audiohook: the caller channel was selected, the speech was sent, the call ended cleanly.
    expect(call.audiohook.media).toEqual(['external']);
    expect(call.audiohook.errors).toEqual([]);
    expect(call.audiohook.secondsSent).toBeGreaterThan(3);
    expect(call.audiohook.closedByServer || call.audiohook.disconnectReason === 'completed').toBe(true);
    const t = call.timings;
    for (const key of [
      'audiohookOpenedMs',
      'sessionCreatedMs',
      'consumerReadyMs',
      'requiredSpeechSentMs',
      'resultMs',
    ] as const) {
      expect(t[key], key).toBeGreaterThanOrEqual(0);
    }
    expect(t.speechToResultMs).toBe(t.resultMs! - t.requiredSpeechSentMs!);
    expect(t.resultMs!).toBeGreaterThanOrEqual(t.sessionCreatedMs!);

    const other = await single(target, { channel, operation: 'verify', voice: 'bruno', credential });
    expect(other.call.kind).toBe('no-match');
    expect(other.call.score).toBeLessThan(other.call.threshold!);
    expect(other.ok).toBe(true); // --expect any: a no-match is a result, not an error

    const replay = await single(target, {
      channel,
      operation: 'verify',
      voice: 'alice-register',
      credential,
      expect: 'verified',
    });
    expect(replay.call.kind).toBe('spoof');
    expect(replay.call.authenticity).toBeLessThan(replay.call.threshold!);
    expect(replay.ok).toBe(false); // --expect verified

    await idle(sandbox);
  });

  it('a stereo call: das-Peak hears the caller channel; too little speech, and the caller hangs up', async () => {
    const result = await single(target, {
      channel,
      wav: 'test/fixtures/voices/call-bruno-agent-stereo.wav',
      hold: '0.5',
    });
    const call = result.call;
    expect(call.audio).toMatchObject({ channels: 2, sampleRate: 8000 });
    expect(call.audiohook.media).toEqual(['external']);
    expect(call.audiohook.closeReason).toBe('end');
    // 3.5 s of caller speech is short of the 5 s a registration waits for: when the audio ends,
    // das-Peak answers that it could not use it.
    expect(call.progress?.netSpeechDuration).toBeGreaterThan(3);
    expect(call.progress?.netSpeechDuration).toBeLessThan(5);
    expect(call.timings.requiredSpeechSentMs).toBeUndefined();
    expect(call.kind).toBe('error');
    expect(call.error).toMatchObject({ source: 'daspeak', code: 'audio' });
    expect(result.ok).toBe(false);
    await idle(sandbox);
  });
});

describe('synthetic voices', () => {
  let sandbox: DaspeakSandbox;
  let target: ResolvedTarget;
  beforeAll(async () => {
    sandbox = await startDaspeakSandbox({ host: '127.0.0.1', port: 0 });
    target = sandboxTarget({ host: sandbox.host, port: sandbox.port });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('register synth-low; its own verify take verifies, synth-high does not', async () => {
    const credential = await register(target, 'socketio', 'synth-low');
    const same = await single(target, {
      channel: 'socketio',
      operation: 'verify',
      voice: 'synth-low',
      credential,
    });
    expect(same.call.kind).toBe('verified');
    const other = await single(target, {
      channel: 'socketio',
      operation: 'verify',
      voice: 'synth-high',
      credential,
    });
    expect(other.call.kind).toBe('no-match');
  });
});

describe('load mode', () => {
  let sandbox: DaspeakSandbox;
  let target: ResolvedTarget;
  beforeAll(async () => {
    // Without replay memory: ten plays of one recording are ten live callers, not nine replays.
    sandbox = await startDaspeakSandbox({ host: '127.0.0.1', port: 0, biometrics: { replayCheck: false } });
    target = sandboxTarget({ host: sandbox.host, port: sandbox.port });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it.each(['rest', 'socketio'] as const)(
    '10 verifications over %s, 5 at once: all verified, percentiles over all',
    async (channel) => {
      const credential = await register(target, channel, 'dora');
      const result = (await simulate(target, {
        channel,
        operation: 'verify',
        voice: 'dora-verify-2',
        credential,
        calls: '10',
        concurrency: '5',
        expect: 'verified',
      })) as LoadResult;
      expect(result.mode).toBe('load');
      expect(result.ok).toBe(true);
      expect(result.interrupted).toBe(false);
      const s = result.summary;
      expect(s).toMatchObject({
        requested: 10,
        completed: 10,
        concurrency: 5,
        expected: 10,
        unexpected: 0,
        errors: [],
      });
      expect(s.outcomes).toEqual({ registered: 0, verified: 10, 'no-match': 0, spoof: 0, error: 0 });
      for (const figure of [s.latency.speechToResultMs!, s.latency.resultMs!]) {
        expect(figure.count).toBe(10);
        expect(figure.min).toBeLessThanOrEqual(figure.p50);
        expect(figure.p50).toBeLessThanOrEqual(figure.p90);
        expect(figure.p90).toBeLessThanOrEqual(figure.p99);
        expect(figure.p99).toBeLessThanOrEqual(figure.max);
      }
      expect(new Set(result.calls.map((c) => c.callId)).size).toBe(10);
      await idle(sandbox);
    },
  );
});

describe('failures and hanging up', () => {
  let sandbox: DaspeakSandbox;
  let target: ResolvedTarget;
  beforeAll(async () => {
    sandbox = await startDaspeakSandbox({ host: '127.0.0.1', port: 0, audiohookFailureDelayMs: 0 });
    target = sandboxTarget({ host: sandbox.host, port: sandbox.port });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('a refused Audiohook key is an audiohook error, and no das-Peak session is started for it', async () => {
    const wrongKey: ResolvedTarget = {
      ...target,
      audiohook: { ...target.audiohook, apiKey: 'not-the-key' },
    };
    const result = await single(wrongKey, { voice: 'alice' });
    expect(result.ok).toBe(false);
    expect(result.call.kind).toBe('error');
    expect(result.call.error).toMatchObject({ source: 'audiohook', code: 'audiohook.open_refused' });
    expect(result.call.timings.sessionStartedMs).toBeUndefined();
    expect(sandbox.stats().sessions).toBe(0);
    // The secrets of the target never appear in a report.
    const text = JSON.stringify(result);
    for (const secret of [
      target.audiohook.clientSecret,
      target.daspeak.rest.apiKey,
      target.daspeak.auth.clientSecret,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('a credential das-Peak refuses is a das-Peak parameters error', async () => {
    const result = await single(target, { operation: 'verify', voice: 'alice', credential: 'AAAA' });
    expect(result.call.kind).toBe('error');
    expect(result.call.error).toMatchObject({ source: 'daspeak', code: 'parameters' });
    await idle(sandbox);
  });

  it.each(['rest', 'socketio'] as const)(
    'aborting mid-speech over %s hangs up cleanly: Audiohook closed with end, then das-Peak ends',
    async (channel) => {
      const controller = new AbortController();
      const steps: CallStep[] = [];
      const daspeak = createDaspeakClient(target.daspeak);
      const result = await simulateCall(
        {
          daspeak,
          audiohook: {
            uri: target.audiohook.connectionUri,
            apiKey: target.audiohook.apiKey,
            clientSecret: target.audiohook.clientSecret,
            organizationId: target.organizationId,
          },
          audioTotalDuration: target.daspeak.audioTotalDuration,
        },
        {
          operation: 'register',
          channel,
          ani: '+34600000000',
          audio: voiceAudio('chen', 'register'),
          speed: 1, // real time: the abort lands while the caller is still speaking
          expect: 'any',
          signal: controller.signal,
          onStep: (step) => {
            steps.push(step);
            if (step === 'speech-started') controller.abort();
          },
        },
      );
      expect(steps).toEqual([
        'audiohook-opened',
        'session-started',
        'consumer-ready',
        'speech-started',
        'result',
        'ended',
      ]);
      expect(result.credential).toBeUndefined();
      expect(result.report.kind).toBe('error');
      // The caller hung up first; das-Peak either saw the audio end or was cancelled right after.
      expect(result.report.error?.source).toBe('daspeak');
      expect(['aborted', 'audio']).toContain(result.report.error?.code);
      expect(result.report.audiohook).toMatchObject({ closeReason: 'end', closedByServer: true, errors: [] });
      expect(result.report.audiohook.secondsSent).toBeLessThan(5);
      await idle(sandbox);
    },
  );
});
