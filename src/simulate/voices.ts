/**
 * Named voices for `--voice`: the recorded test speakers (espeak-ng, test/fixtures/voices, present in a
 * source checkout) and synthetic speakers generated on the spot (present everywhere). A name is a
 * speaker, optionally with a take: `alice` (the take the operation needs), `alice-verify-2`,
 * `synth-low`, `synth-high-verify-1`. Register takes and verify takes hold different sentences, so a
 * verification with a verify take is a live caller and one with the register take is a replay.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  concat,
  floatToInt16,
  mix,
  seededRandom,
  silence,
  syntheticVoice,
  whiteNoise,
} from '../audio/index.js';
import type { Operation } from '../daspeak/contract.js';
import { callAudioFromPcm, callAudioFromWav, type CallAudio } from './audio.js';
import { SimulateError } from './errors.js';

export const TAKES = ['register', 'verify-1', 'verify-2'] as const;
export type Take = (typeof TAKES)[number];

/** src/simulate and dist/simulate both sit two levels below the package root. */
export const FIXTURE_VOICES_DIR = fileURLToPath(new URL('../../test/fixtures/voices/', import.meta.url));

interface SynthSpeaker {
  pitchHz: number;
  formantsHz: number[];
}

/** Two synthetic callers far enough apart (pitch and vocal tract) to be told apart by a voiceprint. */
export const SYNTH_SPEAKERS: Readonly<Record<string, SynthSpeaker>> = Object.freeze({
  'synth-low': { pitchHz: 105, formantsHz: [620, 1080, 2450] },
  'synth-high': { pitchHz: 215, formantsHz: [860, 1550, 3000] },
});

/** Each take differs in rhythm, length and noise, as two sentences of one speaker would. */
const SYNTH_TAKES: Readonly<Record<Take, { seconds: number; syllableRate: number; seed: number }>> = {
  register: { seconds: 7, syllableRate: 4, seed: 1 },
  'verify-1': { seconds: 5, syllableRate: 3.5, seed: 2 },
  'verify-2': { seconds: 5, syllableRate: 4.5, seed: 3 },
};

const SAMPLE_RATE = 8000;

export function defaultTake(operation: Operation): Take {
  return operation === 'register' ? 'register' : 'verify-1';
}

/** Splits `alice-verify-2` into speaker and take; a bare speaker gets the operation's take. */
export function parseVoiceName(name: string, operation: Operation): { speaker: string; take: Take } {
  const lower = name.trim().toLowerCase();
  for (const take of TAKES) {
    if (lower.endsWith(`-${take}`)) return { speaker: lower.slice(0, -take.length - 1), take };
  }
  return { speaker: lower, take: defaultTake(operation) };
}

/** Speakers recorded in `dir` (files named `<speaker>-register.wav`). */
export function fixtureSpeakers(dir: string = FIXTURE_VOICES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('-register.wav'))
    .map((f) => f.slice(0, -'-register.wav'.length))
    .sort();
}

/** Every voice name a person can give, speakers only (a take can be appended). */
export function voiceNames(dir: string = FIXTURE_VOICES_DIR): string[] {
  return [...fixtureSpeakers(dir), ...Object.keys(SYNTH_SPEAKERS)];
}

function synthesise(speaker: SynthSpeaker, take: Take): Int16Array {
  const t = SYNTH_TAKES[take];
  const voice = syntheticVoice(t.seconds, SAMPLE_RATE, {
    pitchHz: speaker.pitchHz,
    formantsHz: speaker.formantsHz,
    syllableRate: t.syllableRate,
  });
  const padded = concat(silence(0.3, SAMPLE_RATE), voice, silence(0.3, SAMPLE_RATE));
  // A quiet line hiss, different per take: no two takes are sample-identical.
  const hiss = whiteNoise(padded.length / SAMPLE_RATE, SAMPLE_RATE, -62, seededRandom(t.seed));
  return floatToInt16(mix(padded, hiss));
}

/** The call audio of a named voice; `simulate.unknown_voice` (a usage error) for a name that is neither. */
export function voiceAudio(name: string, operation: Operation, dir: string = FIXTURE_VOICES_DIR): CallAudio {
  const { speaker, take } = parseVoiceName(name, operation);
  const label = `${speaker}-${take}`;
  const synth = SYNTH_SPEAKERS[speaker];
  if (synth) {
    return callAudioFromPcm(
      { sampleRate: SAMPLE_RATE, channels: 1, samples: synthesise(synth, take) },
      label,
    );
  }
  if (fixtureSpeakers(dir).includes(speaker)) {
    return callAudioFromWav(readFileSync(`${dir}/${label}.wav`), `${label}.wav`);
  }
  const known = voiceNames(dir);
  const recorded = fixtureSpeakers(dir).length > 0;
  throw new SimulateError('simulate.unknown_voice', `there is no voice "${name.trim()}"`, {
    usage: true,
    hint: `voices: ${known.join(', ')}, each optionally followed by -${TAKES.join(', -')}${
      recorded ? '' : ' (the recorded voices come with a source checkout of the kit)'
    }; or pass --wav <file>`,
  });
}
