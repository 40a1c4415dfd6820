import {
  toNumber,
  type AudioProtocol,
  type InitializeMetadata,
  type AudioSettingsRequest,
} from '../../daspeak/contract.js';

/**
 * The audio a session expects, normalised from the REST audio settings or the Socket.IO `metadata`.
 * Only the documented example values (raw µ-law 8 kHz) plus raw 16-bit linear PCM are served: that is
 * what Audiohook (PCMU, L16) and Twilio (µ-law) carry and what the toy voiceprint engine analyses.
 */
export type AudioCodec = 'mulaw' | 'l16';

export interface AudioSettings {
  protocol: AudioProtocol;
  codec: AudioCodec;
  sampleRate: number;
  channels: number;
}

/** What an audio consumer actually receives for a call. */
export interface StreamFormat {
  protocol: AudioProtocol;
  /** `null` when the sender's encoding is none the emulator can decode (e.g. Twilio `audio/x-alaw`). */
  codec: AudioCodec | null;
  /** The sender's name for its encoding, for messages. */
  encoding: string;
  sampleRate: number;
  /** Channels of the stream as sent (the caller channel is taken out of a stereo Audiohook stream). */
  channels: number;
}

export const SUPPORTED_SAMPLE_RATE = 8000;

const CODEC_NAMES: Record<string, AudioCodec> = {
  mulaw: 'mulaw',
  'mu-law': 'mulaw',
  ulaw: 'mulaw',
  pcmu: 'mulaw',
  l16: 'l16',
  pcm: 'l16',
  pcm16: 'l16',
  linear16: 'l16',
  pcm_s16le: 'l16',
};

export type SettingsCheck = { ok: true; settings: AudioSettings } | { ok: false; problem: string };

/** Checks what the contract schemas cannot: values the emulator can serve. */
export function normaliseAudioSettings(
  request: AudioSettingsRequest | Omit<InitializeMetadata, 'call_id'>,
): SettingsCheck {
  if (request.audio_format !== 'raw') {
    return { ok: false, problem: `audio_format "${request.audio_format}" is not supported (use "raw")` };
  }
  const codec = CODEC_NAMES[request.audio_codec.toLowerCase()];
  if (!codec) {
    return {
      ok: false,
      problem: `audio_codec "${request.audio_codec}" is not supported (use "mulaw" or "l16")`,
    };
  }
  if (codec === 'mulaw' && request.sample_format !== '') {
    return { ok: false, problem: 'sample_format must be "" for mulaw' };
  }
  const sampleRate = toNumber(request.sample_rate);
  if (sampleRate !== SUPPORTED_SAMPLE_RATE) {
    return {
      ok: false,
      problem: `sample_rate ${sampleRate} is not supported (use ${SUPPORTED_SAMPLE_RATE})`,
    };
  }
  const channels = toNumber(request.channels);
  if (channels !== 1 && channels !== 2) {
    return {
      ok: false,
      problem: `channels ${channels} is not supported (use 1, or 2 for a stereo Audiohook stream)`,
    };
  }
  return { ok: true, settings: { protocol: request.audio_protocol, codec, sampleRate, channels } };
}

/**
 * Why audio arriving in `stream` cannot serve a session declared with `settings`, or null when it can.
 * Audiohook's caller channel is taken out of stereo streams, so its channel count is not compared.
 */
export function formatMismatch(settings: AudioSettings, stream: StreamFormat): string | null {
  if (stream.protocol !== settings.protocol) {
    return `the call's audio arrives over ${stream.protocol}, the session declared ${settings.protocol}`;
  }
  if (stream.codec !== settings.codec) {
    return `the call's audio is ${stream.encoding}, the session declared ${settings.codec}`;
  }
  if (stream.sampleRate !== settings.sampleRate) {
    return `the call's audio is sampled at ${stream.sampleRate} Hz, the session declared ${settings.sampleRate} Hz`;
  }
  if (stream.protocol === 'twilio' && stream.channels !== settings.channels) {
    return `the call's audio has ${stream.channels} channel(s), the session declared ${settings.channels}`;
  }
  return null;
}
