import { afterEach, describe, expect, it } from 'vitest';
import { readWav } from '../../../src/audio/index.js';
import type { DaspeakOutcome } from '../../../src/daspeak/index.js';
import { audiohookCall, clientFor, newCallId, startSandbox, stopAll } from './helpers.js';

/*
 * The whole path as the kit uses it: the das-Peak client signals (Socket.IO or REST), the Audiohook
 * client streams a fixture voice as Genesys would, the toy voiceprint engine decides.
 */

afterEach(stopAll);

function expectKind<K extends DaspeakOutcome['kind']>(
  outcome: DaspeakOutcome,
  kind: K,
): Extract<DaspeakOutcome, { kind: K }> {
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind });
  return outcome as Extract<DaspeakOutcome, { kind: K }>;
}

describe.each(['socketio', 'rest'] as const)(
  'register and verify over %s with Audiohook audio',
  (channel) => {
    it('registers, verifies the same speaker, rejects another speaker and a replay', async () => {
      const sandbox = await startSandbox();
      const client = clientFor(sandbox);

      const registerCall = newCallId();
      const [registered, registerAudio] = await Promise.all([
        client.register({ callId: registerCall, channel }),
        audiohookCall(sandbox, registerCall, 'alice-register'),
      ]);
      const reg = expectKind(registered, 'registered');
      expect(reg.credential).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(reg.modelHash).toBe(sandbox.credentials.modelHash);
      expect(reg.authenticity).toBeGreaterThanOrEqual(0.8);
      expect(reg.progress?.netSpeechDuration).toBeGreaterThanOrEqual(5);
      // das-Peak ends the Audiohook stream itself once it has enough audio.
      expect(registerAudio.disconnect?.reason).toBe('completed');
      if (channel === 'socketio') {
        // DESIGN: result-success carries the collected audio as base64 WAV in the declared codec.
        const wav = readWav(Buffer.from(reg.collectedAudio ?? '', 'base64'));
        expect(wav).toMatchObject({ encoding: 'mulaw', sampleRate: 8000, channels: 1 });
        expect(wav.data.length / 8000).toBeGreaterThanOrEqual(5);
      }

      const verify = async (name: Parameters<typeof audiohookCall>[2]) => {
        const callId = newCallId();
        const [outcome] = await Promise.all([
          client.verify({ callId, channel, credential: reg.credential }),
          audiohookCall(sandbox, callId, name),
        ]);
        return outcome;
      };

      const same = expectKind(await verify('alice-verify-1'), 'verified');
      expect(same.score).toBeGreaterThanOrEqual(0.5);
      expect(same.threshold).toBe(0.5);
      expect(same.authenticity).toBeGreaterThanOrEqual(0.8);

      const other = expectKind(await verify('bruno-verify-1'), 'no-match');
      expect(other.score).toBeLessThan(0.5);

      const replay = expectKind(await verify('alice-register'), 'spoof');
      expect(replay.authenticity).toBeLessThan(0.8);
      expect(replay.threshold).toBe(0.8);

      await expect.poll(() => sandbox.stats().liveSessions).toBe(0);
    });
  },
);

describe('verification thresholds', () => {
  it('uses the request threshold: a strict one turns a match into fail-score', async () => {
    const sandbox = await startSandbox();
    const client = clientFor(sandbox);
    const a = newCallId();
    const [registered] = await Promise.all([
      client.register({ callId: a, channel: 'socketio' }),
      audiohookCall(sandbox, a, 'chen-register'),
    ]);
    const reg = expectKind(registered, 'registered');
    const b = newCallId();
    const [outcome] = await Promise.all([
      client.verify({
        callId: b,
        channel: 'socketio',
        credential: reg.credential,
        verificationThreshold: 0.9999999,
      }),
      audiohookCall(sandbox, b, 'chen-verify-2'),
    ]);
    const noMatch = expectKind(outcome, 'no-match');
    expect(noMatch.threshold).toBe(0.9999999);
  });

  it('analyses in worker threads with the same verdicts', async () => {
    const sandbox = await startSandbox({ analysisWorkers: 1 });
    const client = clientFor(sandbox);
    const a = newCallId();
    const [registered] = await Promise.all([
      client.register({ callId: a, channel: 'socketio' }),
      audiohookCall(sandbox, a, 'dora-register'),
    ]);
    const reg = expectKind(registered, 'registered');
    for (const [name, kind] of [
      ['dora-verify-1', 'verified'],
      ['alice-verify-2', 'no-match'],
      ['dora-register', 'spoof'],
    ] as const) {
      const callId = newCallId();
      const [outcome] = await Promise.all([
        client.verify({ callId, channel: 'rest', credential: reg.credential }),
        audiohookCall(sandbox, callId, name),
      ]);
      expect(outcome.kind, `${name}: ${JSON.stringify(outcome)}`).toBe(kind);
    }
  });
});
