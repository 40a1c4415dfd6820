import { describe, expect, it } from 'vitest';
import { decodeMulaw, encodeMulaw } from '../../src/audio/mulaw.js';
import { int16ToPcm16le } from '../../src/audio/pcm.js';
import { seededRandom } from '../../src/audio/synth.js';
import { decodeWav, encodeWav, readWav, writeWav, type WavAudio } from '../../src/audio/wav.js';
import { kitErrorFrom } from './helpers.js';

const WAV_ERRORS = ['audio.wav_invalid', 'audio.wav_unsupported', 'audio.wav_truncated'];

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function u16(v: number): Uint8Array {
  return Uint8Array.from([v & 0xff, (v >> 8) & 0xff]);
}

function u32(v: number): Uint8Array {
  return Uint8Array.from([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]);
}

function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A chunk with its pad byte when the size is odd (`declared` overrides the size field). */
function chunk(id: string, body: Uint8Array, declared = body.length): Uint8Array {
  return join(ascii(id), u32(declared), body, body.length % 2 ? new Uint8Array(1) : new Uint8Array(0));
}

function fmtBody(
  format: number,
  channels: number,
  rate: number,
  bits: number,
  blockAlign?: number,
): Uint8Array {
  const align = blockAlign ?? (channels * bits) / 8;
  return join(u16(format), u16(channels), u32(rate), u32(rate * align), u16(align), u16(bits));
}

function riff(...chunks: Uint8Array[]): Uint8Array {
  const body = join(ascii('WAVE'), ...chunks);
  return join(ascii('RIFF'), u32(body.length), body);
}

const stereoSamples = Int16Array.from([1, -1, 1000, -1000, 32767, -32768]);

describe('writeWav / readWav round trip', () => {
  const cases: WavAudio[] = [
    {
      encoding: 'pcm16',
      sampleRate: 16000,
      channels: 1,
      data: int16ToPcm16le(Int16Array.from([0, 1, -2, 300])),
    },
    { encoding: 'pcm16', sampleRate: 44100, channels: 2, data: int16ToPcm16le(stereoSamples) },
    { encoding: 'mulaw', sampleRate: 8000, channels: 1, data: Uint8Array.from([0xff, 0x00, 0x80]) }, // odd: padded
    { encoding: 'mulaw', sampleRate: 8000, channels: 2, data: Uint8Array.from([1, 2, 3, 4]) },
  ];
  for (const audio of cases) {
    it(`keeps ${audio.encoding} ${audio.channels}-channel ${audio.sampleRate} Hz audio intact`, () => {
      const file = writeWav(audio);
      expect(file.length % 2).toBe(0);
      expect(readWav(file)).toEqual(audio);
    });
  }

  it('writes the canonical 44-byte PCM header', () => {
    const file = writeWav({ encoding: 'pcm16', sampleRate: 8000, channels: 2, data: new Uint8Array(8) });
    const view = new DataView(file.buffer);
    expect(String.fromCharCode(...file.subarray(0, 4))).toBe('RIFF');
    expect(view.getUint32(4, true)).toBe(file.length - 8);
    expect(String.fromCharCode(...file.subarray(8, 16))).toBe('WAVEfmt ');
    expect(view.getUint32(16, true)).toBe(16);
    expect(view.getUint16(20, true)).toBe(1);
    expect(view.getUint16(22, true)).toBe(2);
    expect(view.getUint32(24, true)).toBe(8000);
    expect(view.getUint32(28, true)).toBe(32000);
    expect(view.getUint16(32, true)).toBe(4);
    expect(view.getUint16(34, true)).toBe(16);
    expect(String.fromCharCode(...file.subarray(36, 40))).toBe('data');
    expect(view.getUint32(40, true)).toBe(8);
    expect(file.length).toBe(52);
  });

  it('writes µ-law with an 18-byte fmt chunk and a fact chunk holding the sample count', () => {
    const file = writeWav({ encoding: 'mulaw', sampleRate: 8000, channels: 2, data: new Uint8Array(10) });
    const view = new DataView(file.buffer);
    expect(view.getUint32(16, true)).toBe(18);
    expect(view.getUint16(20, true)).toBe(7);
    expect(view.getUint16(34, true)).toBe(8);
    expect(String.fromCharCode(...file.subarray(38, 42))).toBe('fact');
    expect(view.getUint32(46, true)).toBe(5);
  });

  it('decodes µ-law and PCM files to the same linear samples', () => {
    const pcm = decodeMulaw(encodeMulaw(stereoSamples));
    const fromMulaw = decodeWav(
      encodeWav({ sampleRate: 8000, channels: 2, samples: stereoSamples }, 'mulaw'),
    );
    const fromPcm = decodeWav(encodeWav({ sampleRate: 8000, channels: 2, samples: pcm }));
    expect(fromMulaw).toEqual({ sampleRate: 8000, channels: 2, samples: pcm });
    expect(fromPcm).toEqual(fromMulaw);
  });

  it('reads a file held in a Buffer slice at an odd offset', () => {
    const file = writeWav(cases[1]!);
    const pooled = Buffer.concat([Buffer.from([7]), Buffer.from(file)]).subarray(1);
    expect(readWav(pooled)).toEqual(cases[1]);
  });
});

describe('readWav tolerance', () => {
  const data = int16ToPcm16le(Int16Array.from([5, -5, 7]));
  const fmt = chunk('fmt ', fmtBody(1, 1, 8000, 16));

  it('skips unknown chunks before, between and after, with odd sizes and pad bytes', () => {
    const list = chunk('LIST', join(ascii('INFO'), ascii('ISFT'), u32(3), ascii('abc')));
    const file = riff(
      chunk('JUNK', new Uint8Array(3)),
      fmt,
      list,
      chunk('data', data),
      chunk('cue ', new Uint8Array(5)),
    );
    expect(Array.from(decodeWav(file).samples)).toEqual([5, -5, 7]);
  });

  it('accepts fmt after data, a wrong RIFF size and an extended fmt chunk', () => {
    const file = riff(chunk('data', data), chunk('fmt ', join(fmtBody(1, 1, 8000, 16), u16(0))));
    new DataView(file.buffer).setUint32(4, 12345, true);
    expect(decodeWav(file).samples.length).toBe(3);
  });

  it('reads odd-sized µ-law data whose pad byte is missing at the end of the file', () => {
    const file = riff(chunk('fmt ', fmtBody(7, 1, 8000, 8)), chunk('data', Uint8Array.from([1, 2, 3])));
    expect(Array.from(readWav(file.subarray(0, file.length - 1)).data)).toEqual([1, 2, 3]);
  });

  it('ignores a metadata chunk cut off after complete audio, and stray trailing bytes', () => {
    const file = riff(fmt, chunk('data', data), chunk('LIST', new Uint8Array(40)));
    expect(readWav(file.subarray(0, file.length - 20)).data.length).toBe(6);
    expect(readWav(join(riff(fmt, chunk('data', data)), new Uint8Array(3))).data.length).toBe(6);
  });

  it('reads a data chunk of unknown size (0xFFFFFFFF) to the end, dropping a partial sample', () => {
    const file = riff(fmt, join(ascii('data'), u32(0xffffffff), data, Uint8Array.from([9])));
    expect(Array.from(decodeWav(file).samples)).toEqual([5, -5, 7]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with a PCM or µ-law sub-format', () => {
    const extensible = (sub: number) =>
      chunk(
        'fmt ',
        join(fmtBody(0xfffe, 2, 8000, 16), u16(22), u16(16), u32(3), u16(sub), new Uint8Array(14)),
      );
    expect(readWav(riff(extensible(1), chunk('data', new Uint8Array(8)))).encoding).toBe('pcm16');
    const error = kitErrorFrom(() => readWav(riff(extensible(3), chunk('data', new Uint8Array(8)))));
    expect(error.code).toBe('audio.wav_unsupported');
    expect(error.message).toContain('float');
  });

  it('reads an empty data chunk as no samples', () => {
    expect(decodeWav(riff(fmt, chunk('data', new Uint8Array(0)))).samples.length).toBe(0);
  });
});

describe('readWav refusals', () => {
  const data = chunk('data', new Uint8Array(8));
  const refusals: [string, Uint8Array, string, string][] = [
    ['8-bit PCM', riff(chunk('fmt ', fmtBody(1, 1, 8000, 8)), data), 'audio.wav_unsupported', '8-bit PCM'],
    ['24-bit PCM', riff(chunk('fmt ', fmtBody(1, 1, 8000, 24)), data), 'audio.wav_unsupported', '24-bit'],
    ['float', riff(chunk('fmt ', fmtBody(3, 1, 8000, 32)), data), 'audio.wav_unsupported', 'IEEE float'],
    ['A-law', riff(chunk('fmt ', fmtBody(6, 1, 8000, 8)), data), 'audio.wav_unsupported', 'A-law'],
    [
      'an unknown codec',
      riff(chunk('fmt ', fmtBody(0x1234, 1, 8000, 8)), data),
      'audio.wav_unsupported',
      '0x1234',
    ],
    ['3 channels', riff(chunk('fmt ', fmtBody(1, 3, 8000, 16)), data), 'audio.wav_unsupported', '3 channels'],
    ['0 channels', riff(chunk('fmt ', fmtBody(1, 0, 8000, 16, 2)), data), 'audio.wav_invalid', '0 channels'],
    ['a 0 Hz rate', riff(chunk('fmt ', fmtBody(1, 1, 0, 16)), data), 'audio.wav_invalid', '0 Hz'],
    [
      'a wrong block align',
      riff(chunk('fmt ', fmtBody(1, 2, 8000, 16, 2)), data),
      'audio.wav_invalid',
      'block align',
    ],
    [
      'µ-law of 16 bits',
      riff(chunk('fmt ', fmtBody(7, 1, 8000, 16)), data),
      'audio.wav_unsupported',
      'µ-law',
    ],
    [
      'a short fmt chunk',
      riff(chunk('fmt ', new Uint8Array(10)), data),
      'audio.wav_invalid',
      'fmt chunk is 10',
    ],
    ['no fmt chunk', riff(data), 'audio.wav_invalid', 'no fmt chunk'],
    ['no data chunk', riff(chunk('fmt ', fmtBody(1, 1, 8000, 16))), 'audio.wav_invalid', 'no data chunk'],
    [
      'two data chunks',
      riff(chunk('fmt ', fmtBody(1, 1, 8000, 16)), data, data),
      'audio.wav_invalid',
      'two data chunks',
    ],
    [
      'data that is not whole sample frames',
      riff(chunk('fmt ', fmtBody(1, 2, 8000, 16)), chunk('data', new Uint8Array(6))),
      'audio.wav_invalid',
      'multiple of the 4-byte',
    ],
    [
      'data longer than the file',
      riff(chunk('fmt ', fmtBody(1, 1, 8000, 16)), chunk('data', new Uint8Array(8), 800)),
      'audio.wav_truncated',
      'declares 800 bytes',
    ],
    ['an empty file', new Uint8Array(0), 'audio.wav_invalid', 'no RIFF header'],
    ['a cut RIFF header', ascii('RIFF\x10\x00'), 'audio.wav_truncated', 'RIFF header'],
    ['an MP3 file', join(ascii('ID3\x03'), new Uint8Array(40)), 'audio.wav_invalid', '"ID3'],
    ['a big-endian RIFX file', join(ascii('RIFX'), u32(4), ascii('WAVE')), 'audio.wav_unsupported', 'RIFX'],
    ['an RF64 file', join(ascii('RF64'), u32(4), ascii('WAVE')), 'audio.wav_unsupported', 'RF64'],
    ['an AVI file', join(ascii('RIFF'), u32(4), ascii('AVI ')), 'audio.wav_invalid', '"AVI "'],
  ];
  for (const [what, file, code, phrase] of refusals) {
    it(`refuses ${what} with ${code}`, () => {
      const error = kitErrorFrom(() => readWav(file));
      expect(error.code).toBe(code);
      expect(error.message).toContain(phrase);
    });
  }

  it('tells how to convert an unsupported file', () => {
    expect(kitErrorFrom(() => readWav(refusals[0]![1])).hint).toMatch(/16-bit PCM/);
  });

  it('answers every truncation of a valid file with a typed error, never a RangeError', () => {
    const file = riff(
      chunk('LIST', new Uint8Array(9)),
      chunk('fmt ', fmtBody(1, 2, 8000, 16)),
      chunk('data', new Uint8Array(40)),
    );
    // A cut exactly between chunks (or just before the LIST chunk's pad byte, which may be missing)
    // leaves a well-formed file that lacks a chunk: invalid, not truncated.
    const chunkBoundaries = [12, 12 + 8 + 9, 12 + 8 + 10, 12 + 8 + 10 + 8 + 16];
    for (let length = 0; length < file.length; length++) {
      const error = kitErrorFrom(() => readWav(file.subarray(0, length)));
      expect(WAV_ERRORS).toContain(error.code);
      if (chunkBoundaries.includes(length)) expect(error.message).toMatch(/no (fmt|data) chunk/);
      else if (length >= 12) expect(error.code).toBe('audio.wav_truncated');
    }
  });

  it('answers garbage and corrupted headers with typed errors only', () => {
    const random = seededRandom(42);
    const valid = writeWav({ encoding: 'pcm16', sampleRate: 8000, channels: 2, data: new Uint8Array(64) });
    for (let trial = 0; trial < 2000; trial++) {
      const file = valid.slice();
      const flips = 1 + Math.floor(random() * 4);
      for (let k = 0; k < flips; k++) file[Math.floor(random() * 44)] = Math.floor(random() * 256);
      try {
        readWav(file);
      } catch (error) {
        expect(WAV_ERRORS).toContain((error as { code?: string }).code);
      }
    }
    for (let trial = 0; trial < 200; trial++) {
      const garbage = Uint8Array.from({ length: Math.floor(random() * 100) }, () =>
        Math.floor(random() * 256),
      );
      expect(WAV_ERRORS).toContain(kitErrorFrom(() => readWav(garbage)).code);
    }
  });
});

describe('writeWav refusals', () => {
  it('refuses what it cannot write', () => {
    const bad: [WavAudio, string][] = [
      [{ encoding: 'pcm16', sampleRate: 8000, channels: 2, data: new Uint8Array(6) }, 'audio.wav_invalid'],
      [{ encoding: 'pcm16', sampleRate: 0, channels: 1, data: new Uint8Array(2) }, 'audio.wav_invalid'],
      [
        { encoding: 'pcm16', sampleRate: 8000, channels: 3 as 2, data: new Uint8Array(6) },
        'audio.wav_unsupported',
      ],
      [
        { encoding: 'alaw' as 'mulaw', sampleRate: 8000, channels: 1, data: new Uint8Array(2) },
        'audio.wav_unsupported',
      ],
    ];
    for (const [audio, code] of bad) expect(kitErrorFrom(() => writeWav(audio)).code).toBe(code);
    expect(
      kitErrorFrom(() => encodeWav({ sampleRate: 8000, channels: 3, samples: new Int16Array(3) })).code,
    ).toBe('audio.wav_unsupported');
    expect(
      kitErrorFrom(() => encodeWav({ sampleRate: 8000, channels: 2, samples: new Int16Array(3) })).code,
    ).toBe('audio.wav_invalid');
  });
});
