/**
 * Flows: `flows validate` of every rendered flow, against a baseline measured in the same run
 * (parsing the same YAML with the `yaml` package alone), and a register-then-verify `flows run`
 * at --speed 20 against the das-Peak emulator and the backend.
 * Targets: validation under 200 ms for the three flows AND at most 6× the bare YAML parse; the
 * register + verify runs under 5 s together.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import { exampleFlowsConfig } from '../src/flows/example.js';
import { renderFlows } from '../src/flows/render.js';
import { renderedByName, runFlow } from '../src/flows/run/index.js';
import { kitCatalog, validateFlows } from '../src/flows/validate/index.js';
import { voiceAudio } from '../src/simulate/voices.js';
import { startServices } from '../test/flows/data-actions/helpers.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

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

const dir = mkdtempSync(join(tmpdir(), 'daspeak-flows-bench-'));
const services = await startServices(dir, { url: 'http://127.0.0.1:9' });
let runMs = 0;
let outcome: string[] = [];
try {
  const flows = renderedByName(services.config);
  const run = (voice: string, dtmf: string[]) =>
    runFlow({
      config: services.config,
      flow: flows.get('daspeak Example Inbound')!,
      modules: flows,
      ani: '+34600000999',
      audio: voiceAudio(voice, voice.includes('verify') ? 'verify' : 'register'),
      dtmf,
      speed: 20,
    });
  const t = performance.now();
  const reg = await run('alice', ['1']);
  const ver = await run('alice-verify-1', []);
  runMs = performance.now() - t;
  outcome = [reg.participantData['daspeak.result'] ?? '', ver.participantData['daspeak.result'] ?? ''];
} finally {
  await services.stop();
}

const results = {
  validateMedianMs: Math.round(v * 10) / 10,
  yamlParseBaselineMedianMs: Math.round(b * 10) / 10,
  ratio: Math.round((v / b) * 100) / 100,
  targets: { validateMs: 200, ratio: 6, registerThenVerifyMs: 5000 },
  registerThenVerifyMs: Math.round(runMs),
  outcome,
  met: v < 200 && v / b <= 6 && runMs < 5000 && outcome.join(',') === 'registered,verified',
};
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', 'flows.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
