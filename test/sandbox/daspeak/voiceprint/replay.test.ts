import { describe, expect, it } from 'vitest';
import {
  decodeMulaw,
  encodeMulaw,
  floatToInt16,
  seededRandom,
  whiteNoise,
} from '../../../../src/audio/index.js';
import {
  registrationOutcome,
  verificationOutcome,
  type Voiceprint,
} from '../../../../src/sandbox/daspeak/voiceprint/index.js';
import {
  MONO_VOICES,
  pushMulawChunks,
  randomSizes,
  testEngine,
  voice,
  voiceprintOfSamples,
  withLeadingSilence,
} from './fixtures.js';

/** das-Peak's example authenticity_threshold is 0.8; fresh speech must be far above, a replay far below. */
const FRESH_AT_LEAST = 0.95;
const REPLAY_AT_MOST = 0.1;

describe('replay detection', () => {
  it('rates fresh speech as authentic and the registration audio played again as a spoof', () => {
    const engine = testEngine();
    const registration = voiceprintOfSamples(engine, voice('alice-register').samples);
    const registered = engine.register(registration);
    const { credential, authenticity } = registered;
    expect(authenticity).toBeGreaterThanOrEqual(FRESH_AT_LEAST);
    expect(registrationOutcome(registered)).toBe('success');
    expect(registrationOutcome(engine.register(registration))).toBe('fail-spoof'); // enrolling a recording
    expect(registrationOutcome({ authenticity: 0.85 }, 0.9)).toBe('fail-spoof');

    const fresh = engine.verify(credential, voiceprintOfSamples(engine, voice('alice-verify-1').samples));
    expect(fresh.authenticity).toBeGreaterThanOrEqual(FRESH_AT_LEAST);
    expect(verificationOutcome(fresh)).toBe('success');

    const replay = engine.verify(credential, voiceprintOfSamples(engine, voice('alice-register').samples));
    expect(replay.score).toBeGreaterThan(0.99); // it IS the enrolled voice…
    expect(replay.authenticity).toBeLessThanOrEqual(REPLAY_AT_MOST);
    expect(verificationOutcome(replay)).toBe('fail-spoof'); // …but pre-recorded
  });

  it('catches the replay whatever the chunking', () => {
    const engine = testEngine();
    const { mulaw } = voice('bruno-register');
    engine.register(voiceprintOfSamples(engine, voice('bruno-register').samples));
    for (const sizes of [[160], [1600], [333], randomSizes(300, 2000, 9)]) {
      const accumulator = engine.accumulator();
      pushMulawChunks(accumulator, mulaw, sizes);
      expect(engine.assess(accumulator.finish()).authenticity).toBeLessThanOrEqual(REPLAY_AT_MOST);
    }
  });

  it('catches the replay after any amount of leading silence, including fractions of a 5 ms hop', () => {
    const engine = testEngine();
    const { samples } = voice('chen-register');
    engine.register(voiceprintOfSamples(engine, samples));
    for (const count of [1, 7, 13, 20, 29, 39, 160, 1234, 4000, 12_345]) {
      const replay = voiceprintOfSamples(engine, withLeadingSilence(samples, count));
      expect(engine.assess(replay).authenticity, `${count} samples of silence`).toBeLessThanOrEqual(
        REPLAY_AT_MOST,
      );
    }
  });

  it('catches the replay behind a second of line noise, and at half the level re-encoded to µ-law', () => {
    const engine = testEngine();
    const { samples } = voice('dora-register');
    engine.register(voiceprintOfSamples(engine, samples));

    const noise = floatToInt16(whiteNoise(1.01, 8000, -55, seededRandom(3)));
    const behindNoise = new Int16Array(noise.length + samples.length);
    behindNoise.set(noise);
    behindNoise.set(samples, noise.length);
    expect(engine.assess(voiceprintOfSamples(engine, behindNoise)).authenticity).toBeLessThanOrEqual(
      REPLAY_AT_MOST,
    );

    const quieter = decodeMulaw(encodeMulaw(samples.map((s) => Math.round(s / 2))));
    expect(engine.assess(voiceprintOfSamples(engine, quieter)).authenticity).toBeLessThan(0.5);
  });

  it('keeps every other fixture authentic after all registrations were heard', () => {
    const engine = testEngine();
    const registrations = MONO_VOICES.filter((name) => name.endsWith('-register'));
    for (const name of registrations) engine.register(voiceprintOfSamples(engine, voice(name).samples));
    for (const name of MONO_VOICES.filter((n) => !registrations.includes(n))) {
      const { authenticity } = engine.assess(voiceprintOfSamples(engine, voice(name).samples));
      expect(authenticity, name).toBeGreaterThanOrEqual(FRESH_AT_LEAST);
    }
  });

  it('remembers verification audio too: the same verification twice is a spoof the second time', () => {
    const engine = testEngine();
    const { credential } = engine.register(voiceprintOfSamples(engine, voice('bruno-register').samples));
    const probe = voiceprintOfSamples(engine, voice('bruno-verify-2').samples);
    expect(verificationOutcome(engine.verify(credential, probe))).toBe('success');
    expect(verificationOutcome(engine.verify(credential, probe))).toBe('fail-spoof');
  });

  it('assess() does not remember; forgetAudio() forgets; replayMemory 0 turns detection off', () => {
    const engine = testEngine();
    const probe = voiceprintOfSamples(engine, voice('alice-verify-2').samples);
    const first = engine.assess(probe);
    expect(engine.assess(probe)).toEqual(first);
    expect(engine.rememberedFingerprints).toBe(0);

    engine.register(probe);
    expect(engine.rememberedFingerprints).toBe(probe.fingerprints.length);
    expect(engine.assess(probe).authenticity).toBeLessThanOrEqual(REPLAY_AT_MOST);
    engine.forgetAudio();
    expect(engine.rememberedFingerprints).toBe(0);
    expect(engine.assess(probe)).toEqual(first);

    const blind = testEngine({ replayMemory: 0 });
    blind.register(probe);
    blind.register(probe);
    expect(blind.assess(probe).authenticity).toBeGreaterThanOrEqual(FRESH_AT_LEAST);
  });

  it('stays a spoof however often the same audio is replayed, and stores it once', () => {
    const engine = testEngine();
    const voiceprint = voiceprintOfSamples(engine, voice('chen-verify-2').samples);
    expect(engine.register(voiceprint).authenticity).toBeGreaterThanOrEqual(FRESH_AT_LEAST);
    for (let i = 0; i < 100; i++) {
      expect(engine.register(voiceprint).authenticity).toBeLessThanOrEqual(REPLAY_AT_MOST);
    }
    expect(engine.rememberedFingerprints).toBe(voiceprint.fingerprints.length);
  });

  it('is bounded: the oldest audio is forgotten first', () => {
    const first = voiceprintOfSamples(testEngine(), voice('alice-verify-1').samples);
    const second = voiceprintOfSamples(testEngine(), voice('dora-verify-1').samples);
    const capacity = Math.max(first.fingerprints.length, second.fingerprints.length) + 10;
    const engine = testEngine({ replayMemory: capacity });
    engine.register(first);
    engine.register(second);
    expect(engine.rememberedFingerprints).toBe(second.fingerprints.length);
    expect(engine.assess(first).authenticity).toBeGreaterThanOrEqual(FRESH_AT_LEAST);
    expect(engine.assess(second).authenticity).toBeLessThanOrEqual(REPLAY_AT_MOST);
  });

  it('is deterministic', () => {
    const run = (): number[] => {
      const engine = testEngine();
      const voiceprints: Voiceprint[] = ['bruno-register', 'bruno-verify-1', 'bruno-register'].map((name) =>
        voiceprintOfSamples(engine, voice(name).samples),
      );
      return voiceprints.map((v) => engine.register(v).authenticity);
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first[2]).toBeLessThanOrEqual(REPLAY_AT_MOST);
  });
});
