/**
 * The das-Peak emulator under load: CALLS concurrent REAL-TIME calls, each 8 kHz stereo PCMU over
 * Audiohook (100 ms frames, signed upgrades) with its registration over Socket.IO, all on loopback.
 * Measured: how long after the audio that completes `audio_total_duration` of net speech each result
 * arrives (target: every one within 200 ms), and the emulator's CPU per second of call audio
 * (process.cpuUsage of the emulator's own process) as a ratio to a baseline run in the same benchmark:
 * the same calls against a bare Audiohook server (same protocol and signature checks, no das-Peak).
 *
 * The emulator (or the baseline) runs in a child process (this file, forked with `--child`), so its CPU
 * is its own and the 200 clients in this process do not count; the emulator analyses voices in one worker
 * thread (`analysisWorkers`), the sockets stay on its main thread. Writes bench/results/sandbox.json.
 * Run: npm run bench -- sandbox   (SANDBOX_BENCH_CALLS, default 200; SANDBOX_BENCH_WORKERS, default 1)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  concat,
  decodeMulaw,
  encodeMulaw,
  floatToInt16,
  interleave,
  mix,
  pace,
  PCMU_8K_STEREO,
  seededRandom,
  silence,
  sliceFrames,
  syntheticVoice,
  VoiceActivityDetector,
  whiteNoise,
} from '../src/audio/index.js';
import { connectAudiohook, listenAudiohook, type AudiohookClientOptions } from '../src/audiohook/index.js';
import { SANDBOX } from '../src/config/defaults.js';
import { createDaspeakClient, type DaspeakOutcome } from '../src/daspeak/index.js';
import { startDaspeakSandbox } from '../src/sandbox/daspeak/index.js';

const CALLS = Number(process.env.SANDBOX_BENCH_CALLS ?? 200);
/** Voiceprint analysis threads of the emulator (the main thread keeps the sockets). */
const WORKERS = Number(process.env.SANDBOX_BENCH_WORKERS ?? 1);
const FRAME_MS = 100;
/** Calls start evenly over this span, so connection set-up does not come in one burst. */
const RAMP_MS = 2000;
const LEAD_SILENCE_S = 1;
const VOICE_S = 8;
const NET_SPEECH_S = 5;
const LATENCY_TARGET_MS = 200;
const ORG = SANDBOX.genesys.organizationId;
const RATE = 8000;

type Role = 'emulator' | 'baseline';
type ToChild = { type: 'cpu-start' } | { type: 'cpu-stop' } | { type: 'stop' };
type FromChild =
  | { type: 'ready'; audiohook: string; config?: unknown }
  | { type: 'started' }
  | {
      type: 'cpu';
      userMs: number;
      systemMs: number;
      wallMs: number;
      rssMb: number;
      loopDelayP99Ms: number;
      loopDelayMaxMs: number;
    };

// ---- child: the server under test ---------------------------------------------------------------------

async function child(role: Role): Promise<void> {
  const send = (message: FromChild) => process.send?.(message);
  let stop: () => Promise<void>;
  if (role === 'emulator') {
    const sandbox = await startDaspeakSandbox({
      port: 0,
      audiohookFailureDelayMs: 0,
      analysisWorkers: WORKERS,
      limits: { maxSessions: CALLS * 2, maxAudioStreams: CALLS * 2, maxSocketConnections: CALLS * 4 },
    });
    stop = () => sandbox.stop();
    send({ type: 'ready', audiohook: sandbox.urls.audiohook, config: sandbox.daspeakConfig() });
  } else {
    const { credentials } = { credentials: SANDBOX.daspeak };
    const server = await listenAudiohook({
      auth: {
        credentials: { [credentials.audiohookApiKey]: credentials.audiohookClientSecret },
        failureDelayMs: 0,
      },
      limits: { maxSessions: CALLS * 2 },
      hooks: {},
    });
    stop = () => server.close();
    send({ type: 'ready', audiohook: server.url });
  }
  // The parent may die (Ctrl-C, a timeout): never outlive it.
  process.on('disconnect', () => void stop().then(() => process.exit(0)));
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let started = { cpu: process.cpuUsage(), wall: performance.now() };
  process.on('message', (message: ToChild) => {
    if (message.type === 'cpu-start') {
      loop.reset();
      loop.enable();
      started = { cpu: process.cpuUsage(), wall: performance.now() };
      send({ type: 'started' });
    } else if (message.type === 'cpu-stop') {
      loop.disable();
      const used = process.cpuUsage(started.cpu);
      send({
        type: 'cpu',
        userMs: used.user / 1000,
        systemMs: used.system / 1000,
        wallMs: performance.now() - started.wall,
        rssMb: process.memoryUsage().rss / 2 ** 20,
        loopDelayP99Ms: loop.percentile(99) / 1e6,
        loopDelayMaxMs: loop.max / 1e6,
      });
    } else {
      void stop().then(() => process.exit(0));
    }
  });
}

// ---- parent: the calls ---------------------------------------------------------------------------------

interface CallAudio {
  frames: Uint8Array[];
  /** Index of the frame after which the emulator's VAD has counted NET_SPEECH_S of net speech. */
  requiredFrame: number;
}

/** A distinct caller per call (pitch, syllable rate, line noise) over a silent agent channel. */
function makeCall(i: number): CallAudio {
  const random = seededRandom(1000 + i);
  const caller = mix(
    concat(
      silence(LEAD_SILENCE_S, RATE),
      syntheticVoice(VOICE_S, RATE, { pitchHz: 90 + random() * 150, syllableRate: 3 + random() * 2 }),
    ),
    whiteNoise(LEAD_SILENCE_S + VOICE_S, RATE, -50, random),
  );
  const callerSamples = floatToInt16(caller);
  const agent = new Int16Array(callerSamples.length);
  const frames = sliceFrames(encodeMulaw(interleave([callerSamples, agent])), PCMU_8K_STEREO, FRAME_MS);
  // Where the emulator will have enough: its VAD is this VAD (same defaults), fed the same (µ-law) audio.
  const heard = decodeMulaw(encodeMulaw(callerSamples));
  const vad = new VoiceActivityDetector();
  const perFrame = (RATE * FRAME_MS) / 1000;
  let requiredFrame = -1;
  for (let f = 0; f < frames.length; f++) {
    vad.push(heard.subarray(f * perFrame, (f + 1) * perFrame));
    if (vad.netSpeechSeconds >= NET_SPEECH_S) {
      requiredFrame = f;
      break;
    }
  }
  if (requiredFrame < 0)
    throw new Error(`call ${i}: the audio never reaches ${NET_SPEECH_S} s of net speech`);
  return { frames, requiredFrame };
}

interface CallResult {
  kind: DaspeakOutcome['kind'] | 'none';
  code?: string;
  latencyMs?: number;
  audioSeconds: number;
}

async function startChild(
  role: Role,
): Promise<{ child: ChildProcess; ready: Extract<FromChild, { type: 'ready' }> }> {
  const child = fork(fileURLToPath(import.meta.url), ['--child', role], {
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.SANDBOX_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/sandbox-prof'] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [Extract<FromChild, { type: 'ready' }>];
  return { child, ready };
}

function ask(child: ChildProcess, message: ToChild): Promise<FromChild> {
  child.send(message);
  return once(child, 'message').then(([m]) => m as FromChild);
}

function audiohookOptions(uri: string, conversationId: string): AudiohookClientOptions {
  return {
    uri,
    organizationId: ORG,
    conversationId,
    // Stereo only, so the emulator takes the caller out of interleaved audio as it would from Genesys.
    media: [{ type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: RATE }],
    apiKey: SANDBOX.daspeak.audiohookApiKey,
    clientSecret: SANDBOX.daspeak.audiohookClientSecret,
    timeouts: {
      connect: 20_000,
      open: 20_000,
      close: 20_000,
      initialPingDelay: 60_000,
      pingInterval: 60_000,
    },
  };
}

async function runPhase(role: Role, calls: CallAudio[]) {
  const { child, ready } = await startChild(role);
  const client =
    role === 'emulator'
      ? createDaspeakClient(ready.config as Parameters<typeof createDaspeakClient>[0], {
          sessionTimeoutMs: 60_000,
        })
      : undefined;
  if (client) await client.tokens.getToken();
  const parentLoop = monitorEventLoopDelay({ resolution: 10 });
  parentLoop.enable();
  await ask(child, { type: 'cpu-start' });
  const started = performance.now();
  const parentCpu = process.cpuUsage();

  const results = await Promise.all(
    calls.map(async (audio, i): Promise<CallResult> => {
      await new Promise((resolve) => setTimeout(resolve, (RAMP_MS * i) / calls.length));
      const callId = randomUUID();
      let requiredSentAt: number | undefined;
      const outcome = client?.register({ callId, channel: 'socketio', audioTotalDuration: NET_SPEECH_S });
      const arrived = outcome?.then((o) => ({ o, at: performance.now() }));
      // The baseline stops just after the same point; the emulator ends the stream itself.
      const frames = role === 'emulator' ? audio.frames : audio.frames.slice(0, audio.requiredFrame + 3);
      async function* tracked() {
        let f = 0;
        for await (const frame of pace(frames, { duration: (b) => b.length / (2 * RATE) })) {
          if (f === audio.requiredFrame) requiredSentAt = performance.now();
          f++;
          yield frame;
        }
      }
      const session = await connectAudiohook(audiohookOptions(ready.audiohook, callId));
      const streamed = await session.stream(tracked());
      await session.close('end');
      if (!arrived) return { kind: 'none', audioSeconds: streamed.seconds };
      const { o, at } = await arrived;
      return {
        kind: o.kind,
        ...(o.kind === 'error' ? { code: o.code } : {}),
        ...(requiredSentAt !== undefined ? { latencyMs: at - requiredSentAt } : {}),
        audioSeconds: streamed.seconds,
      };
    }),
  );

  const wallMs = performance.now() - started;
  const parentUsed = process.cpuUsage(parentCpu);
  console.log(`  ${role}: ${calls.length} calls in ${(wallMs / 1000).toFixed(1)} s`);
  const cpu = await ask(child, { type: 'cpu-stop' });
  if (cpu.type !== 'cpu') throw new Error(`unexpected answer from the ${role} process: ${cpu.type}`);
  parentLoop.disable();
  child.send({ type: 'stop' } satisfies ToChild);
  await once(child, 'exit');
  const audioSeconds = results.reduce((sum, r) => sum + r.audioSeconds, 0);
  const cpuMs = cpu.userMs + cpu.systemMs;
  return {
    role,
    calls: calls.length,
    wallMs,
    audioSeconds,
    cpu: {
      ...cpu,
      totalMs: cpuMs,
      msPerCallSecond: cpuMs / audioSeconds,
      corePercent: (100 * cpuMs) / cpu.wallMs,
    },
    parentLoopDelayP99Ms: parentLoop.percentile(99) / 1e6,
    /** The clients' own process, for context: the machine has to carry both. */
    parentCorePercent: (100 * (parentUsed.user + parentUsed.system)) / 1000 / wallMs,
    results,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The whole benchmark must end: a stuck phase fails it instead of hanging `npm run bench`. */
const DEADLINE_MS = 180_000;

async function parent(): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`sandbox bench: not done after ${DEADLINE_MS / 1000} s; giving up`);
    process.exit(1);
  }, DEADLINE_MS);
  watchdog.unref();
  console.log(
    `das-Peak emulator: ${CALLS} concurrent real-time calls (Audiohook stereo PCMU + Socket.IO), ` +
      `${WORKERS} analysis worker(s), ${os.cpus().length} cores`,
  );
  const calls = Array.from({ length: CALLS }, (_, i) => makeCall(i));
  const baseline = await runPhase('baseline', calls);
  const emulator = await runPhase('emulator', calls);

  const latencies = emulator.results
    .flatMap((r) => (r.latencyMs === undefined ? [] : [r.latencyMs]))
    .sort((a, b) => a - b);
  const kinds: Record<string, number> = {};
  for (const r of emulator.results) {
    const key = r.code ? `${r.kind}:${r.code}` : r.kind;
    kinds[key] = (kinds[key] ?? 0) + 1;
  }
  const delivered = emulator.results.filter((r) => r.kind !== 'error' && r.latencyMs !== undefined).length;
  const within = latencies.filter((l) => l <= LATENCY_TARGET_MS).length;
  const summary = {
    benchmark: 'sandbox',
    date: new Date().toISOString(),
    node: process.version,
    cores: os.cpus().length,
    setup: {
      calls: CALLS,
      audio: `Audiohook PCMU 8 kHz stereo, ${FRAME_MS} ms frames, real time; ${LEAD_SILENCE_S} s silence then a synthetic voice`,
      signalling: 'Socket.IO register, audio_total_duration 5 s',
      analysisWorkers: WORKERS,
      rampMs: RAMP_MS,
    },
    latencyMs: {
      definition:
        'result received − sending of the frame after which the VAD has counted audio_total_duration',
      count: latencies.length,
      min: latencies[0],
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1],
    },
    outcomes: kinds,
    cpu: {
      emulatorMsPerCallSecond: emulator.cpu.msPerCallSecond,
      baselineMsPerCallSecond: baseline.cpu.msPerCallSecond,
      ratioToBaseline: emulator.cpu.msPerCallSecond / baseline.cpu.msPerCallSecond,
      emulator: emulator.cpu,
      baseline: baseline.cpu,
    },
    audioSeconds: { emulator: emulator.audioSeconds, baseline: baseline.audioSeconds },
    clients: {
      loopDelayP99Ms: { emulator: emulator.parentLoopDelayP99Ms, baseline: baseline.parentLoopDelayP99Ms },
      corePercent: { emulator: emulator.parentCorePercent, baseline: baseline.parentCorePercent },
      machineLoadAverage: os.loadavg(),
    },
    target: {
      latencyMs: LATENCY_TARGET_MS,
      calls: CALLS,
      met: delivered === CALLS && within === CALLS,
      resultsDelivered: delivered,
      withinTarget: within,
    },
  };
  const f = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1));
  console.log(`  outcomes: ${JSON.stringify(kinds)}`);
  console.log(
    `  result latency ms: p50 ${f(summary.latencyMs.p50)}  p90 ${f(summary.latencyMs.p90)}  p99 ${f(summary.latencyMs.p99)}  max ${f(summary.latencyMs.max)}`,
  );
  console.log(
    `  CPU per call-second: emulator ${f(emulator.cpu.msPerCallSecond)} ms, bare Audiohook ${f(baseline.cpu.msPerCallSecond)} ms ` +
      `(${f(summary.cpu.ratioToBaseline)}×); emulator used ${f(emulator.cpu.corePercent)} % of a core, loop delay p99 ${f(emulator.cpu.loopDelayP99Ms)} ms`,
  );
  console.log(
    `  target: ${CALLS} results, each ≤ ${LATENCY_TARGET_MS} ms after the required audio: ${summary.target.met ? 'met' : 'NOT MET'} (${within}/${CALLS})`,
  );
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}sandbox.json`, `${JSON.stringify(summary, null, 2)}\n`);
}

if (process.argv[2] === '--child') await child(process.argv[3] === 'baseline' ? 'baseline' : 'emulator');
else await parent();
