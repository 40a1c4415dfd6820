/** Shared helpers for the voiceprint tests (not a test file itself): fixture voices and engines. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { extractChannel, readWav, wavToPcm } from '../../../../src/audio/index.js';
import { SANDBOX } from '../../../../src/config/defaults.js';
import { KitError } from '../../../../src/errors.js';
import {
  createVoiceprintEngine,
  type Voiceprint,
  type VoiceprintAccumulator,
  type VoiceprintEngine,
  type VoiceprintEngineOptions,
} from '../../../../src/sandbox/daspeak/voiceprint/index.js';

export const SPEAKERS = ['alice', 'bruno', 'chen', 'dora'] as const;
export const SENTENCES = ['register', 'verify-1', 'verify-2'] as const;
export type Speaker = (typeof SPEAKERS)[number];
/** Every mono fixture, e.g. `alice-verify-2`. */
export const MONO_VOICES = SPEAKERS.flatMap((s) => SENTENCES.map((t) => `${s}-${t}`));

export const MODEL_HASH = SANDBOX.daspeak.modelHash;
export const CREDENTIAL_KEY = 'voiceprint-test-credential-key';
/** 2024-05-17T09:25:24Z, a fixed clock for credentials. */
export const NOW = Date.UTC(2024, 4, 17, 9, 25, 24);

const VOICES = new URL('../../../fixtures/voices/', import.meta.url);
const cache = new Map<string, { mulaw: Uint8Array; samples: Int16Array }>();

function load(file: string): { mulaw: Uint8Array; samples: Int16Array; channels: number } {
  const wav = readWav(readFileSync(new URL(file, VOICES)));
  expect(wav.encoding).toBe('mulaw');
  expect(wav.sampleRate).toBe(8000);
  return { mulaw: wav.data, samples: wavToPcm(wav).samples, channels: wav.channels };
}

/** A mono fixture (`alice-register`): its µ-law bytes and the decoded samples. */
export function voice(name: string): { mulaw: Uint8Array; samples: Int16Array } {
  let entry = cache.get(name);
  if (!entry) {
    const loaded = load(`${name}.wav`);
    expect(loaded.channels).toBe(1);
    entry = { mulaw: loaded.mulaw, samples: loaded.samples };
    cache.set(name, entry);
  }
  return entry;
}

/** One channel of the stereo Audiohook call: `external` (bruno, the caller) or `internal` (the agent). */
export function callChannel(channel: 'external' | 'internal'): { mulaw: Uint8Array; samples: Int16Array } {
  const loaded = load('call-bruno-agent-stereo.wav');
  expect(loaded.channels).toBe(2);
  const index = channel === 'external' ? 0 : 1;
  return {
    mulaw: extractChannel(loaded.mulaw, 2, index),
    samples: extractChannel(loaded.samples, 2, index),
  };
}

export function speakerOf(name: string): string {
  return name.split('-')[0]!;
}

export function testEngine(options: Partial<VoiceprintEngineOptions> = {}): VoiceprintEngine {
  return createVoiceprintEngine({
    modelHash: MODEL_HASH,
    credentialKey: CREDENTIAL_KEY,
    now: () => NOW,
    ...options,
  });
}

/** Pushes `bytes` as µ-law in chunks whose sizes cycle through `sizes`. */
export function pushMulawChunks(
  accumulator: VoiceprintAccumulator,
  bytes: Uint8Array,
  sizes: readonly number[],
): void {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    accumulator.pushMulaw(bytes.subarray(at, at + size));
    at += size;
  }
}

export function voiceprintOfSamples(engine: VoiceprintEngine, samples: Int16Array): Voiceprint {
  const accumulator = engine.accumulator();
  accumulator.pushPcm(samples);
  return accumulator.finish();
}

/** Deterministic pseudo-random chunk sizes between 1 and `max`. */
export function randomSizes(count: number, max: number, seed: number): number[] {
  let state = seed >>> 0;
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    sizes.push(1 + (state % max));
  }
  return sizes;
}

/** `samples` preceded by `count` samples of digital silence. */
export function withLeadingSilence(samples: Int16Array, count: number): Int16Array {
  const out = new Int16Array(count + samples.length);
  out.set(samples, count);
  return out;
}

/** Runs `fn`, asserts it threw a KitError with `code` and returns it. */
export function expectKitError(fn: () => unknown, code: string): KitError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a KitError ${code}`).toBeInstanceOf(KitError);
  expect((thrown as KitError).code).toBe(code);
  return thrown as KitError;
}
