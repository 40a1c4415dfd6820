/**
 * Flows, each target against a baseline measured in the same run:
 *
 * - `flows validate` of every rendered flow, against parsing the same YAML with the `yaml` package
 *   alone: under 200 ms AND at most 6× the bare parse;
 * - a register-then-verify `flows run` of the example inbound flow at --speed 20 (two calls: the
 *   register take with 1 at the consent menu, then a verify take) against the das-Peak emulator and
 *   the backend: under 5 s AND at most 1.5× the baseline, which is the least such a run can take: the
 *   same das-Peak work with no IVR around it (see `direct`) plus the prompts the two calls play, at
 *   1/20 of their length. The ratio is what the interpreter and the data-action executor add.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import { exampleFlowsConfig } from '../src/flows/example.js';
import { renderFlows } from '../src/flows/render.js';
import { renderedByName, runFlow } from '../src/flows/run/index.js';
import { kitCatalog, validateFlows } from '../src/flows/validate/index.js';
import { pace, sliceFrames } from '../src/audio/index.js';
import { connectAudiohook } from '../src/audiohook/client/index.js';
import { mediaBytes } from '../src/simulate/audio.js';
import { voiceAudio } from '../src/simulate/voices.js';
import { output, startServices, type Services } from '../test/flows/data-actions/helpers.js';

const SPEED = 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// --- validate ------------------------------------------------------------------------------------
const config = exampleFlowsConfig();
const files = renderFlows(config).flows.map((f) => ({ file: f.file, text: f.text }));
const catalog = kitCatalog(config);
for (let i = 0; i < 5; i++) validateFlows(files, catalog);
const validate: number[] = [];
const baseline: number[] = [];
for (let i = 0; i < 30; i++) {
  let t = performance.now();
  for (const f of files) parseDocument(f.text, { lineCounter: new LineCounter() });
  baseline.push(performance.now() - t);
  t = performance.now();
  const r = validateFlows(files, catalog);
  validate.push(performance.now() - t);
  if (r.errors > 0) throw new Error('the rendered flows do not validate');
}
const v = median(validate);
const b = median(baseline);

// --- run ---------------------------------------------------------------------------------------------
/**
 * das-Peak remembers what it heard (a replay is a spoof), so every round has a speaker of its own, and
 * the baseline its own emulator and backend (the same speakers, apples to apples). Three rounds: a
 * warm-up (module loading, first compiles), then two measured.
 */
const SPEAKERS = ['alice', 'bruno', 'dora'];
const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

async function viaFlows(s: Services, speaker: string, ani: string) {
  const flows = renderedByName(s.config);
  const call = (take: string, dtmf: string[]) =>
    runFlow({
      config: s.config,
      flow: flows.get('daspeak Example Inbound')!,
      modules: flows,
      ani,
      audio: voiceAudio(`${speaker}-${take}`, take === 'register' ? 'register' : 'verify'),
      dtmf,
      speed: SPEED,
    });
  const t = performance.now();
  const reg = await call('register', ['1']);
  const ver = await call('verify-1', []);
  // What the script itself lasts at SPEED: every prompt the two calls played.
  const promptsMs = [reg, ver].flatMap((c) => c.transcript).reduce((sum, e) => sum + (e.ms ?? 0), 0) / SPEED;
  return { ms: performance.now() - t, promptsMs, calls: [reg, ver] };
}

/**
 * The baseline: the same das-Peak work with no IVR around it — the same data actions (audio settings,
 * session, status polls every pollIntervalMs/SPEED, storing the registration; then the verification)
 * run by the same executor, and the same voice takes streamed over Audiohook at the same speed.
 */
async function direct(s: Services, speaker: string, ani: string) {
  const { config } = s;
  const pollMs = config.daspeak.timeouts.pollIntervalMs / SPEED;
  const session = async (
    take: string,
    start: (settingsId: string, conversationId: string) => Promise<string>,
    statusKey: string,
  ) => {
    const conversationId = randomUUID();
    const line = await connectAudiohook({
      uri: config.daspeak.audiohook!.connectionUri,
      apiKey: config.daspeak.audiohook!.apiKey,
      clientSecret: config.daspeak.audiohook!.clientSecret,
      organizationId: randomUUID(),
      conversationId,
      participant: { ani: `tel:${ani}`, aniName: '', dnis: '' },
    });
    const media = line.selectedMedia!;
    const format = { sampleRate: media.rate, channels: media.channels.length, bytesPerSample: 1 };
    const settings = await output(config, 'daspeak-create-audio-settings', {});
    const sessionId = await start(settings.audioSettingsId as string, conversationId);
    const audio = voiceAudio(`${speaker}-${take}`, take === 'register' ? 'register' : 'verify');
    const stop = new AbortController();
    const streaming = line
      .stream(
        pace(sliceFrames(mediaBytes(audio, media), format, 200), {
          duration: (f) => f.byteLength / 8000,
          speed: SPEED,
          signal: stop.signal,
        }),
      )
      .catch(() => undefined);
    let status = '';
    while (['', 'waiting-consumer', 'consumer-ready', 'collecting', 'processing'].includes(status)) {
      await new Promise((r) => setTimeout(r, pollMs));
      status = (await output(config, statusKey, { sessionId })).status as string;
    }
    stop.abort();
    await streaming;
    await line.close('end').catch(() => undefined);
    return { conversationId, sessionId, status };
  };
  const t = performance.now();
  const reg = await session(
    'register',
    async (audioSettingsId, conversationId) =>
      (await output(config, 'daspeak-create-register-session', { audioSettingsId, conversationId }))
        .sessionId as string,
    'backend-get-registration-status',
  );
  await output(config, 'backend-store-consent', {
    ani,
    conversationId: reg.conversationId,
    wordingVersion: '1',
  });
  await output(config, 'backend-store-registration', {
    ani,
    conversationId: reg.conversationId,
    sessionId: reg.sessionId,
  });
  const ver = await session(
    'verify-1',
    async (audioSettingsId, conversationId) =>
      (await output(config, 'backend-start-verification', { ani, conversationId, audioSettingsId }))
        .sessionId as string,
    'daspeak-get-session-status',
  );
  return { ms: performance.now() - t, ok: reg.status === 'success' && ver.status === 'success' };
}

const dir = mkdtempSync(join(tmpdir(), 'daspeak-flows-bench-'));
const services = await startServices(join(dir, 'flows'), { url: 'http://127.0.0.1:9' });
const baseServices = await startServices(join(dir, 'base'), { url: 'http://127.0.0.1:9' });
const runs: number[] = [];
const bases: number[] = [];
const prompts: number[] = [];
let outcome: string[] = [];
try {
  // Interleaved, so both see the same load on a shared machine.
  for (let round = 0; round < SPEAKERS.length; round++) {
    const flow = await viaFlows(services, SPEAKERS[round]!, `+3460000090${round}`);
    const base = await direct(baseServices, SPEAKERS[round]!, `+3460000090${round}`);
    if (!base.ok) throw new Error('the baseline sessions did not register and verify');
    outcome = flow.calls.map((c) => c.participantData['daspeak.result'] ?? '');
    if (outcome.join(',') !== 'registered,verified')
      throw new Error(
        `the flows run of ${SPEAKERS[round]!} ended ${outcome.join(', ')}: ${JSON.stringify(flow.calls.map((c) => c.participantData))}`,
      );
    if (round === 0) continue;
    runs.push(flow.ms);
    bases.push(base.ms + flow.promptsMs);
    prompts.push(flow.promptsMs);
  }
} finally {
  await services.stop();
  await baseServices.stop();
  rmSync(dir, { recursive: true, force: true });
}
const runMs = mean(runs);
const baseMs = mean(bases);

const results = {
  validateMedianMs: Math.round(v * 10) / 10,
  yamlParseBaselineMedianMs: Math.round(b * 10) / 10,
  validateRatio: Math.round((v / b) * 100) / 100,
  registerThenVerifyMeanMs: Math.round(runMs),
  baselineMeanMs: Math.round(baseMs),
  ofWhichPromptsMs: Math.round(mean(prompts)),
  runRatio: Math.round((runMs / baseMs) * 100) / 100,
  rounds: runs.map(Math.round),
  baselineRounds: bases.map(Math.round),
  speed: SPEED,
  targets: { validateMs: 200, validateRatio: 6, registerThenVerifyMs: 5000, runRatio: 1.5 },
  outcome,
  met: v < 200 && v / b <= 6 && runMs < 5000 && runMs / baseMs <= 1.5,
};
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', 'flows.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
if (!results.met) process.exitCode = 1;
