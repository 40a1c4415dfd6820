/**
 * Calibration of the toy engine on the fixture voices: every enrolment against every other recording.
 * A same-speaker pair is always a different sentence (each file is one sentence), so these pairs check
 * text independence; other-speaker pairs include the same sentence said by two speakers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_VERIFICATION_THRESHOLD,
  verificationOutcome,
  type Voiceprint,
  type VoiceprintEngine,
} from '../../../../src/sandbox/daspeak/voiceprint/index.js';
import { callChannel, MONO_VOICES, speakerOf, testEngine, voice, voiceprintOfSamples } from './fixtures.js';

/** Same speaker, other sentence: measured 0.82..0.98. */
const SAME_SPEAKER_AT_LEAST = 0.75;
/** Other speaker: measured at most 0.35 (the agent), 0.13 between the enrolled speakers. */
const OTHER_SPEAKER_AT_MOST = 0.4;

const RECORDINGS = [...MONO_VOICES, 'call-external', 'call-internal'];

function speakerOfRecording(name: string): string {
  if (name === 'call-external') return 'bruno';
  if (name === 'call-internal') return 'agent';
  return speakerOf(name);
}

let engine: VoiceprintEngine;
const voiceprints = new Map<string, Voiceprint>();
const credentials = new Map<string, string>();

beforeAll(() => {
  // No replay memory: the same probe is verified against every credential here.
  engine = testEngine();
  for (const name of RECORDINGS) {
    const samples = name.startsWith('call-')
      ? callChannel(name === 'call-external' ? 'external' : 'internal').samples
      : voice(name).samples;
    const voiceprint = voiceprintOfSamples(engine, samples);
    voiceprints.set(name, voiceprint);
    credentials.set(name, engine.register(voiceprint).credential);
  }
});

describe('verification scores on the fixture voices', () => {
  it.each(RECORDINGS)('enrolled with %s: accepts the same speaker, rejects every other', (enrolled) => {
    const credential = credentials.get(enrolled)!;
    const wrong: string[] = [];
    for (const probe of RECORDINGS) {
      if (probe === enrolled) continue;
      const result = engine.verify(credential, voiceprints.get(probe)!);
      const same = speakerOfRecording(probe) === speakerOfRecording(enrolled);
      const outcome = verificationOutcome(result);
      if (same && (result.score < SAME_SPEAKER_AT_LEAST || outcome !== 'success')) {
        wrong.push(`${probe}: ${result.score.toFixed(3)} ${outcome}`);
      }
      if (!same && (result.score > OTHER_SPEAKER_AT_MOST || outcome !== 'fail-score')) {
        wrong.push(`${probe}: ${result.score.toFixed(3)} ${outcome}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('separates the two groups around the default threshold of 0.5', () => {
    expect(DEFAULT_VERIFICATION_THRESHOLD).toBe(0.5);
    expect(SAME_SPEAKER_AT_LEAST).toBeGreaterThan(DEFAULT_VERIFICATION_THRESHOLD);
    expect(OTHER_SPEAKER_AT_MOST).toBeLessThan(DEFAULT_VERIFICATION_THRESHOLD);
  });

  it('scores a voiceprint against its own credential at 1 (quantisation costs nothing)', () => {
    for (const name of RECORDINGS) {
      expect(engine.verify(credentials.get(name)!, voiceprints.get(name)!).score).toBeGreaterThan(0.9999);
    }
  });

  it('is deterministic: the same credential and voiceprint always give the same score', () => {
    const credential = credentials.get('chen-register')!;
    const probe = voiceprints.get('chen-verify-2')!;
    const first = engine.verify(credential, probe);
    expect(engine.verify(credential, probe)).toEqual(first);
    expect(testEngine().verify(credential, probe)).toEqual(first);
  });

  it('verifies the caller of the Audiohook call (external channel) and not the agent (internal)', () => {
    const credential = credentials.get('bruno-register')!;
    const caller = engine.verify(credential, voiceprints.get('call-external')!);
    const agent = engine.verify(credential, voiceprints.get('call-internal')!);
    expect(verificationOutcome(caller)).toBe('success');
    expect(verificationOutcome(agent)).toBe('fail-score');
  });

  it('honours the thresholds a session asks for', () => {
    const result = engine.verify(credentials.get('alice-register')!, voiceprints.get('alice-verify-1')!);
    expect(verificationOutcome(result, { verification: 0.99 })).toBe('fail-score');
    expect(verificationOutcome(result, { verification: 0.5, authenticity: 0.999 })).toBe('fail-spoof');
    expect(verificationOutcome({ score: 1, authenticity: 0.1 })).toBe('fail-spoof');
    expect(verificationOutcome({ score: 0.5, authenticity: 0.8 })).toBe('success');
  });
});
