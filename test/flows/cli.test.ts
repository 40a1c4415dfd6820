import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { useSuiteTmpDir } from '../helpers/tmp.js';
import { flowDocsSection } from '../../src/flows/docs.js';
import { exampleFlowsConfig } from '../../src/flows/example.js';
import { renderFlows } from '../../src/flows/render.js';
import { startGenesysSandbox } from '../../src/sandbox/genesys/index.js';
import { BIN } from '../helpers/cli.js';
import { startServices } from './data-actions/helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = useSuiteTmpDir();

/** The built CLI in a child process, without blocking this process (the servers of the test run here). */
function bin(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('flows/ and docs/flows.md are current', () => {
  it('flows/ holds exactly what the templates render from the example config', () => {
    const rendered = renderFlows(exampleFlowsConfig()).flows;
    const committed = readdirSync(join(ROOT, 'flows')).filter((f) => f.endsWith('.yaml')).sort();
    expect(committed).toEqual(rendered.map((f) => f.file).sort());
    for (const f of rendered) {
      expect(readFileSync(join(ROOT, 'flows', f.file), 'utf8'), `flows/${f.file} is stale: run npm run build && node bin/daspeak-genesys.js flows render --example --out flows --docs docs/flows.md`).toBe(f.text);
    }
  });
  it('docs/flows.md carries the current diagrams', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'flows.md'), 'utf8');
    expect(doc).toContain(flowDocsSection(renderFlows(exampleFlowsConfig()).flows));
  });
});

describe('daspeak-genesys flows (built CLI)', () => {
  it('validate: ok for the committed flows, one line per problem and exit 1 for a bad one, --json', async () => {
    const cwd = tmp();
    const good = await bin(['flows', 'validate', join(ROOT, 'flows')], cwd);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^ok: 3 flow files, 0 warnings/m);
    const bad = readFileSync(join(ROOT, 'flows', 'verify.yaml'), 'utf8').replace('exp: If(Task.Found, "model-changed", "no-credential")', 'exp: If(Task.Found, "model-changed")');
    writeFileSync(join(cwd, 'verify.yaml'), bad);
    const r = await bin(['flows', 'validate', 'verify.yaml'], cwd);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('verify.yaml:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^verify\.yaml:\d+:\d+ If takes 3 arguments, not 2$/);
    const json = await bin(['--json', 'flows', 'validate', 'verify.yaml'], cwd);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, errors: 1, issues: [{ code: 'expression.arity' }] });
    const usage = await bin(['flows', 'validate', 'missing.yaml'], cwd);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('cannot read missing.yaml');
  }, 60_000);

  it('render writes the YAML files and the diagrams', async () => {
    const cwd = tmp();
    const r = await bin(['flows', 'render', '--example', '--out', 'out', '--docs', 'FLOWS.md'], cwd);
    expect(r.code).toBe(0);
    expect(readdirSync(join(cwd, 'out')).sort()).toEqual(['example-inbound.yaml', 'register.yaml', 'verify.yaml']);
    expect(readFileSync(join(cwd, 'FLOWS.md'), 'utf8')).toContain('```mermaid\nflowchart TD');
  }, 60_000);

  it('validate --org reads the org through a 429, a 503 and a slow reply', async () => {
    const org = await startGenesysSandbox({ port: 0 });
    try {
      const cwd = tmp();
      const example = exampleFlowsConfig();
      const genesys = { baseUrl: org.url, clientId: org.adminClient.id, clientSecret: org.adminClient.secret };
      writeFileSync(join(cwd, 'daspeak-genesys.yaml'), stringify({ ...example, genesys }));
      org.setFaults({ rateLimitNext: 1, retryAfterSeconds: 1 });
      const first = bin(['flows', 'validate', '--org', join(ROOT, 'flows')], cwd);
      const r = await first;
      // The org has no kit data actions yet: the flows name actions it does not have.
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('does not exist in the org');
      org.setFaults({ failNext: 1, errorStatus: 503, latencyMs: 300, methods: ['GET'] });
      const again = await bin(['flows', 'validate', '--org', join(ROOT, 'flows')], cwd);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('does not exist in the org');
      expect(org.requestCounts().routes.find((x) => x.method === 'GET' && x.route === '/api/v2/flows')?.count).toBeGreaterThanOrEqual(2);
    } finally {
      await org.stop();
    }
  }, 90_000);

  it('run: registers a caller through the example inbound flow with no phone', async () => {
    const services = await startServices(tmp(), { url: 'http://127.0.0.1:9' });
    try {
      const r = await bin(
        ['--config', services.ws.configPath, '--json', 'flows', 'run', 'daspeak Example Inbound', '--ani', '+34600000201', '--voice', 'alice', '--dtmf', '1', '--speed', '10'],
        tmp(),
      );
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { participantData: Record<string, string>; ending: { kind: string } };
      expect(out.participantData['daspeak.result']).toBe('registered');
      expect(out.ending.kind).toBe('transfer');
      expect(r.stdout).not.toMatch(/"credential"/);
      const usage = await bin(['--config', services.ws.configPath, 'flows', 'run', 'nope'], tmp());
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('no flow named "nope"');
    } finally {
      await services.stop();
    }
  }, 120_000);
});
