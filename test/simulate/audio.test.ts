import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  concat,
  decodeMulaw,
  deinterleave,
  encodeWav,
  floatToInt16,
  interleave,
  measureNetSpeech,
  silence,
  syntheticVoice,
  resample,
} from '../../src/audio/index.js';
import type { MediaParameter } from '../../src/audiohook/protocol/core.js';
import {
  FIXTURE_VOICES_DIR,
  MULAW_SILENCE,
  SimulateError,
  callAudioFromWav,
  isUsageError,
  loadCallAudio,
  loadCredential,
  mediaBytes,
  parseVoiceName,
  saveCredential,
  silenceBytes,
  speechReachedAt,
  voiceAudio,
  voiceNames,
} from '../../src/simulate/index.js';
import { useTmpDir } from '../helpers/tmp.js';

const tmp = useTmpDir();

const MONO: MediaParameter = { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 };
const STEREO: MediaParameter = {
  type: 'audio',
  format: 'PCMU',
  channels: ['external', 'internal'],
  rate: 8000,
};

/** 2 s of a synthetic voice between 0.5 s of silence, at `rate`. */
function voiceAt(rate: number, seconds = 2): Int16Array {
  return floatToInt16(concat(silence(0.5, rate), syntheticVoice(seconds, rate), silence(0.5, rate)));
}

describe('call audio preparation', () => {
  it('every supported rate, PCM16 or µ-law, becomes PCMU 8 kHz of the same length and speech', () => {
    for (const rate of [8000, 16000, 22050, 44100, 48000]) {
      for (const encoding of ['pcm16', 'mulaw'] as const) {
        const wav = encodeWav({ sampleRate: rate, channels: 1, samples: voiceAt(rate) }, encoding);
        const audio = callAudioFromWav(wav, `${rate}.wav`);
        expect(audio.original).toEqual({ sampleRate: rate, channels: 1 });
        expect(audio.seconds).toBeCloseTo(3, 2);
        expect(audio.external.length).toBe(audio.internal.length);
        expect(audio.internal.every((b) => b === MULAW_SILENCE)).toBe(true);
        expect(audio.netSpeechSeconds, `${rate} ${encoding}`).toBeGreaterThan(1.7);
        expect(audio.netSpeechSeconds).toBeLessThan(2.3);
      }
    }
  });

  it('stereo: the first channel is the caller (external), the second the agent (internal)', () => {
    const rate = 16000;
    const caller = voiceAt(rate);
    const agent = new Int16Array(caller.length).fill(1000);
    const wav = encodeWav({ sampleRate: rate, channels: 2, samples: interleave([caller, agent]) });
    const audio = callAudioFromWav(wav, 'call.wav');
    expect(audio.original.channels).toBe(2);
    const internal = decodeMulaw(audio.internal);
    expect(Math.abs(internal[4000]! - 1000)).toBeLessThan(40); // a constant survives resampling and µ-law
    const external = decodeMulaw(audio.external);
    const expected = resample(caller, rate);
    expect(external.length).toBe(expected.length);
    expect(measureNetSpeech(external).netSpeechSeconds).toBeCloseTo(audio.netSpeechSeconds, 5);
  });

  it('the stereo fixture: the caller answers after the agent, so speech is on external only', () => {
    const audio = callAudioFromWav(
      readFileSync(join(FIXTURE_VOICES_DIR, 'call-bruno-agent-stereo.wav')),
      'call-bruno-agent-stereo.wav',
    );
    const agentSpeech = measureNetSpeech(decodeMulaw(audio.internal)).netSpeechSeconds;
    expect(agentSpeech).toBeGreaterThan(1);
    expect(audio.netSpeechSeconds).toBeGreaterThan(2);
    expect(audio.speech[0]!.startSeconds).toBeGreaterThan(1); // the agent talks first
  });

  it('media bytes follow the channels the server selected, interleaved in its order', () => {
    const audio = callAudioFromWav(
      encodeWav({ sampleRate: 8000, channels: 1, samples: voiceAt(8000, 1) }),
      'x',
    );
    expect(mediaBytes(audio, MONO)).toBe(audio.external);
    const stereo = mediaBytes(audio, STEREO);
    expect(stereo.length).toBe(audio.external.length * 2);
    const [external, internal] = deinterleave(stereo, 2);
    expect(external).toEqual(audio.external);
    expect(internal).toEqual(audio.internal);
    const reversed = deinterleave(mediaBytes(audio, { ...STEREO, channels: ['internal', 'external'] }), 2);
    expect(reversed[1]).toEqual(audio.external);
    expect(() => mediaBytes(audio, { ...MONO, format: 'L16' })).toThrow(/offered PCMU at 8000 Hz only/);
    expect(silenceBytes(STEREO, 20)).toEqual(new Uint8Array(320).fill(MULAW_SILENCE));
  });

  it('finds where the net speech reaches what das-Peak waits for', () => {
    const speech = [
      { startSeconds: 1, endSeconds: 2 },
      { startSeconds: 3, endSeconds: 5 },
    ];
    expect(speechReachedAt(speech, 0.5)).toBe(1.5);
    expect(speechReachedAt(speech, 1)).toBe(2);
    expect(speechReachedAt(speech, 2.5)).toBe(4.5);
    expect(speechReachedAt(speech, 3)).toBe(5);
    expect(speechReachedAt(speech, 3.01)).toBeUndefined();
    expect(speechReachedAt([], 0)).toBe(0);
  });

  it('unusable WAVs and files fail with the file named and a hint', () => {
    const dir = tmp();
    const text = join(dir, 'notes.wav');
    writeFileSync(text, 'this is not audio');
    const float = join(dir, 'float.wav');
    const wav = encodeWav({ sampleRate: 8000, channels: 1, samples: voiceAt(8000, 1) });
    const bytes = new Uint8Array(wav);
    bytes[20] = 3; // format code 3: IEEE float
    writeFileSync(float, bytes);
    const odd = join(dir, 'odd-rate.wav');
    writeFileSync(odd, encodeWav({ sampleRate: 11025, channels: 1, samples: voiceAt(11025, 1) }));

    const fail = (path: string) => {
      try {
        loadCallAudio({ kind: 'wav', path }, 'register');
      } catch (err) {
        expect(err).toBeInstanceOf(SimulateError);
        expect(isUsageError(err)).toBe(false);
        return err as SimulateError;
      }
      throw new Error('expected a failure');
    };
    const missing = fail(join(dir, 'missing.wav'));
    expect(missing.code).toBe('simulate.wav_unreadable');
    expect(missing.toLine()).toMatch(
      /cannot read the WAV file .*missing\.wav: no such file \(hint: check the --wav path/,
    );
    expect(fail(text).toLine()).toMatch(/notes\.wav: not a usable WAV file/);
    const unsupported = fail(float);
    expect(unsupported.code).toBe('audio.wav_unsupported');
    expect(unsupported.toLine()).toMatch(
      /float\.wav: unsupported WAV audio: IEEE float .*\(hint: convert it/,
    );
    const rate = fail(odd);
    expect(rate.code).toBe('audio.resample_unsupported_rate');
    expect(rate.toLine()).toMatch(
      /odd-rate\.wav: cannot resample from 11025 Hz \(hint: supported input rates/,
    );
  });
});

describe('voices', () => {
  it('names a speaker with an optional take; a bare name takes what the operation needs', () => {
    expect(parseVoiceName('alice', 'register')).toEqual({ speaker: 'alice', take: 'register' });
    expect(parseVoiceName('alice', 'verify')).toEqual({ speaker: 'alice', take: 'verify-1' });
    expect(parseVoiceName('Synth-Low-verify-2', 'register')).toEqual({
      speaker: 'synth-low',
      take: 'verify-2',
    });
  });

  it('recorded voices come from the fixtures, synthetic ones are generated with enough speech', () => {
    expect(voiceNames()).toEqual(['alice', 'bruno', 'chen', 'dora', 'synth-low', 'synth-high']);
    const alice = voiceAudio('alice', 'verify');
    expect(alice.source).toBe('alice-verify-1.wav');
    expect(alice.netSpeechSeconds).toBeGreaterThan(3);
    for (const name of ['synth-low', 'synth-high']) {
      const register = voiceAudio(name, 'register');
      const verify = voiceAudio(name, 'verify');
      expect(register.netSpeechSeconds).toBeGreaterThan(6);
      expect(verify.netSpeechSeconds).toBeGreaterThan(4);
      expect(register.external).not.toEqual(verify.external.subarray(0, register.external.length));
      // The same name gives the same audio every time.
      expect(voiceAudio(name, 'register').external).toEqual(register.external);
    }
  });

  it('an unknown voice is a usage error listing the voices', () => {
    try {
      voiceAudio('zoe', 'register');
      throw new Error('expected a failure');
    } catch (err) {
      expect(isUsageError(err)).toBe(true);
      expect((err as SimulateError).toLine()).toMatch(
        /there is no voice "zoe" \(hint: voices: alice, bruno, chen, dora, synth-low, synth-high/,
      );
    }
  });

  it('without the recorded fixtures only the synthetic voices exist, and the hint says why', () => {
    const empty = tmp();
    expect(voiceNames(empty)).toEqual(['synth-low', 'synth-high']);
    expect(() => voiceAudio('alice', 'register', empty)).toThrow(/there is no voice "alice"/);
    try {
      voiceAudio('alice', 'register', empty);
    } catch (err) {
      expect((err as SimulateError).hint).toMatch(/come with a source checkout/);
    }
  });
});

describe('credential files', () => {
  it('saves owner-only and reads back; a bad or missing file is named', () => {
    const dir = tmp();
    const file = join(dir, 'cred.txt');
    writeFileSync(file, 'old', { mode: 0o644 });
    saveCredential(file, 'QUJD+/8=');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadCredential({ kind: 'file', path: file })).toBe('QUJD+/8=');
    writeFileSync(file, '{"credential": 1}');
    expect(() => loadCredential({ kind: 'file', path: file })).toThrow(/does not hold the base64 text/);
    expect(() => loadCredential({ kind: 'file', path: join(dir, 'nope') })).toThrow(
      /cannot read the credential file .*nope: no such file/,
    );
    expect(() => saveCredential(join(dir, 'no', 'such', 'dir'), 'AA==')).toThrow(
      /cannot write the credential/,
    );
  });
});
