import {
  encodeMulaw,
  floatToInt16,
  interleave,
  PCMU_8K_MONO,
  readWav,
  resample,
  sliceFrames,
  tone,
  wavToPcm,
  extractChannel,
  TELEPHONY_RATE,
} from '../../../audio/index.js';
import { Type } from '@sinclair/typebox';
import { badRequest } from '../api-error.js';

/** A call's audio in a control request (the Genesys org's and the Twilio stand-in's): one of these. */
export const CallAudioSchema = Type.Object(
  {
    voice: Type.Optional(
      Type.String({ minLength: 1, description: "A voice of the sandbox's catalogue, by name." }),
    ),
    wav: Type.Optional(Type.String({ minLength: 1, description: 'WAV file, base64.' })),
    pcmu: Type.Optional(Type.String({ minLength: 1, description: 'µ-law 8 kHz mono, base64.' })),
    tone: Type.Optional(
      Type.Object(
        {
          frequency: Type.Optional(Type.Number({ minimum: 20, maximum: 3900 })),
          seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 600 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** A call's audio as PCMU 8 kHz, one buffer per side: `external` (the customer) and `internal` (the agent). */
export interface CallAudio {
  external: Uint8Array;
  internal: Uint8Array;
}

export interface CallAudioRequest {
  /** A voice of the sandbox's catalogue (the kit's built-in test speakers), by name. */
  voice?: string;
  /** A WAV file, base64: mono = the customer; stereo = customer (left), agent (right). */
  wav?: string;
  /** Raw µ-law 8 kHz mono, base64: the customer. */
  pcmu?: string;
  /** A generated tone for the customer (default 440 Hz, 2 s). */
  tone?: { frequency?: number; seconds?: number };
}

const SILENCE_MULAW = 0xff;

function silence(length: number): Uint8Array {
  return new Uint8Array(length).fill(SILENCE_MULAW);
}

function fromBase64(value: string, field: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw badRequest(`audio.${field} must be base64`, {
      details: [{ errorCode: 'invalid.value', fieldName: `audio.${field}` }],
    });
  }
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/**
 * Named voices a call can play (`audio.voice`): the sandbox knows none itself; whoever starts it may
 * hand it a catalogue (the local stack gives the kit's test speakers).
 */
export interface VoiceCatalog {
  /** Every name `audio(name)` takes, with a label for people. */
  list(): { name: string; label: string }[];
  /** The voice as call audio; throws for a name that is not in the list. */
  audio(name: string): CallAudio;
}

/** Decodes the requested audio into both sides of the call; the agent side is silence unless given. */
export function callAudio(request: CallAudioRequest | undefined, voices?: VoiceCatalog): CallAudio {
  const given = ['voice', 'wav', 'pcmu', 'tone'].filter(
    (k) => request?.[k as keyof CallAudioRequest] !== undefined,
  );
  if (given.length > 1) {
    throw badRequest(
      `Give one of audio.voice, audio.wav, audio.pcmu or audio.tone, not ${given.join(' and ')}`,
    );
  }
  if (request?.voice !== undefined) return voiceAudio(request.voice, voices);
  if (request?.wav !== undefined) {
    let pcm;
    try {
      pcm = wavToPcm(readWav(fromBase64(request.wav, 'wav')));
    } catch (err) {
      throw badRequest(
        `audio.wav is not a usable WAV file: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (pcm.channels > 2) throw badRequest('audio.wav must be mono or stereo');
    const side = (i: number) =>
      encodeMulaw(
        resample(
          pcm.channels === 1 ? pcm.samples : extractChannel(pcm.samples, pcm.channels, i),
          pcm.sampleRate,
          TELEPHONY_RATE,
        ),
      );
    const external = side(0);
    return { external, internal: pcm.channels === 2 ? side(1) : silence(external.length) };
  }
  if (request?.pcmu !== undefined) {
    const external = fromBase64(request.pcmu, 'pcmu');
    return { external, internal: silence(external.length) };
  }
  const frequency = request?.tone?.frequency ?? 440;
  const seconds = request?.tone?.seconds ?? 2;
  const external = encodeMulaw(floatToInt16(tone(frequency, seconds, TELEPHONY_RATE, 0.3)));
  return { external, internal: silence(external.length) };
}

/** Frames of `frameMs` in the channel order of the selected media (`external`, `internal` or both). */
export function framesFor(audio: CallAudio, channels: readonly string[], frameMs: number): Uint8Array[] {
  const length = Math.max(audio.external.length, audio.internal.length);
  const pad = (b: Uint8Array) =>
    b.length === length ? b : Uint8Array.from({ length }, (_, i) => b[i] ?? SILENCE_MULAW);
  const sides = channels.map((c) => pad(c === 'internal' ? audio.internal : audio.external));
  const data = sides.length === 1 ? sides[0]! : interleave(sides);
  return sliceFrames(data, { ...PCMU_8K_MONO, channels: sides.length }, frameMs);
}

function voiceAudio(name: string, voices: VoiceCatalog | undefined): CallAudio {
  const known = voices?.list().map((v) => v.name) ?? [];
  if (!voices || !known.includes(name)) {
    throw badRequest(
      known.length === 0
        ? 'This sandbox has no voice catalogue: give audio.wav, audio.pcmu or audio.tone'
        : `Voice ${name} not found; voices: ${known.join(', ')}`,
      { details: [{ errorCode: 'invalid.value', fieldName: 'audio.voice' }] },
    );
  }
  const { external, internal } = voices.audio(name);
  return { external, internal };
}
