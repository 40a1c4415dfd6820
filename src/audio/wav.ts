/**
 * RIFF/WAVE read and write for the two encodings the kit streams: 16-bit linear PCM (format 1) and G.711
 * µ-law (format 7), mono or stereo. Everything else is refused with a KitError that names the problem:
 * `audio.wav_invalid` (not a WAV file, or inconsistent headers), `audio.wav_unsupported` (a valid WAV the
 * kit does not handle) and `audio.wav_truncated` (the file ends inside a chunk it needs).
 */
import { KitError } from '../errors.js';
import { decodeMulaw, encodeMulaw } from './mulaw.js';
import { int16ToPcm16le, pcm16leToInt16 } from './pcm.js';

export type WavEncoding = 'pcm16' | 'mulaw';

export interface WavAudio {
  encoding: WavEncoding;
  sampleRate: number;
  channels: 1 | 2;
  /** The sample bytes as stored: interleaved, little-endian for pcm16, one byte per sample for mulaw. */
  data: Uint8Array;
}

/** Decoded audio: interleaved 16-bit samples. */
export interface PcmAudio {
  sampleRate: number;
  channels: number;
  samples: Int16Array;
}

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_ALAW = 0x0006;
const FORMAT_MULAW = 0x0007;
const FORMAT_EXTENSIBLE = 0xfffe;

const FORMAT_NAMES: Record<number, string> = {
  [FORMAT_FLOAT]: 'IEEE float',
  [FORMAT_ALAW]: 'G.711 A-law',
  0x0002: 'Microsoft ADPCM',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0055: 'MPEG Layer 3',
};

/** A data chunk size some streaming writers leave in place of the real one: "until end of file". */
const UNKNOWN_SIZE = 0xffffffff;

function invalid(message: string): KitError {
  return new KitError('audio.wav_invalid', `not a usable WAV file: ${message}`);
}
function unsupported(message: string): KitError {
  return new KitError('audio.wav_unsupported', `unsupported WAV audio: ${message}`, {
    hint: 'convert it to 16-bit PCM or G.711 µ-law, mono or stereo (e.g. `sox in.wav -e signed -b 16 out.wav`)',
  });
}
function truncated(message: string): KitError {
  return new KitError('audio.wav_truncated', `truncated WAV file: ${message}`);
}

function fourcc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

/** Renders a chunk id for an error message without printing control characters from a garbage file. */
function printable(id: string): string {
  return /^[\x20-\x7e]{4}$/.test(id) ? `"${id}"` : JSON.stringify(id);
}

interface FmtFields {
  encoding: WavEncoding;
  sampleRate: number;
  channels: 1 | 2;
  blockAlign: number;
}

function parseFmt(view: DataView, offset: number, size: number): FmtFields {
  if (size < 16) throw invalid(`the fmt chunk is ${size} bytes, it needs at least 16`);
  let format = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bitsPerSample = view.getUint16(offset + 14, true);
  if (format === FORMAT_EXTENSIBLE) {
    // WAVE_FORMAT_EXTENSIBLE: cbSize(2) validBits(2) channelMask(4) then a GUID whose first two bytes
    // are the real format code.
    if (size < 40) throw invalid(`the extensible fmt chunk is ${size} bytes, it needs 40`);
    format = view.getUint16(offset + 24, true);
  }
  if (format !== FORMAT_PCM && format !== FORMAT_MULAW) {
    const name = FORMAT_NAMES[format] ?? `format code 0x${format.toString(16).padStart(4, '0')}`;
    throw unsupported(`${name} (only 16-bit PCM and µ-law are read)`);
  }
  if (channels === 0) throw invalid('the fmt chunk declares 0 channels');
  if (channels > 2) throw unsupported(`${channels} channels (only mono and stereo are read)`);
  if (sampleRate === 0) throw invalid('the fmt chunk declares a sample rate of 0 Hz');
  const encoding: WavEncoding = format === FORMAT_PCM ? 'pcm16' : 'mulaw';
  const expectedBits = encoding === 'pcm16' ? 16 : 8;
  if (bitsPerSample !== expectedBits) {
    throw unsupported(
      encoding === 'pcm16'
        ? `${bitsPerSample}-bit PCM (only 16-bit PCM is read)`
        : `µ-law with ${bitsPerSample} bits per sample (µ-law is 8 bits)`,
    );
  }
  const expectedAlign = channels * (expectedBits / 8);
  if (blockAlign !== expectedAlign) {
    throw invalid(
      `block align is ${blockAlign}, ${channels} channel(s) of ${expectedBits}-bit audio need ${expectedAlign}`,
    );
  }
  return { encoding, sampleRate, channels: channels as 1 | 2, blockAlign };
}

/**
 * Parses a WAV file. Chunks other than fmt and data (LIST, fact, cue, ...) are skipped, odd-sized chunks
 * are followed by their pad byte, and the RIFF size field is not trusted (streaming writers leave it
 * wrong); the data chunk's own size is.
 */
export function readWav(bytes: Uint8Array): WavAudio {
  if (bytes.length < 12) {
    throw bytes.length >= 4 && fourcc(bytes, 0) === 'RIFF'
      ? truncated(`only ${bytes.length} bytes, the RIFF header alone is 12`)
      : invalid(`only ${bytes.length} bytes and no RIFF header`);
  }
  const riff = fourcc(bytes, 0);
  if (riff === 'RIFX' || riff === 'RF64' || riff === 'BW64') {
    throw unsupported(`${riff} container (only little-endian RIFF is read)`);
  }
  if (riff !== 'RIFF') throw invalid(`it starts with ${printable(riff)}, not "RIFF"`);
  const form = fourcc(bytes, 8);
  if (form !== 'WAVE') throw invalid(`the RIFF form type is ${printable(form)}, not "WAVE"`);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: FmtFields | undefined;
  let data: Uint8Array | undefined;
  let dataRunsToEnd = false;
  let offset = 12;
  while (offset < bytes.length) {
    if (bytes.length - offset < 8) {
      // A few stray bytes after the audio are harmless; before it they mean the file was cut short.
      if (data !== undefined) break;
      throw truncated(
        `${bytes.length - offset} byte(s) at offset ${offset} where a chunk header was expected`,
      );
    }
    const id = fourcc(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    const available = bytes.length - body;
    if (id === 'fmt ') {
      if (fmt !== undefined) throw invalid('it has two fmt chunks');
      if (size > available) throw truncated(`the fmt chunk needs ${size} bytes, ${available} remain`);
      fmt = parseFmt(view, body, size);
    } else if (id === 'data') {
      if (data !== undefined) throw invalid('it has two data chunks');
      if (size === UNKNOWN_SIZE) {
        data = bytes.subarray(body);
        dataRunsToEnd = true;
        break;
      }
      if (size > available) throw truncated(`the data chunk declares ${size} bytes, ${available} remain`);
      data = bytes.subarray(body, body + size);
    } else if (size > available) {
      if (data !== undefined) break; // metadata cut off after the audio: the audio is complete
      throw truncated(`the ${printable(id)} chunk declares ${size} bytes, ${available} remain`);
    }
    offset = body + size + (size % 2);
  }
  if (fmt === undefined) throw invalid('it has no fmt chunk');
  if (data === undefined) throw invalid('it has no data chunk');
  const whole = data.length - (data.length % fmt.blockAlign);
  // A data chunk of unknown size ends wherever the writer stopped, possibly mid-sample: drop the fragment.
  if (whole !== data.length && !dataRunsToEnd) {
    throw invalid(
      `the data chunk holds ${data.length} bytes, not a multiple of the ${fmt.blockAlign}-byte sample frame`,
    );
  }
  return {
    encoding: fmt.encoding,
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    data: new Uint8Array(data.subarray(0, whole)), // a copy: never alias a caller's (pooled) Buffer
  };
}

/** Parses a WAV file and decodes its samples to 16-bit linear PCM. */
export function decodeWav(bytes: Uint8Array): PcmAudio {
  return wavToPcm(readWav(bytes));
}

/** Decodes the samples of parsed WAV audio to 16-bit linear PCM (interleaved). */
export function wavToPcm(wav: WavAudio): PcmAudio {
  const samples = wav.encoding === 'mulaw' ? decodeMulaw(wav.data) : pcm16leToInt16(wav.data);
  return { sampleRate: wav.sampleRate, channels: wav.channels, samples };
}

function checkWritable(audio: WavAudio): void {
  if (audio.encoding !== 'pcm16' && audio.encoding !== 'mulaw') {
    throw unsupported(`encoding ${String(audio.encoding)}`);
  }
  if (audio.channels !== 1 && audio.channels !== 2) throw unsupported(`${String(audio.channels)} channels`);
  if (!Number.isInteger(audio.sampleRate) || audio.sampleRate <= 0 || audio.sampleRate > 0xffffffff / 4) {
    throw invalid(`sample rate ${audio.sampleRate}`);
  }
  const blockAlign = audio.channels * (audio.encoding === 'pcm16' ? 2 : 1);
  if (audio.data.length % blockAlign !== 0) {
    throw invalid(
      `${audio.data.length} data bytes are not a multiple of the ${blockAlign}-byte sample frame`,
    );
  }
  if (audio.data.length > 0xffffffff - 64)
    throw invalid(`${audio.data.length} data bytes exceed the RIFF limit`);
}

/**
 * Writes a canonical WAV file: a 16-byte fmt chunk for PCM; for µ-law an 18-byte fmt chunk plus the fact
 * chunk (sample count) that the RIFF spec asks of non-PCM formats.
 */
export function writeWav(audio: WavAudio): Uint8Array {
  checkWritable(audio);
  const mulaw = audio.encoding === 'mulaw';
  const bytesPerSample = mulaw ? 1 : 2;
  const blockAlign = audio.channels * bytesPerSample;
  const fmtSize = mulaw ? 18 : 16;
  const factSize = mulaw ? 12 : 0;
  const dataSize = audio.data.length;
  const pad = dataSize % 2;
  const total = 12 + 8 + fmtSize + factSize + 8 + dataSize + pad;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < 4; i++) out[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, total - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, mulaw ? FORMAT_MULAW : FORMAT_PCM, true);
  view.setUint16(22, audio.channels, true);
  view.setUint32(24, audio.sampleRate, true);
  view.setUint32(28, audio.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bytesPerSample * 8, true);
  let offset = 20 + fmtSize; // cbSize (µ-law) is already 0
  if (mulaw) {
    ascii(offset, 'fact');
    view.setUint32(offset + 4, 4, true);
    view.setUint32(offset + 8, dataSize / audio.channels, true);
    offset += 12;
  }
  ascii(offset, 'data');
  view.setUint32(offset + 4, dataSize, true);
  out.set(audio.data, offset + 8);
  return out;
}

/** Writes interleaved 16-bit samples as a PCM WAV file. */
export function encodeWav(audio: PcmAudio, encoding: WavEncoding = 'pcm16'): Uint8Array {
  if (audio.channels !== 1 && audio.channels !== 2) throw unsupported(`${audio.channels} channels`);
  if (audio.samples.length % audio.channels !== 0) {
    throw invalid(`${audio.samples.length} samples do not split into ${audio.channels} channels`);
  }
  const data = encoding === 'mulaw' ? encodeMulaw(audio.samples) : int16ToPcm16le(audio.samples);
  return writeWav({ encoding, sampleRate: audio.sampleRate, channels: audio.channels, data });
}
