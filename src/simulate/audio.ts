/**
 * Call audio as Audiohook carries it: G.711 µ-law at 8 kHz, one byte array per side of the call
 * (`external` = the caller, `internal` = the agent or IVR), and the frames the session sends once the
 * server has chosen which of those it wants.
 */
import {
  decodeWav,
  deinterleave,
  encodeMulaw,
  interleave,
  measureNetSpeech,
  resampleAudio,
  TELEPHONY_RATE,
  type PcmAudio,
  type SpeechSegment,
} from '../audio/index.js';
import type { MediaParameter } from '../audiohook/protocol/core.js';
import { SimulateError } from './errors.js';

export interface CallAudio {
  /** Where it came from, for people: a file name or a voice name. */
  source: string;
  /** PCMU 8 kHz of the caller. */
  external: Uint8Array;
  /** PCMU 8 kHz of the agent side, as long as `external`; silence for a mono source. */
  internal: Uint8Array;
  seconds: number;
  /** Sample rate and channel count of the source before conversion. */
  original: { sampleRate: number; channels: number };
  /** Net speech of the caller, measured with the kit's VAD (what das-Peak counts, approximately). */
  netSpeechSeconds: number;
  speech: SpeechSegment[];
}

/** µ-law code of a zero sample. */
export const MULAW_SILENCE = 0xff;

/**
 * Converts decoded audio to call audio: resampled to 8 kHz, the first channel as the caller and, for
 * stereo, the second as the agent (the channel order of Genesys' stereo Audiohook media).
 */
export function callAudioFromPcm(pcm: PcmAudio, source: string): CallAudio {
  if (pcm.channels !== 1 && pcm.channels !== 2) {
    throw new SimulateError('simulate.audio_channels', `${source} has ${pcm.channels} channels`, {
      hint: 'use mono (the caller) or stereo (caller on the first channel, agent on the second)',
    });
  }
  const at8k = pcm.sampleRate === TELEPHONY_RATE ? pcm : resampleAudio(pcm, TELEPHONY_RATE);
  const [caller, agent] = deinterleave(at8k.samples, at8k.channels);
  const external = encodeMulaw(caller!);
  const internal = agent ? encodeMulaw(agent) : new Uint8Array(external.length).fill(MULAW_SILENCE);
  const vad = measureNetSpeech(caller!);
  return {
    source,
    external,
    internal,
    seconds: external.length / TELEPHONY_RATE,
    original: { sampleRate: pcm.sampleRate, channels: pcm.channels },
    netSpeechSeconds: vad.netSpeechSeconds,
    speech: vad.segments,
  };
}

/** Reads a WAV file's bytes (PCM16 or µ-law, mono or stereo, 8/16/22.05/44.1/48 kHz) as call audio. */
export function callAudioFromWav(bytes: Uint8Array, source: string): CallAudio {
  const audio = callAudioFromPcm(decodeWav(bytes), source);
  if (audio.external.length === 0) {
    throw new SimulateError('simulate.audio_empty', `${source} holds no audio`);
  }
  return audio;
}

/**
 * Seconds into the audio at which its net speech reaches `required` seconds: the moment das-Peak has
 * what it waits for. Undefined when the audio never holds that much speech.
 */
export function speechReachedAt(speech: readonly SpeechSegment[], required: number): number | undefined {
  if (!(required > 0)) return 0;
  let collected = 0;
  for (const segment of speech) {
    const length = segment.endSeconds - segment.startSeconds;
    if (collected + length >= required) return segment.startSeconds + (required - collected);
    collected += length;
  }
  return undefined;
}

/**
 * The bytes to stream for the media the server selected: each listed channel in its order,
 * interleaved sample by sample. PCMU only: the simulator offers nothing else.
 */
export function mediaBytes(audio: CallAudio, media: MediaParameter): Uint8Array {
  if (media.format !== 'PCMU' || media.rate !== TELEPHONY_RATE) {
    throw new SimulateError(
      'simulate.media_unsupported',
      `the server selected ${media.format} at ${media.rate} Hz; the simulator offered PCMU at 8000 Hz only`,
    );
  }
  const sides = media.channels.map((name) => (name === 'external' ? audio.external : audio.internal));
  return sides.length === 1 ? sides[0]! : interleave(sides);
}

/** Silence in the layout of `media`, `ms` long. */
export function silenceBytes(media: MediaParameter, ms: number): Uint8Array {
  return new Uint8Array(((media.rate * ms) / 1000) * media.channels.length).fill(MULAW_SILENCE);
}
