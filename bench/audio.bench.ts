/**
 * Audio throughput: what the das-Peak emulator does with every Audiohook frame of a call — decode 8 kHz
 * stereo PCMU, split the channels, run the VAD on the caller channel — in multiples of real time on one
 * core, and as a ratio to a baseline measured in the same run on the same frames (a plain byte-copy
 * loop), so the figure means something on any machine. Target: ≥ 500× real time.
 * Run: node --import tsx bench/audio.bench.ts   (or `npm run bench -- audio`)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  concat,
  decodeMulaw,
  deinterleave,
  encodeMulaw,
  floatToInt16,
  interleave,
  mix,
  PCMU_8K_STEREO,
  Resampler,
  seededRandom,
  silence,
  sliceFrames,
  syntheticVoice,
  VoiceActivityDetector,
  whiteNoise,
} from '../src/audio/index.js';

const TARGET_X_REALTIME = 500;
const AUDIO_SECONDS = 60;
const ROUNDS = 15;
const RATE = 8000;

/** A minute of call: the caller talks in bursts over line noise, the agent answers in between. */
function makeCall(): { frames: Uint8Array[]; seconds: number } {
  const callerParts: Float64Array[] = [];
  const agentParts: Float64Array[] = [];
  for (let t = 0; t < AUDIO_SECONDS; t += 5) {
    callerParts.push(syntheticVoice(2.5, RATE, { pitchHz: 120 }), silence(2.5, RATE));
    agentParts.push(silence(2.5, RATE), syntheticVoice(2, RATE, { pitchHz: 200 }), silence(0.5, RATE));
  }
  const caller = mix(concat(...callerParts), whiteNoise(AUDIO_SECONDS, RATE, -55, seededRandom(1)));
  const agent = concat(...agentParts);
  const stereo = interleave([floatToInt16(caller), floatToInt16(agent)]);
  return { frames: sliceFrames(encodeMulaw(stereo), PCMU_8K_STEREO, 200), seconds: AUDIO_SECONDS };
}

/** Runs `round` ROUNDS times after a warm-up and returns the median milliseconds per round. */
function measure(round: () => void): number {
  for (let i = 0; i < 3; i++) round();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    round();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const { frames, seconds } = makeCall();
let sink = 0; // results feed this so the JIT cannot drop the work

const scratch = new Uint8Array(3200);
const baselineMs = measure(() => {
  for (const frame of frames) {
    for (let i = 0; i < frame.length; i++) scratch[i] = frame[i]!;
    sink += scratch[0]!;
  }
});

const decodeMs = measure(() => {
  for (const frame of frames) sink += decodeMulaw(frame)[0]!;
});

const pipelineMs = measure(() => {
  const vad = new VoiceActivityDetector();
  for (const frame of frames) {
    const [caller] = deinterleave(decodeMulaw(frame), 2);
    vad.push(caller!);
  }
  vad.end();
  sink += vad.netSpeechSeconds;
});

const check = new VoiceActivityDetector();
for (const frame of frames) check.push(deinterleave(decodeMulaw(frame), 2)[0]!);
check.end();

// Not part of the target: converting a 48 kHz test voice to 8 kHz, done once per file.
const wideband = floatToInt16(syntheticVoice(10, 48000));
const resampler = new Resampler(48000);
const resampleMs = measure(() => {
  sink += resampler.process(wideband)[0]!;
});

const xRealtime = (ms: number, audioSeconds = seconds) => (audioSeconds * 1000) / ms;
const results = {
  benchmark: 'audio',
  date: new Date().toISOString(),
  node: process.version,
  audio: { seconds, format: 'PCMU 8 kHz stereo, 200 ms frames', frames: frames.length },
  rounds: ROUNDS,
  baselineByteCopy: { msPerRound: baselineMs, xRealtime: xRealtime(baselineMs) },
  decodeOnly: { msPerRound: decodeMs, xRealtime: xRealtime(decodeMs) },
  decodeDeinterleaveVad: {
    msPerRound: pipelineMs,
    xRealtime: xRealtime(pipelineMs),
    ratioToBaseline: pipelineMs / baselineMs,
    netSpeechSeconds: check.netSpeechSeconds,
    expectedNetSpeechSeconds: 30,
  },
  resample48kTo8k: { msPer10s: resampleMs, xRealtime: xRealtime(resampleMs, 10) },
  target: { xRealtime: TARGET_X_REALTIME, met: xRealtime(pipelineMs) >= TARGET_X_REALTIME },
};

const fmt = (x: number) => x.toFixed(0).padStart(8);
console.log(`audio: ${seconds} s of ${results.audio.format}, median of ${ROUNDS} rounds, one core`);
console.log(`  byte-copy baseline          ${fmt(results.baselineByteCopy.xRealtime)}× real time`);
console.log(`  µ-law decode                ${fmt(results.decodeOnly.xRealtime)}× real time`);
console.log(
  `  decode + split + VAD        ${fmt(results.decodeDeinterleaveVad.xRealtime)}× real time` +
    `  (${results.decodeDeinterleaveVad.ratioToBaseline.toFixed(1)}× the baseline's time)`,
);
console.log(`  resample 48 kHz → 8 kHz     ${fmt(results.resample48kTo8k.xRealtime)}× real time`);
console.log(
  `  target ≥ ${TARGET_X_REALTIME}× real time: ${results.target.met ? 'met' : 'NOT MET'}; ` +
    `net speech ${check.netSpeechSeconds.toFixed(2)} s of 30 s voiced (sink ${sink > 0 ? 'ok' : '0'})`,
);

const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}audio.json`, `${JSON.stringify(results, null, 2)}\n`);
