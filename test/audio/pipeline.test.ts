/**
 * The path the sandbox takes: a 16 kHz stereo WAV test voice → 8 kHz PCMU interleaved like Audiohook →
 * 200 ms frames paced in (virtual) real time → de-interleaved on the receiving side → net speech of the
 * caller channel.
 */
import { describe, expect, it } from 'vitest';
import {
  channelIndex,
  concat,
  decodeWav,
  deinterleave,
  durationSeconds,
  encodeMulaw,
  encodeWav,
  floatToInt16,
  interleave,
  pace,
  PCMU_8K_STEREO,
  resampleAudio,
  silence,
  sliceFrames,
  syntheticVoice,
  VirtualClock,
  VoiceActivityDetector,
} from '../../src/audio/index.js';

describe('WAV voice to Audiohook frames to net speech', () => {
  it('measures the caller channel and not the agent channel', async () => {
    const rate = 16000;
    const caller = floatToInt16(
      concat(
        silence(0.6, rate),
        syntheticVoice(2, rate),
        silence(0.6, rate),
        syntheticVoice(1, rate),
        silence(0.8, rate),
      ),
    );
    const agent = floatToInt16(concat(syntheticVoice(0.5, rate, { pitchHz: 180 }), silence(4.5, rate)));
    const file = encodeWav({ sampleRate: rate, channels: 2, samples: interleave([caller, agent]) });

    const telephony = resampleAudio(decodeWav(file));
    expect(telephony.sampleRate).toBe(8000);
    const pcmu = encodeMulaw(telephony.samples);
    const frames = sliceFrames(pcmu, PCMU_8K_STEREO, 200);
    expect(frames.length).toBe(25);

    const names = ['external', 'internal'];
    const external = channelIndex(names, 'external');
    const callerVad = new VoiceActivityDetector();
    const agentVad = new VoiceActivityDetector();
    const clock = new VirtualClock();
    for await (const frame of pace(frames, {
      duration: (f) => durationSeconds(f.length, PCMU_8K_STEREO),
      clock,
    })) {
      const channels = deinterleave(frame, names.length);
      callerVad.pushMulaw(channels[external]!);
      agentVad.pushMulaw(channels[1 - external]!);
    }
    callerVad.end();
    agentVad.end();
    expect(clock.now()).toBe(5000);
    expect(Math.abs(callerVad.netSpeechSeconds - 3)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(agentVad.netSpeechSeconds - 0.5)).toBeLessThanOrEqual(0.1);
  });
});
