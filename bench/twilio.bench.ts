/**
 * A caller registered then verified through the Twilio stand-in at --speed 20 (what
 * `simulate --platform twilio` does: the stand-in answers each call with TwiML that streams the voice
 * over Media Streams to the das-Peak emulator, the kit reads and hangs up the call through the REST API
 * with the helper library, das-Peak's Socket.IO sessions register and verify): under 5 s AND at most
 * 1.5× the baseline measured in the same run, which is the same das-Peak work with no Twilio around it
 * — the same voice takes sent over a bare Media Streams WebSocket at the same speed, with the same
 * Socket.IO sessions. The ratio is what the stand-in, TwiML and REST add.
 *
 * das-Peak remembers what it heard (a replay is a spoof), so every round has a speaker of its own and
 * the baseline its own emulator. Three rounds: a warm-up, then two measured. Writes
 * bench/results/twilio.json. Run: npm run bench -- twilio
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDaspeakClient } from '../src/daspeak/index.js';
import { silentLogger } from '../src/log.js';
import { startDaspeakSandbox } from '../src/sandbox/daspeak/index.js';
import { MediaStreamConnection } from '../src/sandbox/twilio/calls/media-stream.js';
import { startTwilioSandbox } from '../src/sandbox/twilio/index.js';
import { sandboxKitConfig } from '../src/simulate/target.js';
import { simulateTwilioCalls } from '../src/simulate/twilio-call.js';
import { voiceAudio } from '../src/simulate/voices.js';

const SPEED = 20;
const SPEAKERS = ['alice', 'bruno', 'dora'];
const TARGET_MS = 5000;
const TARGET_RATIO = 1.5;
const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

const emulator = await startDaspeakSandbox({ host: '127.0.0.1', port: 0, analysisWorkers: 0 });
const baseEmulator = await startDaspeakSandbox({ host: '127.0.0.1', port: 0, analysisWorkers: 0 });
const standIn = await startTwilioSandbox({ port: 0, mediaStreamUrl: emulator.urls.twilio });
const daspeakConfig = sandboxKitConfig({ host: emulator.host, port: emulator.port }).daspeak;
const baseConfig = sandboxKitConfig({ host: baseEmulator.host, port: baseEmulator.port }).daspeak;

async function viaStandIn(speaker: string, ani: string) {
  const t = performance.now();
  const run = await simulateTwilioCalls({
    twilio: { accountSid: standIn.accountSid, authToken: standIn.authToken, apiBaseUrl: standIn.url },
    daspeak: daspeakConfig,
    speaker,
    ani,
    speed: SPEED,
    channel: 'socketio',
    holdSeconds: 10,
  });
  return { ms: performance.now() - t, run };
}

/** The same takes over a bare Media Streams socket to das-Peak, the same Socket.IO sessions. */
async function direct(speaker: string) {
  const client = createDaspeakClient(baseConfig, { audioProtocol: 'twilio' });
  const call = async (take: 'register' | 'verify-1', credential?: string) => {
    const callSid = `CA${randomBytes(16).toString('hex')}`;
    const stream = await MediaStreamConnection.open({
      url: baseEmulator.urls.twilio,
      accountSid: standIn.accountSid,
      callSid,
      streamSid: `MZ${randomBytes(16).toString('hex')}`,
      customParameters: {},
      track: 'inbound_track',
      logger: silentLogger,
    });
    const stop = new AbortController();
    const audio = voiceAudio(`${speaker}-${take}`, take === 'register' ? 'register' : 'verify');
    const playing = stream.play(audio.external, SPEED, stop.signal);
    const outcome =
      take === 'register'
        ? await client.register({ callId: callSid, channel: 'socketio' })
        : await client.verify({ callId: callSid, channel: 'socketio', credential: credential ?? '' });
    stop.abort();
    await playing;
    await stream.stop();
    return outcome;
  };
  const t = performance.now();
  const reg = await call('register');
  const ver = await call('verify-1', reg.kind === 'registered' ? reg.credential : '');
  return { ms: performance.now() - t, ok: reg.kind === 'registered' && ver.kind === 'verified' };
}

const runs: number[] = [];
const bases: number[] = [];
let outcome: string[] = [];
try {
  // Interleaved, so both see the same load on a shared machine.
  for (let round = 0; round < SPEAKERS.length; round++) {
    const speaker = SPEAKERS[round]!;
    const twilio = await viaStandIn(speaker, `+3460000091${round}`);
    const base = await direct(speaker);
    outcome = twilio.run.calls.map((c) => c.result);
    if (!twilio.run.ok) throw new Error(`the run of ${speaker} failed: ${twilio.run.problems.join('; ')}`);
    if (!base.ok) throw new Error(`the baseline of ${speaker} did not register and verify`);
    if (round === 0) continue;
    runs.push(twilio.ms);
    bases.push(base.ms);
  }
} finally {
  await standIn.close();
  await emulator.stop();
  await baseEmulator.stop();
}
const runMs = mean(runs);
const baseMs = mean(bases);
const results = {
  registerThenVerifyMeanMs: Math.round(runMs),
  baselineMeanMs: Math.round(baseMs),
  ratio: Math.round((runMs / baseMs) * 100) / 100,
  rounds: runs.map(Math.round),
  baselineRounds: bases.map(Math.round),
  speed: SPEED,
  targets: { registerThenVerifyMs: TARGET_MS, ratio: TARGET_RATIO },
  outcome,
  met: runMs < TARGET_MS && runMs / baseMs <= TARGET_RATIO,
};
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', 'twilio.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
if (!results.met) process.exitCode = 1;
