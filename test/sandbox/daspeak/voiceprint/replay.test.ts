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

describe('replay detection, against the credential being verified', () => {
  it('rates a fresh take as authentic and the registration audio played back to verify as a spoof', () => {
    const engine = testEngine();
    const registration = voiceprintOfSamples(engine, voice('alice-register').samples);
    const registered = engine.register(registration);
    const { credential, authenticity } = registered;
    expect(authenticity).toBeGreaterThanOrEqual(FRESH_AT_LEAST);
    expect(registrationOutcome(registered)).toBe('success');
    expect(registrationOutcome({ authenticity: 0.85 }, 0.9)).toBe('fail-spoof');

    const fresh = engine.verify(credential, voiceprintOfSamples(engine, voice('alice-verify-1').samples));
    expect(fresh.authenticity).toBeGreaterThanOrEqual(FRESH_AT_LEAST);
    expect(verificationOutcome(fresh)).toBe('success');

    const replay = engine.verify(credential, voiceprintOfSamples(engine, voice('alice-register').samples));
    expect(replay.score).toBeGreaterThan(0.99); // it IS the enrolled voice…
    expect(replay.authenticity).toBeLessThanOrEqual(REPLAY_AT_MOST);
    expect(verificationOutcome(replay)).toBe('fail-spoof'); // …but pre-recorded
  });

  it('lets the same voice register on any number of calls, each credential still catching its replay', () => {
    const engine = testEngine();
    const take = voiceprintOfSamples(engine, voice('bruno-register').samples);
    const credentials = Array.from({ length: 5 }, () => engine.register(take));
    for (const r of credentials) expect(registrationOutcome(r)).toBe('success');
    const other = voiceprintOfSamples(engine, voice('bruno-verify-1').samples);
    for (const { credential } of credentials) {
      expect(verificationOutcome(engine.verify(credential, other))).toBe('success');
      expect(verificationOutcome(engine.verify(credential, take))).toBe('fail-spoof');
    }
  });

  it('keeps no memory: the same verification any number of times, on any instance, gives the same outcome', () => {
    const first = testEngine();
    const { credential } = first.register(voiceprintOfSamples(first, voice('bruno-register').samples));
    const probe = voiceprintOfSamples(first, voice('bruno-verify-2').samples);
    const once = first.verify(credential, probe);
    expect(verificationOutcome(once)).toBe('success');
    for (let i = 0; i < 20; i++) expect(first.verify(credential, probe)).toEqual(once);
    // Another emulator instance (another process, a worker) judges the credential alike.
    const second = testEngine();
    expect(second.verify(credential, probe)).toEqual(once);
    const replay = voiceprintOfSamples(second, voice('bruno-register').samples);
    expect(second.assess(credential, replay).authenticity).toBeLessThanOrEqual(REPLAY_AT_MOST);
  });

  it('catches the replay whatever the chunking', () => {
    const engine = testEngine();
    const { mulaw } = voice('bruno-register');
    const { credential } = engine.register(voiceprintOfSamples(engine, voice('bruno-register').samples));
    for (const sizes of [[160], [1600], [333], randomSizes(300, 2000, 9)]) {
      const accumulator = engine.accumulator();
      pushMulawChunks(accumulator, mulaw, sizes);
      expect(engine.assess(credential, accumulator.finish()).authenticity).toBeLessThanOrEqual(
        REPLAY_AT_MOST,
      );
    }
  });

  it('catches the replay after any amount of leading silence, including fractions of a 5 ms hop', () => {
    const engine = testEngine();
    const { samples } = voice('chen-register');
    const { credential } = engine.register(voiceprintOfSamples(engine, samples));
    for (const count of [1, 7, 13, 20, 29, 39, 160, 1234, 4000, 12_345]) {
      const replay = voiceprintOfSamples(engine, withLeadingSilence(samples, count));
      expect(
        engine.assess(credential, replay).authenticity,
        `${count} samples of silence`,
      ).toBeLessThanOrEqual(REPLAY_AT_MOST);
    }
  });

  it('catches the replay behind a second of line noise, and at half the level re-encoded to µ-law', () => {
    const engine = testEngine();
    const { samples } = voice('dora-register');
    const { credential } = engine.register(voiceprintOfSamples(engine, samples));

    const noise = floatToInt16(whiteNoise(1.01, 8000, -55, seededRandom(3)));
    const behindNoise = new Int16Array(noise.length + samples.length);
    behindNoise.set(noise);
    behindNoise.set(samples, noise.length);
    expect(
      engine.assess(credential, voiceprintOfSamples(engine, behindNoise)).authenticity,
    ).toBeLessThanOrEqual(REPLAY_AT_MOST);

    const quieter = decodeMulaw(encodeMulaw(samples.map((s) => Math.round(s / 2))));
    expect(engine.assess(credential, voiceprintOfSamples(engine, quieter)).authenticity).toBeLessThan(0.5);
  });

  it('rates every other fixture authentic against every registration', () => {
    const engine = testEngine();
    const registrations = MONO_VOICES.filter((name) => name.endsWith('-register'));
    for (const name of registrations) {
      const { credential } = engine.register(voiceprintOfSamples(engine, voice(name).samples));
      for (const other of MONO_VOICES.filter((n) => n !== name)) {
        const { authenticity } = engine.assess(credential, voiceprintOfSamples(engine, voice(other).samples));
        expect(authenticity, `${other} against ${name}`).toBeGreaterThanOrEqual(FRESH_AT_LEAST);
      }
    }
  });

  it('replayCheck: false turns detection off', () => {
    const blind = testEngine({ replayCheck: false });
    const take = voiceprintOfSamples(blind, voice('alice-register').samples);
    const { credential } = blind.register(take);
    expect(blind.assess(credential, take).authenticity).toBeGreaterThanOrEqual(FRESH_AT_LEAST);
  });

  it('is deterministic', () => {
    const run = (): number[] => {
      const engine = testEngine();
      const { credential } = engine.register(voiceprintOfSamples(engine, voice('bruno-register').samples));
      return ['bruno-verify-1', 'bruno-register'].map(
        (name) => engine.verify(credential, voiceprintOfSamples(engine, voice(name).samples)).authenticity,
      );
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first[1]).toBeLessThanOrEqual(REPLAY_AT_MOST);
  });
});
