/**
 * Provisioning cost: API calls and wall time of a fresh provision (the first run, which stops at the
 * admin step, plus the run that completes) and of a no-change run, against the local Genesys sandbox
 * org on 127.0.0.1. Times are also given as a ratio to a baseline measured in the same run: one
 * Platform API read through the same client (GET /api/v2/tokens/me), so the figures mean something
 * on any machine. Target: a no-change run makes no write.
 * Run: node --import tsx bench/provision.bench.ts   (or `npm run bench -- provision`)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { exampleValues } from '../src/config/example.js';
import { loadConfigFile } from '../src/config/loader.js';
import { isKitError } from '../src/errors.js';
import { createPlatformClient } from '../src/genesys/platform/index.js';
import { provisionDeployment } from '../src/provision/index.js';
import { startGenesysSandbox, type GenesysSandbox } from '../src/sandbox/genesys/index.js';
import { genesysOf } from '../src/config/platform.js';

const ROUNDS = 5;
const BASELINE_CALLS = 30;

interface Counts {
  requests: number;
  reads: number;
  writes: number;
  logins: number;
}

function counts(s: GenesysSandbox): Counts {
  const c = s.requestCounts();
  const logins = c.routes.filter((r) => r.route === '/oauth/token').reduce((n, r) => n + r.count, 0);
  return { requests: c.total - logins, reads: c.total - logins - c.writes, writes: c.writes, logins };
}

/** The admin's one manual step (Admin > OAuth > Roles), through the sandbox's control route for it. */
async function adminGrantsKitRole(s: GenesysSandbox): Promise<void> {
  const role = s.state.roles.find((r) => r.name === 'daspeak Integration')!;
  const res = await fetch(`${s.url}/sandbox/grants`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ subject: { type: 'client', id: s.adminClient.id }, roleId: role.id }),
  });
  if (res.status !== 200) throw new Error(`admin grant refused: ${res.status} ${await res.text()}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function round() {
  const s = await startGenesysSandbox({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'daspeak-bench-'));
  try {
    const values = exampleValues({ sandbox: true, queues: ['Support'] }) as Record<
      string,
      Record<string, unknown>
    >;
    values.genesys!.baseUrl = s.url;
    values.widget = { queues: ['Support'], groups: ['Sandbox Agents'] };
    const configPath = join(dir, 'daspeak-genesys.yaml');
    writeFileSync(configPath, stringify(values));
    const { config } = loadConfigFile(configPath, { env: {} });
    const options = { config, configPath, stateDir: join(dir, 'state') };

    // Baseline: one read through a platform client, warmed up.
    const platform = createPlatformClient(genesysOf(config));
    await platform.call(() => platform.api.tokens.getTokensMe());
    let t = performance.now();
    for (let i = 0; i < BASELINE_CALLS; i++) await platform.call(() => platform.api.tokens.getTokensMe());
    const baselineMs = (performance.now() - t) / BASELINE_CALLS;
    platform.close();

    s.resetRequestCounts();
    t = performance.now();
    try {
      await provisionDeployment(options);
    } catch (err) {
      if (!isKitError(err) || !err.message.includes('does not hold')) throw err;
    }
    await adminGrantsKitRole(s);
    const fresh = await provisionDeployment(options);
    const freshMs = performance.now() - t;
    const freshCounts = counts(s);

    s.resetRequestCounts();
    t = performance.now();
    const again = await provisionDeployment(options);
    const noChangeMs = performance.now() - t;
    const noChangeCounts = counts(s);
    if (noChangeCounts.writes !== 0 || again.stats.writes !== 0)
      throw new Error('a no-change run wrote something');
    return {
      baselineMs,
      freshMs,
      freshCounts,
      objects: fresh.report.steps.length,
      noChangeMs,
      noChangeCounts,
    };
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs = [];
await round(); // warm-up (module loading, JIT)
for (let i = 0; i < ROUNDS; i++) runs.push(await round());
const baselineMs = median(runs.map((r) => r.baselineMs));
const freshMs = median(runs.map((r) => r.freshMs));
const noChangeMs = median(runs.map((r) => r.noChangeMs));
const first = runs[0]!;
const result = {
  benchmark: 'provision',
  date: new Date().toISOString(),
  node: process.version,
  rounds: ROUNDS,
  org: 'local Genesys sandbox (127.0.0.1), 300 requests/min per token',
  objects: first.objects,
  baselineOneReadMs: round3(baselineMs),
  freshProvision: {
    note: 'first run (stops at the admin step) + admin grant + completing run',
    ms: round3(freshMs),
    ratioToOneRead: round3(freshMs / baselineMs),
    apiCalls: first.freshCounts,
  },
  noChangeRun: {
    ms: round3(noChangeMs),
    ratioToOneRead: round3(noChangeMs / baselineMs),
    apiCalls: first.noChangeCounts,
  },
  target: { noChangeWrites: 0, met: runs.every((r) => r.noChangeCounts.writes === 0) },
};

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

const out = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'provision.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(
  [
    `objects: ${result.objects}; one API read: ${result.baselineOneReadMs} ms (median of ${ROUNDS})`,
    `fresh provision: ${result.freshProvision.ms} ms (${result.freshProvision.ratioToOneRead}× one read), ` +
      `${first.freshCounts.requests} requests (${first.freshCounts.reads} reads, ${first.freshCounts.writes} writes), ${first.freshCounts.logins} logins`,
    `no-change run:   ${result.noChangeRun.ms} ms (${result.noChangeRun.ratioToOneRead}× one read), ` +
      `${first.noChangeCounts.requests} requests (${first.noChangeCounts.reads} reads, ${first.noChangeCounts.writes} writes), ${first.noChangeCounts.logins} login`,
    `target (no-change run writes nothing): ${result.target.met ? 'met' : 'NOT met'}`,
  ].join('\n'),
);
