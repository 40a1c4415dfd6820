import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Argument } from 'commander';
import type { KitConfig } from '../../config/schema.js';
import { KitError } from '../../errors.js';
import { flowDocsSection, updateFlowDocs } from '../../flows/docs.js';
import { exampleFlowsConfig } from '../../flows/example.js';
import { renderFlows } from '../../flows/render.js';
import { renderedByName, runFlow, type TranscriptEntry } from '../../flows/run/index.js';
import { orgCatalog } from '../../flows/validate/org-catalog.js';
import { formatFlowIssue, kitCatalog, validateFlows, type Catalog } from '../../flows/validate/index.js';
import { isUsageError, parseAni, parseSpeed, SimulateError } from '../../simulate/index.js';
import { loadCallAudio } from '../../simulate/inputs.js';
import { defineCommand, type CliContext } from '../command.js';
import { createProgress } from '../progress.js';
import { genesysOf } from '../../config/platform.js';

const ACTIONS = ['render', 'validate', 'run'] as const;

const usage = (message: string, hint?: string) =>
  new SimulateError('flows.bad_option', message, { usage: true, ...(hint ? { hint } : {}) });

/** The config, or the example config when the file does not exist (render and validate work without one). */
function configFor(
  ctx: CliContext,
  options: Record<string, unknown>,
): { config: KitConfig; example: boolean } {
  if (options.example === true || !existsSync(ctx.configPath)) {
    if (options.example !== true)
      ctx.note(`note: ${ctx.configPath} does not exist; using the example config`);
    return { config: exampleFlowsConfig(), example: true };
  }
  const { config } = ctx.loadConfig({ skipEnv: options.skipEnv === true });
  genesysOf(config); // Architect flows exist only in Genesys Cloud: a Twilio config is refused (exit 2)
  return { config, example: false };
}

function yamlFiles(paths: string[], cwd: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let isDir = false;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      throw new KitError('flows.file_unreadable', `cannot read ${p}: no such file or directory`, {
        hint: 'give Archy YAML files or a directory holding them',
      });
    }
    const files = isDir
      ? readdirSync(abs)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(abs, f))
      : [abs];
    for (const f of files) out.push({ file: relative(cwd, f) || f, text: readFileSync(f, 'utf8') });
  }
  return out;
}

export default defineCommand({
  name: 'flows',
  order: 55,
  summary:
    'Architect IVR flows: render them from the config, validate Archy YAML offline, run a flow with no phone',
  examples: [
    'daspeak-genesys flows render --out flows --docs docs/flows.md',
    'daspeak-genesys flows validate flows/            # file:line:col for each problem, exit 1',
    'daspeak-genesys flows validate my-flow.yaml --org --json',
    'daspeak-genesys flows run "daspeak Example Inbound" --ani +34600000000 --voice alice --dtmf 1 --speed 10',
  ],
  configure(cmd) {
    cmd
      .addArgument(new Argument('<action>', 'render, validate or run').choices(ACTIONS))
      .argument(
        '[targets...]',
        'validate: files or directories (default: the rendered flows); run: a flow name or file',
      )
      .option('--out <dir>', 'render: where the YAML files go', 'flows')
      .option('--docs <file>', 'render: the Markdown file whose generated section gets the Mermaid diagrams')
      .option(
        '--example',
        'render/validate: use the example config (what flows/ in the repository is rendered from)',
      )
      .option('--skip-env', 'do not resolve ${env:NAME} references in the config')
      .option(
        '--org',
        "validate: check data actions, modules and queues against the org's (needs genesys credentials)",
      )
      .option('--ani <number>', 'run: the caller number', '+34600000000')
      .option('--voice <name>', 'run: a built-in voice (e.g. alice, alice-verify-1)')
      .option('--wav <file>', 'run: the caller audio as a WAV file')
      .option('--dtmf <digits...>', 'run: key presses, one per Collect Input, in order (e.g. --dtmf 1)')
      .option('--speed <n>', 'run: 1 = real time, 10 = ten times faster, max = no waiting', '1')
      .option('--language <tag>', 'run: Call.Language (default flows.defaultLanguage)');
  },
  async run(ctx, options, args) {
    const action = args[0] as (typeof ACTIONS)[number];
    const targets = args.slice(1);
    try {
      if (action === 'render') return render(ctx, options, targets);
      if (action === 'validate') return await validate(ctx, options, targets);
      return await run(ctx, options, targets);
    } catch (err) {
      if (err instanceof SimulateError && isUsageError(err)) {
        ctx.io.stderr.write(`error: ${err.toLine()}\n`);
        return 2;
      }
      throw err;
    }
  },
});

function render(ctx: CliContext, options: Record<string, unknown>, targets: string[]): number {
  if (targets.length > 0) throw usage('flows render takes no file names', 'use --out <dir>');
  const { config } = configFor(ctx, options);
  const out = resolve(ctx.io.cwd, String(options.out));
  const result = renderFlows(config);
  mkdirSync(out, { recursive: true });
  for (const f of result.flows) writeFileSync(join(out, f.file), f.text);
  const written = result.flows.map((f) => relative(ctx.io.cwd, join(out, f.file)));
  let docs: string | undefined;
  if (typeof options.docs === 'string') {
    docs = resolve(ctx.io.cwd, options.docs);
    const current = existsSync(docs) ? readFileSync(docs, 'utf8') : '';
    mkdirSync(dirname(docs), { recursive: true });
    writeFileSync(docs, updateFlowDocs(current, flowDocsSection(result.flows)));
  }
  ctx.printJson({
    ok: true,
    files: written,
    docs: docs ? relative(ctx.io.cwd, docs) : null,
    skipped: result.skipped,
  });
  for (const w of written) ctx.print(`wrote ${w}`);
  if (docs) ctx.print(`wrote the diagrams to ${relative(ctx.io.cwd, docs)}`);
  for (const s of result.skipped) ctx.note(`note: ${s.key} not rendered: ${s.reason} (hint: ${s.hint})`);
  return 0;
}

async function validate(
  ctx: CliContext,
  options: Record<string, unknown>,
  targets: string[],
): Promise<number> {
  const { config } = configFor(ctx, options);
  const files =
    targets.length > 0
      ? yamlFiles(targets, ctx.io.cwd)
      : renderFlows(config).flows.map((f) => ({ file: `<rendered> ${f.file}`, text: f.text }));
  let catalog: Catalog = kitCatalog(config);
  if (options.org === true) catalog = await orgCatalog(config, ctx.logger, createProgress(ctx).onProgress);
  const result = validateFlows(files, catalog);
  ctx.printJson({
    ok: result.errors === 0,
    files: files.map((f) => f.file),
    errors: result.errors,
    warnings: result.warnings,
    issues: result.issues,
    flows: result.flows.map(({ file, type, name, calls }) => ({ file, type, name, calls })),
  });
  if (!ctx.globals.json) {
    for (const i of result.issues) {
      if (i.severity === 'error' || !ctx.globals.quiet) ctx.io.stderr.write(`${formatFlowIssue(i)}\n`);
    }
  }
  if (result.errors > 0) {
    if (!ctx.globals.json)
      ctx.io.stderr.write(
        `${result.errors} error${result.errors === 1 ? '' : 's'}, ${result.warnings} warning${result.warnings === 1 ? '' : 's'}\n`,
      );
    return 1;
  }
  ctx.print(
    `ok: ${files.length} flow file${files.length === 1 ? '' : 's'}, ${result.warnings} warning${result.warnings === 1 ? '' : 's'}`,
  );
  return 0;
}

async function run(ctx: CliContext, options: Record<string, unknown>, targets: string[]): Promise<number> {
  if (targets.length !== 1)
    throw usage('flows run takes one flow: its name or its file', 'e.g. flows run "daspeak Example Inbound"');
  if (options.voice !== undefined && options.wav !== undefined)
    throw usage('give --voice or --wav, not both');
  const speed = parseSpeed(options.speed);
  const ani = parseAni(options.ani);
  const dtmf = ((options.dtmf as string[] | undefined) ?? []).flatMap((d) => d.split(','));
  for (const d of dtmf) {
    if (!/^[0-9*#]+$/.test(d)) throw usage(`--dtmf "${d}" is not a key press`, 'keys are 0-9, * and #');
  }
  const { config } = ctx.loadConfig({ skipEnv: options.skipEnv === true });
  genesysOf(config);
  const flows = renderedByName(config);
  const target = targets[0]!;
  let flowText = [...flows].find(([n]) => n.toLowerCase() === target.toLowerCase())?.[1];
  if (flowText === undefined && existsSync(resolve(ctx.io.cwd, target))) {
    flowText = readFileSync(resolve(ctx.io.cwd, target), 'utf8');
  }
  if (flowText === undefined) {
    throw usage(
      `no flow named "${target}" and no such file`,
      `the config's flows: ${[...flows.keys()].join(', ')}`,
    );
  }
  const audio = loadCallAudio(
    typeof options.wav === 'string'
      ? { kind: 'wav', path: resolve(ctx.io.cwd, options.wav) }
      : { kind: 'voice', name: typeof options.voice === 'string' ? options.voice : 'alice' },
    'register',
  );
  // At a terminal the transcript is shown as the call goes (a real-time run lasts minutes); under
  // --json or through a pipe it comes once, at the end.
  const progress = createProgress(ctx);
  const line = (t: TranscriptEntry) =>
    `${(t.atMs / 1000).toFixed(2).padStart(7)}s  ${t.kind.padEnd(11)} ${t.text}`;
  const result = await runFlow({
    config,
    flow: flowText,
    modules: flows,
    ani,
    audio,
    dtmf,
    speed,
    ...(typeof options.language === 'string' ? { language: options.language } : {}),
    logger: ctx.logger,
    ...(progress.live ? { onLog: (t: TranscriptEntry) => ctx.print(line(t)) } : {}),
  });
  ctx.printJson({ ok: result.ending.kind !== 'error', ...result });
  if (!progress.live) for (const t of result.transcript) ctx.print(line(t));
  ctx.print('participant data:');
  for (const [k, v] of Object.entries(result.participantData)) ctx.print(`  ${k} = ${v}`);
  const end = result.ending;
  progress.summary(
    end.kind === 'transfer'
      ? `ended: transferred to ${end.queue}`
      : end.kind === 'error'
        ? `ended: flow error: ${end.message}`
        : `ended: ${end.reason}`,
  );
  if (result.audiohookError)
    ctx.note(`warning: the call audio did not reach das-Peak: ${result.audiohookError}`);
  return end.kind === 'error' ? 1 : 0;
}
