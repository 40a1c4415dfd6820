/**
 * The fixed parameters of the toy voiceprint "model". Changing any of them changes voiceprints or
 * scores, so they are versioned together: bump FEATURE_VERSION when one changes, and credentials made
 * with the old layout are refused instead of being compared with incompatible vectors.
 */

/** Layout version of the voiceprint vector; written into every credential. */
export const FEATURE_VERSION = 1;

/** The engine works on telephone audio only, as das-Peak Streaming receives it. */
export const SAMPLE_RATE = 8000;
/** The voice activity detector's frame (20 ms): speech/non-speech is decided per frame. */
export const FRAME_SAMPLES = 160;
/** Spectra are taken every 5 ms, four per VAD frame, so fingerprints tolerate sub-frame shifts. */
export const HOP_SAMPLES = 40;
export const HOPS_PER_FRAME = FRAME_SAMPLES / HOP_SAMPLES;
/** 64 ms analysis window: long enough to resolve the harmonics of a low voice and two of its periods. */
export const WINDOW_SAMPLES = 512;

/** Log-mel bands the cepstra are computed from. */
export const MEL_BANDS = 24;
export const MEL_LOW_HZ = 100;
export const MEL_HIGH_HZ = 3800;
/** Cepstral coefficients c1..c12 (c0, the loudness, is left out on purpose). */
export const CEPSTRA = 12;

/** Pitch range and the resolution of the pitch histogram (1/96 octave, about 0.7 %). */
export const PITCH_LOW_HZ = 50;
export const PITCH_HIGH_HZ = 400;
export const PITCH_BINS_PER_OCTAVE = 96;

/** Bands of the replay fingerprint: 33 bands give 32 bits of band-energy-difference signs. */
export const FINGERPRINT_BANDS = 33;
export const FINGERPRINT_LOW_HZ = 300;
export const FINGERPRINT_HIGH_HZ = 3400;

/** Bits of each fingerprint a lookup also tries flipped (2^5 = 32 probes per hop). */
export const WEAK_BITS = 5;

/** Added to band powers (16-bit sample units squared) before the log, so digital silence stays finite. */
export const POWER_FLOOR = 1;

/** Fewer speech frames than this (0.5 s) cannot make a voiceprint. */
export const MIN_SPEECH_FRAMES = 25;
/** Fewer voiced (periodic) speech frames than this (0.2 s) give no pitch, hence no voiceprint. */
export const MIN_VOICED_FRAMES = 10;
/** Fingerprints kept per voiceprint: the first 60 s of speech are plenty to recognise a replay. */
export const MAX_FINGERPRINTS = 60 * (SAMPLE_RATE / HOP_SAMPLES);

/**
 * Typical spread of each part of the vector between two utterances of ONE speaker with different
 * text, measured on espeak-ng voices (see docs/sandbox-voiceprint.md). A difference of one "spread"
 * in every part gives a distance of √3.
 */
export const PITCH_SPREAD_OCTAVES = 0.1;
export const CEPSTRAL_MEAN_SPREAD = 3;
export const CEPSTRAL_DEVIATION_SPREAD = 1.5;
/** The distance at which the score is 0.5, and how steeply the score falls around it. */
export const SCORE_HALF_DISTANCE = 2.5;
export const SCORE_STEEPNESS = 4;

/**
 * Authenticity from the share f of an utterance's speech hops found in audio already heard:
 * 0.99 / (1 + (f / f½)^6). Fresh speech (f below 0.1 on the fixtures) stays above 0.97; a replay,
 * even shifted by half a hop (f above 0.4), falls below 0.02; f½ is where it crosses 0.5.
 */
export const AUTHENTICITY_MAX = 0.99;
export const REPLAY_HALF_FRACTION = 0.2;
export const REPLAY_STEEPNESS = 6;
